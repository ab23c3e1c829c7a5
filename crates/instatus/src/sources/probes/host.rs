//! The bridge's own host (single-host semantics: the bridge runs where the clients run): free
//! space of a path (`statvfs`), memory available (`/proc/meminfo`) and load per CPU
//! (`/proc/loadavg`). Linux only; elsewhere the memory and load signals are unknown.

use std::path::PathBuf;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{ProbeReading, Signal};

/// The signals of a `host` probe.
pub const SIGNALS: &[(&str, &str)] = &[
    (
        "disk_free_ratio",
        "available / total space of the filesystem holding `path` (0 to 1)",
    ),
    (
        "disk_free_bytes",
        "bytes available to unprivileged users there",
    ),
    (
        "disk_read_only",
        "1 when that filesystem is mounted read-only",
    ),
    ("memory_available_ratio", "MemAvailable / MemTotal (0 to 1)"),
    (
        "load1_per_cpu",
        "the 1-minute load average divided by the CPUs available",
    ),
];

/// `host`: this host's disk (at `path`), memory and load.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HostProbe {
    /// The probe's name.
    pub name: String,
    /// A path on the filesystem to watch, e.g. the clients' data directory. Default `/`.
    #[serde(default = "default_path")]
    pub path: PathBuf,
}

fn default_path() -> PathBuf {
    PathBuf::from("/")
}

impl HostProbe {
    pub(super) fn validate(&self) -> Result<(), (String, String)> {
        if !self.path.is_absolute() {
            return Err((
                "path".into(),
                format!("{} is not an absolute path", self.path.display()),
            ));
        }
        Ok(())
    }

    pub(super) fn run(&self) -> ProbeReading {
        let mut signals = std::collections::BTreeMap::new();
        let disk = rustix::fs::statvfs(&self.path);
        let detail = match &disk {
            Ok(s) if s.f_blocks > 0 => {
                let ratio = s.f_bavail as f64 / s.f_blocks as f64;
                let free = s.f_bavail as f64 * s.f_frsize as f64;
                let ro = s.f_flag.contains(rustix::fs::StatVfsMountFlags::RDONLY);
                signals.insert("disk_free_ratio", Signal::Value(ratio));
                signals.insert("disk_free_bytes", Signal::Value(free));
                signals.insert("disk_read_only", Signal::Value(f64::from(u8::from(ro))));
                format!("{}: {:.1} % free", self.path.display(), ratio * 100.0)
            }
            Ok(_) => {
                let why = format!("{}: a filesystem of size 0", self.path.display());
                for name in ["disk_free_ratio", "disk_free_bytes", "disk_read_only"] {
                    signals.insert(name, Signal::Failed(why.clone()));
                }
                why
            }
            Err(e) => {
                let why = format!("{}: {e}", self.path.display());
                for name in ["disk_free_ratio", "disk_free_bytes", "disk_read_only"] {
                    signals.insert(name, Signal::Failed(why.clone()));
                }
                why
            }
        };
        signals.insert(
            "memory_available_ratio",
            match std::fs::read_to_string("/proc/meminfo") {
                Ok(text) => match (meminfo(&text, "MemAvailable:"), meminfo(&text, "MemTotal:")) {
                    (Some(a), Some(t)) if t > 0.0 => Signal::Value(a / t),
                    _ => Signal::Failed("/proc/meminfo has no MemAvailable or MemTotal".into()),
                },
                Err(e) => Signal::Failed(format!("/proc/meminfo: {e}")),
            },
        );
        let cpus = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
        signals.insert(
            "load1_per_cpu",
            match std::fs::read_to_string("/proc/loadavg") {
                Ok(text) => match text
                    .split_whitespace()
                    .next()
                    .and_then(|l| l.parse::<f64>().ok())
                {
                    Some(load) => Signal::Value(load / cpus),
                    None => Signal::Failed("/proc/loadavg is not a load average".into()),
                },
                Err(e) => Signal::Failed(format!("/proc/loadavg: {e}")),
            },
        );
        let extra = |name: &str, label: &str, scale: f64, unit: &str| match signals.get(name) {
            Some(Signal::Value(v)) => format!(", {label} {:.1}{unit}", v * scale),
            _ => format!(", {label} unknown"),
        };
        let detail = format!(
            "{detail}{}{}",
            extra("memory_available_ratio", "memory available", 100.0, " %"),
            extra("load1_per_cpu", "load per CPU", 1.0, "")
        );
        ProbeReading {
            answered: disk.is_ok(),
            detail,
            signals,
        }
    }
}

fn meminfo(text: &str, key: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(key))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|v| v.parse().ok())
}
