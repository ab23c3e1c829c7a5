//! The built-in probes (`probes:` in the config, [`instatus::sources::probes`]) as a source of the
//! bridge, which components each source feeds and whether it answers, and the per-component
//! modes applied to the engine's plan ([`instatus::status::mode`]).
//!
//! A component is written only once one of its sources has answered (since the state was
//! created: the first answer is kept in `state.json`); until then it is in observe, and `plan
//! --sources` says so. An operator sees before going live which components can never change.

use std::collections::BTreeMap;

use instatus::jiff::Timestamp;
use instatus::sources::probes::{self, ProbeConfig, Readings};
use instatus::status::mode::{self, Mode};
use instatus::status::{Config as StatusConfig, Observations, QueryResult, RuleConfig};
use serde::Serialize;

use crate::bridge::SourceHealth;

/// One source of one component and whether it answered in the last evaluation.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SourceStatus {
    /// `probe NAME`, `prometheus` or `alertmanager`.
    pub source: String,
    /// What a probe asks (`execution http://127.0.0.1:8545`); empty for the others.
    pub target: String,
    /// What the component's rules read: the probe's signals, the query, the alert matchers.
    pub reads: String,
    /// Whether it answered.
    pub answers: bool,
    /// What it answered, or why not.
    pub detail: String,
}

/// A component, its effective mode and its sources.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ComponentSources {
    /// The name path.
    pub path: String,
    /// `automatic`, `observe` or `off`, as applied.
    pub mode: Mode,
    /// Why the mode is not the configured one (sources never answered).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
    /// Its sources, one per rule.
    pub sources: Vec<SourceStatus>,
}

/// The probes, their last readings, and which sources answered.
#[derive(Debug)]
pub struct Probes {
    prepared: Vec<probes::Prepared>,
    list: Vec<ProbeConfig>,
    last: Readings,
    /// Per component: its sources in the last evaluation.
    last_sources: BTreeMap<String, Vec<SourceStatus>>,
    /// Per component in observe: what would be written, as last logged (logged again on change).
    logged: std::sync::Mutex<BTreeMap<String, Vec<String>>>,
}

impl Probes {
    /// The probes of the config (none: nothing is run), each with a client of its own timeout.
    pub fn new(list: Vec<ProbeConfig>, user_agent: &str) -> Result<Probes, instatus::Error> {
        let prepared = list
            .iter()
            .map(|p| Ok((p.clone(), p.client(user_agent)?)))
            .collect::<Result<Vec<_>, instatus::Error>>()?;
        Ok(Probes {
            prepared,
            list,
            last: Readings::default(),
            last_sources: BTreeMap::new(),
            logged: Default::default(),
        })
    }

    /// Runs every probe (concurrently, bounded by the longest timeout); the signals to join the
    /// observations. `None` without probes.
    pub fn run(&mut self, now: Timestamp) -> Option<BTreeMap<String, QueryResult>> {
        if self.prepared.is_empty() {
            return None;
        }
        self.last = probes::run_all(&self.prepared, now);
        Some(self.last.observations())
    }

    /// The probes as a source of the last evaluation (after [`track`](Self::track)): not ok
    /// when a probe read by an `automatic` component did not answer; a probe only components in
    /// observe or off read does not make a run unconverged. `None` without probes.
    pub fn health(
        &self,
        config: &StatusConfig,
        answered: &BTreeMap<String, Timestamp>,
    ) -> Option<SourceHealth> {
        if self.prepared.is_empty() {
            return None;
        }
        let modes = self.modes(config, answered);
        let counted = |name: &str| {
            config.components.iter().any(|c| {
                modes
                    .get(&c.path)
                    .is_some_and(|(m, _)| *m == Mode::Automatic)
                    && reads_probe(c, name)
            })
        };
        let answering = self.last.probes.values().filter(|r| r.answered).count();
        let silent: Vec<String> = self
            .last
            .probes
            .iter()
            .filter(|(name, r)| !r.answered && counted(name))
            .map(|(name, r)| format!("{name}: {}", r.detail))
            .collect();
        let uncounted = self.last.probes.len() - answering - silent.len();
        Some(SourceHealth {
            source: "probes",
            ok: silent.is_empty(),
            detail: if silent.is_empty() {
                format!("{answering} of {} answered", self.list.len())
                    + &match uncounted {
                        0 => String::new(),
                        n => format!("; {n} silent, read only by components in observe or off"),
                    }
            } else {
                format!(
                    "{} of {} not answering: {}",
                    silent.len(),
                    self.list.len(),
                    silent.join("; ")
                )
            },
        })
    }

    /// Notes which components' sources answered in this evaluation and keeps the first answer
    /// per component in `answered`.
    pub fn track(
        &mut self,
        config: &StatusConfig,
        observations: &Observations,
        sources: &[SourceHealth],
        answered: &mut BTreeMap<String, Timestamp>,
        now: Timestamp,
    ) {
        let alertmanager = sources.iter().find(|s| s.source == "alertmanager");
        self.last_sources.clear();
        for c in &config.components {
            // One entry per source: a probe's signals, or the alert rules' matchers, together.
            let mut list: Vec<SourceStatus> = Vec::new();
            for rule in &c.rules {
                let s = self.source_of(rule, observations, alertmanager);
                match list
                    .iter_mut()
                    .find(|o| o.source == s.source && o.source != "prometheus")
                {
                    Some(o) => {
                        let sep = if o.source == "alertmanager" {
                            "; "
                        } else {
                            ", "
                        };
                        o.reads = format!("{}{sep}{}", o.reads, s.reads);
                    }
                    None => list.push(s),
                }
            }
            if list.iter().any(|s| s.answers) {
                answered.entry(c.path.clone()).or_insert(now);
            }
            self.last_sources.insert(c.path.clone(), list);
        }
    }

    fn source_of(
        &self,
        rule: &RuleConfig,
        observations: &Observations,
        alertmanager: Option<&SourceHealth>,
    ) -> SourceStatus {
        match rule {
            RuleConfig::Threshold(t) => match &t.probe {
                Some(signal) => {
                    let name = signal.split('.').next().unwrap_or_default();
                    let target = self
                        .list
                        .iter()
                        .find(|p| p.name() == name)
                        .map(|p| format!("{} {}", p.kind(), p.target()))
                        .unwrap_or_default();
                    let (answers, detail) = match self.last.probes.get(name) {
                        Some(r) => (r.answered, r.detail.clone()),
                        None => (false, "not run yet".to_owned()),
                    };
                    SourceStatus {
                        source: format!("probe {name}"),
                        target,
                        reads: signal.split_once('.').map_or("", |(_, s)| s).to_owned(),
                        answers,
                        detail,
                    }
                }
                None => {
                    let (answers, detail) = match observations.queries.get(&t.query) {
                        Some(QueryResult::Samples(s)) => (true, format!("{} series", s.len())),
                        Some(QueryResult::Failed(why)) => (false, why.clone()),
                        None => (false, "no Prometheus configured".to_owned()),
                    };
                    SourceStatus {
                        source: "prometheus".into(),
                        target: String::new(),
                        reads: t.query.clone(),
                        answers,
                        detail,
                    }
                }
            },
            RuleConfig::BurnRate(b) => {
                // The rule's queries, once per window: it answers when every one did.
                let windows = b.window_queries();
                let failed = windows
                    .iter()
                    .find_map(|q| match observations.queries.get(q) {
                        Some(QueryResult::Samples(_)) => None,
                        Some(QueryResult::Failed(why)) => Some(why.clone()),
                        None => Some("no Prometheus configured".to_owned()),
                    });
                SourceStatus {
                    source: "prometheus".into(),
                    target: String::new(),
                    reads: format!("burn rate of {}", b.source_text()),
                    answers: failed.is_none(),
                    detail: failed.unwrap_or_else(|| format!("{} window queries", windows.len())),
                }
            }
            RuleConfig::Alert(a) => {
                let heard = !observations.alerts.is_empty();
                let (answers, detail) = match alertmanager {
                    Some(s) => (s.ok || heard, s.detail.clone()),
                    None if heard => (true, "webhook deliveries".to_owned()),
                    None => (false, "no Alertmanager read and no webhook yet".to_owned()),
                };
                SourceStatus {
                    source: "alertmanager".into(),
                    target: String::new(),
                    reads: a.matchers.join(", "),
                    answers,
                    detail,
                }
            }
        }
    }

    /// The configured modes, with the components none of whose sources ever answered put in
    /// observe.
    pub fn modes(
        &self,
        config: &StatusConfig,
        answered: &BTreeMap<String, Timestamp>,
    ) -> BTreeMap<String, (Mode, Option<String>)> {
        let silent: BTreeMap<String, String> = config
            .components
            .iter()
            .filter(|c| !c.rules.is_empty() && !answered.contains_key(&c.path))
            .map(|c| {
                (
                    c.path.clone(),
                    "none of its sources has answered yet".to_owned(),
                )
            })
            .collect();
        mode::effective(config, &silent)
    }

    /// The modes of this evaluation: the configured ones, with the components none of whose
    /// sources ever answered put in observe.
    pub fn modes_now(
        &self,
        config: &StatusConfig,
        answered: &BTreeMap<String, Timestamp>,
    ) -> BTreeMap<String, Mode> {
        self.modes(config, answered)
            .into_iter()
            .map(|(path, (m, _))| (path, m))
            .collect()
    }

    /// Every component with its mode and sources, as of the last evaluation (`plan --sources`).
    pub fn report(
        &self,
        config: &StatusConfig,
        answered: &BTreeMap<String, Timestamp>,
    ) -> Vec<ComponentSources> {
        let modes = self.modes(config, answered);
        config
            .components
            .iter()
            .map(|c| {
                let (mode, why) = modes
                    .get(&c.path)
                    .cloned()
                    .unwrap_or((Mode::Automatic, None));
                ComponentSources {
                    path: c.path.clone(),
                    mode,
                    why,
                    sources: self.last_sources.get(&c.path).cloned().unwrap_or_default(),
                }
            })
            .collect()
    }
}

/// Whether a component has a rule reading the probe `name`.
fn reads_probe(c: &instatus::status::ComponentConfig, name: &str) -> bool {
    c.rules.iter().any(|r| match r {
        RuleConfig::Threshold(t) => t
            .probe
            .as_deref()
            .and_then(|s| s.split('.').next())
            .is_some_and(|n| n == name),
        RuleConfig::Alert(_) | RuleConfig::BurnRate(_) => false,
    })
}

/// `plan --sources` as text: a line per component (mode), a line per source.
pub fn report_text(report: &[ComponentSources]) -> String {
    let mut out = String::new();
    for c in report {
        let mode = match c.mode {
            Mode::Automatic => "automatic",
            Mode::Observe => "observe",
            Mode::Off => "off",
        };
        out.push_str(&format!("{}  [{mode}]", c.path));
        if let Some(why) = &c.why {
            out.push_str(&format!(" ({why})"));
        }
        out.push('\n');
        if c.sources.is_empty() {
            out.push_str("    (no rules: nothing can change it)\n");
        }
        for s in &c.sources {
            let target = if s.target.is_empty() {
                String::new()
            } else {
                format!(" ({})", s.target)
            };
            out.push_str(&format!(
                "    {:<7} {}{target} reads {}\n            {}\n",
                if s.answers { "answers" } else { "SILENT" },
                s.source,
                s.reads,
                s.detail
            ));
        }
    }
    out
}

/// Checks the probes and the rules that read them: unique names, settings, and every `probe:`
/// naming a configured probe and one of its kind's signals. `Err((field path, message))`.
pub fn validate(list: &[ProbeConfig], status: &StatusConfig) -> Result<(), (String, String)> {
    let mut names = std::collections::HashSet::new();
    for (i, p) in list.iter().enumerate() {
        p.validate()
            .map_err(|(f, m)| (format!("probes[{i}].{f}"), m))?;
        if !names.insert(p.name()) {
            return Err((
                format!("probes[{i}].{}.name", p.kind()),
                format!("{:?} is configured twice", p.name()),
            ));
        }
    }
    for (i, c) in status.components.iter().enumerate() {
        for (j, r) in c.rules.iter().enumerate() {
            let RuleConfig::Threshold(t) = r else {
                continue;
            };
            let Some(signal) = &t.probe else { continue };
            let at = format!("status.components[{i}].rules[{j}].threshold.probe");
            let (name, s) = signal.split_once('.').unwrap_or((signal, ""));
            let Some(p) = list.iter().find(|p| p.name() == name) else {
                let known: Vec<&str> = list.iter().map(ProbeConfig::name).collect();
                return Err((
                    at,
                    format!(
                        "no probe named {name:?}; configured: {}",
                        if known.is_empty() {
                            "none".to_owned()
                        } else {
                            known.join(", ")
                        }
                    ),
                ));
            };
            if !p.signals().iter().any(|(n, _)| *n == s) {
                let allowed: Vec<&str> = p.signals().iter().map(|(n, _)| *n).collect();
                return Err((
                    at,
                    format!(
                        "{s:?} is not a signal of the {} probe {name:?}; allowed: {}",
                        p.kind(),
                        allowed.join(", ")
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// What an evaluation would have written for components in observe, one line each, when it
/// differs from what was last logged for that component (so a steady state is logged once).
pub fn would_write_lines(probes: &Probes, notes: &[instatus::status::Note]) -> Vec<String> {
    let mut now: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for n in notes {
        if n.kind == instatus::status::NoteKind::Observe && n.message.starts_with("observe: would ")
        {
            now.entry(n.path.clone())
                .or_default()
                .push(n.message.clone());
        }
    }
    let mut logged = probes.logged.lock().unwrap_or_else(|e| e.into_inner());
    let mut lines = Vec::new();
    for (path, messages) in &now {
        if logged.get(path) != Some(messages) {
            lines.extend(messages.iter().map(|m| format!("{path}: {m}")));
        }
    }
    *logged = now;
    lines
}

/// `/metrics`: each component's evaluated level (what its rules hold, written or not) and its
/// mode as applied; and stderr: what components in observe would have written, on change.
pub fn record_modes(
    bridge: &crate::bridge::Bridge,
    t: &crate::telemetry::Telemetry,
    notes: &[instatus::status::Note],
) {
    for line in would_write_lines(&bridge.probes, notes) {
        eprintln!("{} instatus-bridge: {line}", Timestamp::now());
    }
    let status = &bridge.settings.config.status;
    let modes = bridge.probes.modes(status, &bridge.persisted.answered);
    for c in &status.components {
        let evaluated = bridge
            .persisted
            .engine
            .components
            .get(&c.path)
            .and_then(|cs| cs.rules.iter().map(|h| h.level).max())
            .map_or(-1, |l| l as i64);
        let mode = match modes.get(&c.path).map(|(m, _)| *m) {
            Some(Mode::Off) => 0,
            Some(Mode::Observe) => 1,
            _ => 2,
        };
        t.component_mode(&c.path, evaluated, mode);
    }
}

#[cfg(test)]
mod tests {
    use instatus::status::{Note, NoteKind};

    use super::*;

    fn note(path: &str, message: &str) -> Note {
        Note {
            path: path.into(),
            kind: NoteKind::Observe,
            message: message.into(),
        }
    }

    #[test]
    fn what_an_observed_component_would_write_is_logged_once_per_change() {
        let probes = Probes::new(Vec::new(), "test").unwrap();
        let would = note(
            "AM",
            "observe: would set OPERATIONAL -> MAJOROUTAGE (rules)",
        );
        assert_eq!(
            would_write_lines(&probes, std::slice::from_ref(&would)),
            ["AM: observe: would set OPERATIONAL -> MAJOROUTAGE (rules)"]
        );
        assert!(would_write_lines(&probes, std::slice::from_ref(&would)).is_empty());
        // An unknown turned observe note is not a write: not logged.
        assert!(would_write_lines(
            &probes,
            &[
                would.clone(),
                note("AM", "observe: unknown, last level kept")
            ]
        )
        .is_empty());
        assert!(would_write_lines(&probes, &[]).is_empty());
        assert_eq!(
            would_write_lines(&probes, &[would]).len(),
            1,
            "logged again after a change"
        );
    }
}
