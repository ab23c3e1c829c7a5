//! Reading a file a module will compare with or replace (a calendar, a report, a cache): regular
//! files only, of a bounded size. A FIFO in its place would block the open until a writer came
//! (for ever, under Ansible) and a device could be endless; issue 18 saw a FIFO hang `validate`.

use std::fs::OpenOptions;
use std::io::Read;
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::Path;

/// Why a file could not be read.
#[derive(Debug)]
#[non_exhaustive]
pub enum FileError {
    /// Something other than a regular file is there (`a FIFO`, `a folder`...).
    NotRegular(&'static str),
    /// The file is larger than the bound.
    TooLarge(u64),
    /// The system refused (permissions, I/O).
    Io(std::io::Error),
}

impl std::fmt::Display for FileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FileError::NotRegular(kind) => {
                write!(
                    f,
                    "is not a regular file ({kind}); allowed: a regular file or none"
                )
            }
            FileError::TooLarge(max) => write!(f, "is larger than {max} bytes"),
            FileError::Io(e) => write!(f, "cannot be read: {e}"),
        }
    }
}

impl std::error::Error for FileError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            FileError::Io(e) => Some(e),
            _ => None,
        }
    }
}

/// The bytes of the regular file at `path` (`None`: there is no file), at most `max` of them.
/// Never blocks on a FIFO: the type is checked before opening, and the open itself does not
/// wait (`O_NONBLOCK`) in case the file was swapped meanwhile.
pub fn read_existing(path: &Path, max: u64) -> Result<Option<Vec<u8>>, FileError> {
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(FileError::Io(e)),
    };
    if !meta.is_file() {
        return Err(FileError::NotRegular(kind(&meta)));
    }
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .map_err(FileError::Io)?;
    let opened = file.metadata().map_err(FileError::Io)?;
    if !opened.is_file() {
        return Err(FileError::NotRegular(kind(&opened)));
    }
    let mut bytes = Vec::new();
    file.take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(FileError::Io)?;
    if bytes.len() as u64 > max {
        return Err(FileError::TooLarge(max));
    }
    Ok(Some(bytes))
}

fn kind(meta: &std::fs::Metadata) -> &'static str {
    let t = meta.file_type();
    if t.is_fifo() {
        "a FIFO"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_block_device() || t.is_char_device() {
        "a device"
    } else if t.is_dir() {
        "a folder"
    } else {
        "not a file"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fifo_is_refused_at_once_instead_of_blocking_the_open() {
        let dir = std::env::temp_dir().join(format!("instatus-files-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let fifo = dir.join("fifo");
        let _ = std::fs::remove_file(&fifo);
        assert!(std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success());
        let started = std::time::Instant::now();
        let err = read_existing(&fifo, 10).unwrap_err();
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
        assert_eq!(
            err.to_string(),
            "is not a regular file (a FIFO); allowed: a regular file or none"
        );
        assert!(matches!(
            read_existing(&dir, 10),
            Err(FileError::NotRegular("a folder"))
        ));
        assert!(read_existing(&dir.join("none"), 10).unwrap().is_none());
        let file = dir.join("file");
        std::fs::write(&file, "12345").unwrap();
        assert_eq!(read_existing(&file, 5).unwrap().unwrap(), b"12345");
        assert!(matches!(
            read_existing(&file, 4),
            Err(FileError::TooLarge(4))
        ));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
