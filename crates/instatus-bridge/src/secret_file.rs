//! Reading the files the config points to (secrets, CA bundles, certificates): regular files
//! only (a FIFO would hang the read), of a bounded size, and a path that looks like a pasted
//! secret is never echoed in an error.

use std::io::Read;
use std::path::Path;

use instatus::Secret;

use crate::config::ConfigError;

/// The largest secret file read (API keys, tokens and passwords are far smaller).
pub const MAX_SECRET_BYTES: u64 = 64 * 1024;

/// The largest PEM file read (CA bundles with many certificates included).
pub const MAX_PEM_BYTES: u64 = 1024 * 1024;

/// How a path is shown in an error: as given when it looks like a path (it starts with `/`,
/// `./`, `../` or `~/` and has no white space), else not at all: a value in a `*_file` field that
/// is not a path is most likely the secret itself, pasted in the wrong field.
pub fn shown(path: &Path) -> String {
    let text = path.to_string_lossy();
    let path_like = ["/", "./", "../", "~/"].iter().any(|p| text.starts_with(p))
        && !text.chars().any(char::is_whitespace)
        && text.len() <= 4096;
    if path_like {
        path.display().to_string()
    } else {
        format!(
            "the value ({} characters, not shown: it does not look like a path and may be a secret pasted in the wrong field)",
            text.chars().count()
        )
    }
}

/// Reads a whole file of at most `max` bytes, refusing anything but a regular file.
pub fn read_bounded(field: &str, path: &Path, max: u64) -> Result<Vec<u8>, ConfigError> {
    let err = |message: String| ConfigError {
        path: field.to_owned(),
        message,
    };
    let meta = std::fs::metadata(path)
        .map_err(|e| err(format!("cannot read {}: {}", shown(path), io_reason(&e))))?;
    if !meta.is_file() {
        return Err(err(format!(
            "{} is not a regular file ({}); allowed: a regular file",
            shown(path),
            kind(&meta)
        )));
    }
    // Not waiting in the open either: a FIFO swapped in after the check would block it.
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NONBLOCK);
    let file = options
        .open(path)
        .map_err(|e| err(format!("cannot read {}: {}", shown(path), io_reason(&e))))?;
    // The file may have been swapped since the check: look at what was opened.
    if !file.metadata().is_ok_and(|m| m.is_file()) {
        return Err(err(format!("{} is not a regular file", shown(path))));
    }
    let mut bytes = Vec::new();
    file.take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| err(format!("cannot read {}: {}", shown(path), io_reason(&e))))?;
    if bytes.len() as u64 > max {
        return Err(err(format!(
            "{} is larger than {max} bytes; allowed: at most {max}",
            shown(path)
        )));
    }
    Ok(bytes)
}

/// Reads a secret: one line (a trailing newline is dropped), not empty.
pub fn read_secret(field: &str, path: &Path) -> Result<Secret, ConfigError> {
    let bytes = read_bounded(field, path, MAX_SECRET_BYTES)?;
    let text = String::from_utf8(bytes).map_err(|_| ConfigError {
        path: field.to_owned(),
        message: format!("{} is not UTF-8 text", shown(path)),
    })?;
    let value = text.trim_end_matches(['\n', '\r']);
    if value.is_empty() {
        return Err(ConfigError {
            path: field.to_owned(),
            message: format!("{} is empty", shown(path)),
        });
    }
    Ok(Secret::new(value))
}

fn io_reason(e: &std::io::Error) -> String {
    // The OS message alone ("No such file or directory"): io::Error's Display never quotes the
    // path, but keep it that way explicitly.
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_owned(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        _ => e.to_string(),
    }
}

fn kind(meta: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_block_device() || t.is_char_device() {
            return "a device";
        }
    }
    if meta.is_dir() {
        "a folder"
    } else {
        "not a file"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(name: &str) -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!("bridge-secret-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn a_secret_pasted_in_a_path_field_is_not_echoed() {
        let e = read_secret(
            "instatus.api_key_file",
            Path::new("sk_live_51H8abcdefghijklmnop"),
        )
        .unwrap_err();
        let text = e.to_string();
        assert!(!text.contains("sk_live"), "{text}");
        assert!(text.contains("instatus.api_key_file"), "{text}");
        assert!(text.contains("28 characters"), "{text}");
        // A real path is shown.
        let e = read_secret("f", Path::new("/nonexistent/key")).unwrap_err();
        assert!(
            e.to_string().contains("/nonexistent/key: no such file"),
            "{e}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_as_a_secret_file_is_refused_without_hanging() {
        let d = dir("fifo");
        let fifo = d.join("key");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let started = std::time::Instant::now();
        let e = read_secret("instatus.api_key_file", &fifo).unwrap_err();
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
        assert!(e.to_string().contains("a FIFO"), "{e}");
        let e = read_secret("f", &d).unwrap_err();
        assert!(e.to_string().contains("a folder"), "{e}");
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn a_huge_secret_file_is_refused() {
        let d = dir("huge");
        let f = d.join("key");
        std::fs::write(&f, vec![b'a'; MAX_SECRET_BYTES as usize + 1]).unwrap();
        let e = read_secret("f", &f).unwrap_err();
        assert!(e.to_string().contains("larger than 65536 bytes"), "{e}");
        std::fs::write(&f, "key\n").unwrap();
        assert_eq!(read_secret("f", &f).unwrap().expose(), "key");
        let _ = std::fs::remove_dir_all(&d);
    }
}
