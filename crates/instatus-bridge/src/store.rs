//! The optional `state_dir`: `state.json` (the engine's state and the public metrics' last points,
//! written atomically) and `journal-<n>.jsonl` (the new alerts of each accepted webhook, appended
//! before the webhook is answered). Everything here is a shortcut: deleting the directory changes
//! no outcome, because the engine rebuilds from the page and Alertmanager.

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use instatus::status::{AlertDelivery, State};
use serde::{Deserialize, Serialize};

/// What `state.json` holds.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Persisted {
    /// The engine's carried state.
    #[serde(default)]
    pub engine: State,
    /// Public metric name → epoch milliseconds of the last point pushed.
    #[serde(default)]
    pub metrics: BTreeMap<String, i64>,
    /// Component name path → when one of its sources first answered (until then the component
    /// is in observe: see `probes.rs`).
    #[serde(default)]
    pub answered: BTreeMap<String, instatus::jiff::Timestamp>,
}

/// The state directory.
#[derive(Debug)]
pub struct Store {
    dir: PathBuf,
}

const STATE: &str = "state.json";

impl Store {
    /// Opens (creating) the directory.
    pub fn open(dir: &Path) -> io::Result<Store> {
        fs::create_dir_all(dir)?;
        Ok(Store {
            dir: dir.to_owned(),
        })
    }

    /// The saved state; a missing file is the default state, an unreadable one is reported and
    /// ignored (the engine rebuilds what matters).
    pub fn load(&self) -> (Persisted, Option<String>) {
        let path = self.dir.join(STATE);
        match fs::read(&path) {
            Ok(bytes) => match serde_json::from_slice(&bytes) {
                Ok(p) => (p, None),
                Err(e) => (
                    Persisted::default(),
                    Some(format!("{} ignored: {e}", path.display())),
                ),
            },
            Err(e) if e.kind() == io::ErrorKind::NotFound => (Persisted::default(), None),
            Err(e) => (
                Persisted::default(),
                Some(format!("{} ignored: {e}", path.display())),
            ),
        }
    }

    /// Writes the state atomically (a temporary file renamed over the old one); an error names
    /// the file.
    pub fn save(&self, state: &Persisted) -> io::Result<()> {
        let tmp = self.dir.join("state.json.tmp");
        self.save_to(&tmp, state)
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", tmp.display())))
    }

    fn save_to(&self, tmp: &Path, state: &Persisted) -> io::Result<()> {
        let bytes = serde_json::to_vec(state).map_err(io::Error::other)?;
        {
            let mut f = File::create(tmp)?;
            f.write_all(&bytes)?;
            f.sync_all()?;
        }
        fs::rename(tmp, self.dir.join(STATE))
    }

    /// Journal generations present, oldest first.
    fn generations(&self) -> Vec<u64> {
        let mut gens: Vec<u64> = fs::read_dir(&self.dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| {
                let name = e.file_name().into_string().ok()?;
                name.strip_prefix("journal-")?
                    .strip_suffix(".jsonl")?
                    .parse()
                    .ok()
            })
            .collect();
        gens.sort_unstable();
        gens
    }

    /// Every journalled delivery (to replay at start; replaying is safe, the engine takes
    /// duplicates), and the next free generation. A torn last line is skipped.
    pub fn replay(&self) -> (Vec<AlertDelivery>, u64) {
        let gens = self.generations();
        let mut out = Vec::new();
        for g in &gens {
            let Ok(text) = fs::read_to_string(self.journal_path(*g)) else {
                continue;
            };
            out.extend(
                text.lines()
                    .filter_map(|l| serde_json::from_str::<AlertDelivery>(l).ok()),
            );
        }
        (out, gens.last().map_or(0, |g| g + 1))
    }

    fn journal_path(&self, generation: u64) -> PathBuf {
        self.dir.join(format!("journal-{generation}.jsonl"))
    }

    /// Opens a journal generation for appending.
    pub fn journal(&self, generation: u64) -> io::Result<Journal> {
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.journal_path(generation))?;
        Ok(Journal { file, generation })
    }

    /// Removes the journal generations up to `covered` (a saved state includes them).
    pub fn forget_journals(&self, covered: u64) {
        for g in self.generations() {
            if g <= covered {
                let _ = fs::remove_file(self.journal_path(g));
            }
        }
    }
}

/// One journal generation being appended to.
#[derive(Debug)]
pub struct Journal {
    file: File,
    /// Its number.
    pub generation: u64,
}

impl Journal {
    /// Appends one delivery as a JSON line (one `write`; the OS has it when this returns, so a
    /// killed process loses nothing already answered).
    pub fn append(&mut self, delivery: &AlertDelivery) -> io::Result<()> {
        let mut line = serde_json::to_vec(delivery).map_err(io::Error::other)?;
        line.push(b'\n');
        self.file.write_all(&line)
    }
}
