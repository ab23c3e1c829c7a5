//! One bridge per `state_dir`: `serve` and `once` hold an exclusive lock on `state_dir/lock`
//! (released by the kernel when the process ends, however it ends), and write who holds it, so
//! a second bridge refuses to start naming the process (two bridges sharing one folder lost
//! answered alerts). Also here: a state file that cannot be read is kept aside, not overwritten.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use instatus::jiff::Timestamp;

/// The lock file's name in `state_dir`.
pub const LOCK_FILE: &str = "lock";

/// Why the state folder cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Another process holds it.
    #[error("state_dir {dir} is in use by {holder}; two bridges on one folder lose answered alerts: give each its own state_dir")]
    Held {
        /// The folder.
        dir: PathBuf,
        /// Who holds it, as it wrote it (`process 1234 (instatus-bridge serve) since ...`).
        holder: String,
    },
    /// The folder or the lock file cannot be created or locked.
    #[error("state_dir {dir}: cannot lock {file}: {source}")]
    Io {
        /// The folder.
        dir: PathBuf,
        /// The file.
        file: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

/// The held lock; released when dropped (or when the process ends).
#[derive(Debug)]
pub struct StateLock {
    _file: File,
}

impl StateLock {
    /// Takes the lock of `dir` (creating the folder) for `command`, or says who holds it.
    pub fn acquire(dir: &Path, command: &str) -> Result<StateLock, LockError> {
        let path = dir.join(LOCK_FILE);
        let io = |source| LockError::Io {
            dir: dir.to_owned(),
            file: path.clone(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(io)?;
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                let mut holder = String::new();
                let _ = file.read_to_string(&mut holder);
                let holder = holder.trim();
                return Err(LockError::Held {
                    dir: dir.to_owned(),
                    holder: if holder.is_empty() {
                        "another process (it has not written its id yet)".to_owned()
                    } else {
                        holder.to_owned()
                    },
                });
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(io(e)),
        }
        let me = format!(
            "process {} (instatus-bridge {command}) since {}\n",
            std::process::id(),
            Timestamp::now()
        );
        file.set_len(0).map_err(io)?;
        file.rewind().map_err(io)?;
        file.write_all(me.as_bytes()).map_err(io)?;
        Ok(StateLock { _file: file })
    }
}

/// For `once`: the lock of the configured state folder (none without one), with a broken state
/// file kept aside (its note on stderr).
pub fn for_once(settings: &crate::config::Settings) -> Result<Option<StateLock>, LockError> {
    let Some(dir) = &settings.config.state_dir else {
        return Ok(None);
    };
    let lock = StateLock::acquire(dir, "once")?;
    if let Some(note) = keep_broken_state_aside(dir) {
        eprintln!("instatus-bridge: {note}");
    }
    Ok(Some(lock))
}

/// If `state_dir/state.json` cannot be read as a state, moves it aside (`state.json.broken-<time>`)
/// and returns a note naming both files; the bridge then starts from the page (the state is a
/// shortcut) without overwriting what may help someone find out what happened.
pub fn keep_broken_state_aside(dir: &Path) -> Option<String> {
    let path = dir.join("state.json");
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
        Err(e) => return Some(format!("{}: cannot be read ({e}); ignored", path.display())),
    };
    let why = match serde_json::from_slice::<crate::store::Persisted>(&bytes) {
        Ok(_) => return None,
        Err(e) => e.to_string(),
    };
    let stamp = Timestamp::now().as_second();
    let aside = dir.join(format!("state.json.broken-{stamp}"));
    match std::fs::rename(&path, &aside) {
        Ok(()) => Some(format!(
            "{} could not be read ({why}); kept as {} and starting from the page",
            path.display(),
            aside.display()
        )),
        Err(e) => Some(format!(
            "{} could not be read ({why}) nor moved aside to {} ({e}); starting from the page",
            path.display(),
            aside.display()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("bridge-lock-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        d
    }

    #[test]
    fn a_second_bridge_on_the_same_state_dir_is_refused_naming_the_holder() {
        let d = dir("held");
        let first = StateLock::acquire(&d, "serve").unwrap();
        let e = StateLock::acquire(&d, "once").unwrap_err();
        let text = e.to_string();
        assert!(
            text.contains(&format!(
                "process {} (instatus-bridge serve)",
                std::process::id()
            )),
            "{text}"
        );
        drop(first);
        let again = StateLock::acquire(&d, "once");
        assert!(again.is_ok(), "released on drop");
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn a_broken_state_file_is_kept_aside_with_a_note_naming_it() {
        let d = dir("broken");
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join("state.json"), "{\"engine\": tru").unwrap();
        let note = keep_broken_state_aside(&d).unwrap();
        assert!(note.contains("state.json could not be read"), "{note}");
        assert!(note.contains("state.json.broken-"), "{note}");
        assert!(!d.join("state.json").exists());
        let kept: Vec<_> = std::fs::read_dir(&d)
            .unwrap()
            .flatten()
            .filter(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with("state.json.broken-")
            })
            .collect();
        assert_eq!(kept.len(), 1);
        assert_eq!(
            std::fs::read_to_string(kept[0].path()).unwrap(),
            "{\"engine\": tru"
        );
        // A good one stays.
        std::fs::write(d.join("state.json"), "{}").unwrap();
        assert!(keep_broken_state_aside(&d).is_none());
        let _ = std::fs::remove_dir_all(&d);
    }
}
