//! How uptime is counted: the weight of each status, what maintenance does, and a group's rule.
//! The defaults are Instatus's own formula, so a report matches the public page.

use serde::{Deserialize, Serialize};

/// Why a [`Method`] was refused.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum MethodError {
    /// A weight outside 0..=1 or with more than three decimals.
    #[error("weights.{field}: {value} is not a fraction from 0 to 1 with at most three decimals (e.g. 0.3)")]
    BadWeight {
        /// `major_outage`, `partial_outage` or `degraded_performance`.
        field: &'static str,
        /// The value given.
        value: String,
    },
    /// A less severe status weighs more than a worse one, so "the worst status" would not be
    /// the one that weighs most.
    #[error("weights: degraded_performance ({degraded}) <= partial_outage ({partial}) <= major_outage ({major}) must hold")]
    NotMonotone {
        /// The degraded weight.
        degraded: f64,
        /// The partial weight.
        partial: f64,
        /// The major weight.
        major: f64,
    },
}

/// How much of each second in a status counts as downtime, in thousandths (integers, so the
/// arithmetic is exact and can be redone by hand).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Weights {
    /// Major outage, thousandths (Instatus: 1000).
    pub major_outage: u16,
    /// Partial outage, thousandths (Instatus: 300).
    pub partial_outage: u16,
    /// Degraded performance, thousandths (Instatus: 0).
    pub degraded_performance: u16,
}

impl Default for Weights {
    /// Instatus's documented weights: major 100 %, partial 30 %, degraded 0 %.
    fn default() -> Self {
        Weights {
            major_outage: 1000,
            partial_outage: 300,
            degraded_performance: 0,
        }
    }
}

impl Weights {
    /// incident.io's rule: a partial outage counts as fully down, degraded as up.
    pub fn partial_is_down() -> Self {
        Weights {
            partial_outage: 1000,
            ..Weights::default()
        }
    }

    /// Weights from fractions (`0.3` = 30 %), checked: each in 0..=1 with at most three
    /// decimals, and degraded ≤ partial ≤ major.
    pub fn from_fractions(major: f64, partial: f64, degraded: f64) -> Result<Self, MethodError> {
        let w = Weights {
            major_outage: thousandths("major_outage", major)?,
            partial_outage: thousandths("partial_outage", partial)?,
            degraded_performance: thousandths("degraded_performance", degraded)?,
        };
        if w.degraded_performance <= w.partial_outage && w.partial_outage <= w.major_outage {
            Ok(w)
        } else {
            Err(MethodError::NotMonotone {
                degraded,
                partial,
                major,
            })
        }
    }

    /// The weight of a level, thousandths.
    pub(crate) fn of(&self, level: Level) -> u32 {
        u32::from(match level {
            Level::Operational => 0,
            Level::Degraded => self.degraded_performance,
            Level::Partial => self.partial_outage,
            Level::Major => self.major_outage,
        })
    }
}

fn thousandths(field: &'static str, value: f64) -> Result<u16, MethodError> {
    let scaled = value * 1000.0;
    let rounded = scaled.round();
    if (0.0..=1000.0).contains(&rounded) && (scaled - rounded).abs() < 1e-6 {
        Ok(rounded as u16)
    } else {
        Err(MethodError::BadWeight {
            field,
            value: value.to_string(),
        })
    }
}

/// What time under maintenance does to uptime.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MaintenancePolicy {
    /// Maintenance time counts as up; an incident during it still counts (Instatus: its formula
    /// has no maintenance term, only incidents' outage minutes).
    #[default]
    CountAsUp,
    /// Maintenance time is taken out of the window (out of T), incidents during it included.
    Exclude,
    /// Maintenance time counts as a major outage.
    CountAsDown,
}

/// How a group's uptime follows its members.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupRule {
    /// At each instant the group is in the worst state among its members that have data (the
    /// highest weight); it is up only while every member is up (incident.io's rule, and how the
    /// page shows a group's status).
    #[default]
    Worst,
    /// The members' downtime summed over their summed observed time: the average member.
    Average,
}

/// The whole method. [`Method::default`] is Instatus's, with an incident of unknown level
/// counted as a major outage.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Method {
    /// Status weights.
    pub weights: Weights,
    /// Maintenance.
    pub maintenance: MaintenancePolicy,
    /// Groups.
    pub groups: GroupRule,
    /// The level a component counts at, for the whole incident, when the history does not tell
    /// its level (no "Affected components" line, no status or impact that still says it; see
    /// [`History::from_api`](super::History::from_api)). Default: [`Level::Major`]. An incident
    /// is opened because something was wrong, and a report that does not know how wrong must not
    /// claim uptime or an SLA that was perhaps not met: it counts the worst, names the incident,
    /// and a person who knows better can say so in the incident (an update with the line).
    #[serde(default = "Method::default_unknown_level")]
    pub unknown_level: Level,
}

impl Default for Method {
    fn default() -> Self {
        Method {
            weights: Weights::default(),
            maintenance: MaintenancePolicy::default(),
            groups: GroupRule::default(),
            unknown_level: Method::default_unknown_level(),
        }
    }
}

impl Method {
    fn default_unknown_level() -> Level {
        Level::Major
    }

    /// The method in words, printed in every report so a reader can redo the figures.
    pub fn describe(&self) -> String {
        let pct = |w: u16| {
            let w = u32::from(w);
            if w % 10 == 0 {
                format!("{} %", w / 10)
            } else {
                format!("{}.{} %", w / 10, w % 10)
            }
        };
        let maintenance = match self.maintenance {
            MaintenancePolicy::CountAsUp => {
                "time under maintenance counts as up (an incident during it still counts)"
            }
            MaintenancePolicy::Exclude => "time under maintenance is left out of T",
            MaintenancePolicy::CountAsDown => "time under maintenance counts as a major outage",
        };
        let groups = match self.groups {
            GroupRule::Worst => {
                "a group is at each instant in the worst state of its members with data"
            }
            GroupRule::Average => {
                "a group's uptime is its members' summed downtime over their summed T"
            }
        };
        format!(
            "uptime = (T - (major × {major} + partial × {partial} + degraded × {degraded})) / T, \
             where T is the time in the window with data (the component existed, before now) and \
             each instant counts once, in the worst status any open incident gave it; {maintenance}; \
             {groups}; time without data is shown apart and never counts as down. An incident's \
             level is read from the \"Affected components\" line of each of its updates, else from \
             its statuses while open or left worse than operational, else from its impact; an \
             incident whose level none of these tells counts as {unknown} for its whole duration \
             and is marked \"level unknown\".",
            major = pct(self.weights.major_outage),
            partial = pct(self.weights.partial_outage),
            degraded = pct(self.weights.degraded_performance),
            unknown = self.unknown_level.counted_as(),
        )
    }
}

/// A component status as uptime sees it, ordered by severity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Operational (and any status value this crate does not know).
    Operational,
    /// Degraded performance.
    Degraded,
    /// Partial outage.
    Partial,
    /// Major outage.
    Major,
}

impl Level {
    /// All levels, least severe first.
    pub const ALL: [Level; 4] = [
        Level::Operational,
        Level::Degraded,
        Level::Partial,
        Level::Major,
    ];

    pub(crate) fn index(self) -> usize {
        self as usize
    }

    /// What a span at this level counts as, in words: `a major outage`, `a partial outage`,
    /// `degraded performance`, `operational`.
    pub fn counted_as(self) -> &'static str {
        match self {
            Level::Operational => "operational",
            Level::Degraded => "degraded performance",
            Level::Partial => "a partial outage",
            Level::Major => "a major outage",
        }
    }

    /// The level in words: `operational`, `degraded performance`, `partial outage`, `major
    /// outage`.
    pub fn words(self) -> &'static str {
        match self {
            Level::Operational => "operational",
            Level::Degraded => "degraded performance",
            Level::Partial => "partial outage",
            Level::Major => "major outage",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fractions_are_checked() {
        assert_eq!(
            Weights::from_fractions(1.0, 0.3, 0.0).unwrap(),
            Weights::default()
        );
        assert!(matches!(
            Weights::from_fractions(1.0, 0.3333, 0.0),
            Err(MethodError::BadWeight {
                field: "partial_outage",
                ..
            })
        ));
        assert!(matches!(
            Weights::from_fractions(1.2, 0.3, 0.0),
            Err(MethodError::BadWeight {
                field: "major_outage",
                ..
            })
        ));
        let e = Weights::from_fractions(1.0, 0.3, 0.5).unwrap_err();
        assert!(e.to_string().contains("degraded_performance (0.5)"), "{e}");
    }

    #[test]
    fn the_default_method_reads_as_instatus_documents_it() {
        let d = Method::default().describe();
        assert!(
            d.contains("major × 100 % + partial × 30 % + degraded × 0 %"),
            "{d}"
        );
        assert!(d.contains("maintenance counts as up"), "{d}");
    }
}
