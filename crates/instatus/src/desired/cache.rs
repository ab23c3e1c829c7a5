//! A small file on the machine a declaration is applied from, holding facts that only save
//! requests: the settings the API was seen to accept without applying ([`IgnoredWrite`], the
//! custom domain on a lenient Instatus). With it, a no-op run (the `page_spec` and `page` modules,
//! `instatus-bridge page apply`) sends no write for such a setting and still reports it as not
//! applied; without it (deleted, unreadable, another machine) the write is sent once more and the
//! result is the same. Instatus stays the only database: nothing here decides what the page is.
//!
//! The file is `$XDG_CACHE_HOME/ephemery.instatus/ignored-writes.json` (or under
//! `$HOME/.cache`), at most [`MAX_ENTRIES`] facts, each forgotten after [`FORGET_AFTER`] so a
//! setting Instatus starts applying is tried again. Errors reading or writing it are ignored: a
//! cache never fails a run.

use std::io::Read;
use std::path::{Path, PathBuf};

use super::IgnoredWrite;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

/// How many facts the file keeps at most (the oldest go first).
pub const MAX_ENTRIES: usize = 256;

/// After this long a fact is forgotten and the write sent again: 30 days.
pub const FORGET_AFTER: SignedDuration = SignedDuration::from_hours(30 * 24);

/// The largest file read (anything bigger is ignored as broken).
const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// One fact, for one API (the base URL: a page id is only unique within it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Entry {
    base_url: String,
    write: IgnoredWrite,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct File {
    entries: Vec<Entry>,
}

/// The ignored writes known for one API.
#[derive(Debug)]
pub struct IgnoredWrites {
    path: Option<PathBuf>,
    base_url: String,
    file: File,
}

impl IgnoredWrites {
    /// The cache in its default place (none without `XDG_CACHE_HOME` and `HOME`), read now.
    pub fn open(base_url: &str) -> Self {
        let dir = std::env::var_os("XDG_CACHE_HOME")
            .filter(|d| !d.is_empty())
            .map(PathBuf::from)
            .or_else(|| {
                std::env::var_os("HOME")
                    .filter(|h| !h.is_empty())
                    .map(|h| PathBuf::from(h).join(".cache"))
            });
        Self::at(
            dir.map(|d| d.join("ephemery.instatus").join("ignored-writes.json")),
            base_url,
        )
    }

    /// The cache in `path` (`None`: nothing is kept), read now.
    pub fn at(path: Option<PathBuf>, base_url: &str) -> Self {
        let file = path.as_deref().and_then(read).unwrap_or_default();
        Self {
            path,
            base_url: base_url.trim_end_matches('/').to_owned(),
            file,
        }
    }

    /// The facts for this API seen after `now - FORGET_AFTER`.
    pub fn known(&self, now: Timestamp) -> Vec<IgnoredWrite> {
        self.file
            .entries
            .iter()
            .filter(|e| e.base_url == self.base_url && fresh(&e.write, now))
            .map(|e| e.write.clone())
            .collect()
    }

    /// Records what a read-back showed: `seen` ignored writes are kept (replacing older facts
    /// about the same page and setting), and facts about `applied` settings of `page` are
    /// dropped. Writes the file only when something changed.
    pub fn update(
        &mut self,
        page: &str,
        seen: Vec<IgnoredWrite>,
        applied: &[String],
        now: Timestamp,
    ) {
        let before = self.file.entries.clone();
        let base_url = self.base_url.clone();
        self.file.entries.retain(|e| {
            let same = |setting: &str| {
                e.base_url == base_url && e.write.page == page && e.write.setting == setting
            };
            fresh(&e.write, now)
                && !applied.iter().any(|s| same(s))
                && !seen.iter().any(|w| same(&w.setting))
        });
        self.file
            .entries
            .extend(seen.into_iter().map(|write| Entry {
                base_url: base_url.clone(),
                write,
            }));
        if self.file.entries.len() > MAX_ENTRIES {
            self.file.entries.sort_by_key(|e| e.write.seen);
            let excess = self.file.entries.len() - MAX_ENTRIES;
            self.file.entries.drain(..excess);
        }
        if self.file.entries != before {
            if let Some(path) = &self.path {
                // A cache: a failed write only costs a request next time.
                let _ = write(path, &self.file);
            }
        }
    }
}

fn fresh(write: &IgnoredWrite, now: Timestamp) -> bool {
    now.duration_since(write.seen) < FORGET_AFTER
}

fn read(path: &Path) -> Option<File> {
    use rustix::fs::{Mode, OFlags};
    // Regular files only: a FIFO in its place would block the open for ever. The type is checked
    // before opening, the open itself does not wait (O_NONBLOCK) in case the file was swapped
    // meanwhile, and the opened file is checked again.
    if !std::fs::metadata(path).ok()?.is_file() {
        return None;
    }
    let flags = OFlags::RDONLY | OFlags::NONBLOCK | OFlags::CLOEXEC;
    let file = std::fs::File::from(rustix::fs::open(path, flags, Mode::empty()).ok()?);
    if !file.metadata().ok()?.is_file() {
        return None;
    }
    let mut text = String::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_string(&mut text)
        .ok()?;
    if text.len() as u64 > MAX_FILE_BYTES {
        return None;
    }
    serde_json::from_str(&text).ok()
}

/// Through a temporary file of this process, renamed over the file: a reader never sees half.
fn write(path: &Path, file: &File) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(".ignored-writes.{}.tmp", std::process::id()));
    let text = serde_json::to_string_pretty(file).map_err(std::io::Error::other)?;
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fact(page: &str, sent: &str, seen: Timestamp) -> IgnoredWrite {
        IgnoredWrite {
            page: page.into(),
            setting: "custom_domain".into(),
            sent: sent.into(),
            shown: None,
            seen,
        }
    }

    #[test]
    fn facts_are_kept_per_api_replaced_forgotten_and_dropped_when_applied() {
        let dir = std::env::temp_dir().join(format!("instatus-cache-{}", std::process::id()));
        let path = dir.join("sub").join("ignored-writes.json");
        let now: Timestamp = "2026-12-08T00:00:00Z".parse().unwrap();
        let mut cache = IgnoredWrites::at(Some(path.clone()), "http://api.example/");
        cache.update("p1", vec![fact("p1", "a.example.org", now)], &[], now);
        // Read again from the file: another API sees nothing, this one its fact.
        assert!(
            IgnoredWrites::at(Some(path.clone()), "http://other.example")
                .known(now)
                .is_empty()
        );
        let mut cache = IgnoredWrites::at(Some(path.clone()), "http://api.example");
        assert_eq!(cache.known(now), [fact("p1", "a.example.org", now)]);
        // A newer fact about the same setting replaces it.
        cache.update("p1", vec![fact("p1", "b.example.org", now)], &[], now);
        assert_eq!(cache.known(now), [fact("p1", "b.example.org", now)]);
        // Forgotten after 30 days.
        let later = now + FORGET_AFTER;
        assert!(cache.known(later).is_empty());
        // Applied: dropped.
        cache.update("p1", vec![], &["custom_domain".to_owned()], now);
        assert!(IgnoredWrites::at(Some(path.clone()), "http://api.example")
            .known(now)
            .is_empty());
        // A broken file is an empty cache, never an error.
        std::fs::write(&path, "{not json").unwrap();
        assert!(IgnoredWrites::at(Some(path), "http://api.example")
            .known(now)
            .is_empty());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_file_keeps_at_most_the_newest_entries() {
        let now: Timestamp = "2026-12-08T00:00:00Z".parse().unwrap();
        let mut cache = IgnoredWrites::at(None, "http://api.example");
        for n in 0..(MAX_ENTRIES + 10) {
            let seen = now - SignedDuration::from_secs((MAX_ENTRIES + 10 - n) as i64);
            cache.update(
                &format!("p{n}"),
                vec![fact(&format!("p{n}"), "x.example", seen)],
                &[],
                now,
            );
        }
        let known = cache.known(now);
        assert_eq!(known.len(), MAX_ENTRIES);
        assert_eq!(known[0].page, "p10");
    }
}
