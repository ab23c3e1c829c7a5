//! Manual status edits are ownership: a status on the page that automation neither set nor
//! planned was set by a person, and automation stands back from it until the page shows again
//! the status automation would set, or `OPERATIONAL` (the person handing the component back).
//!
//! Told apart by the record automation keeps per name path in [`State`](super::State): the
//! status it last accepted as its own and the write it planned last. Without a record (first
//! sight, or the state was lost) the page's status is adopted as automation's: a person's edit
//! made while the state was lost is not recognised (the price of a state that may be lost).

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::plan::NoteKind;
use crate::model::ComponentStatus;

/// What automation knows of one component's (or group's) status on the page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StatusRecord {
    /// The page status automation stands behind: the last one it saw and accepted as its own
    /// (its own write, the status it found on first sight, or a status handed back).
    pub own: ComponentStatus,
    /// The status it planned to write at the last evaluation (the page may not show it yet: the
    /// write can be in flight or have failed).
    #[serde(default)]
    pub planned: Option<ComponentStatus>,
    /// While a person's status is shown: since when automation has seen it.
    #[serde(default)]
    pub manual_since: Option<Timestamp>,
    /// Since when `own` has been what it is (unknown in states saved before this field).
    #[serde(default)]
    pub own_since: Option<Timestamp>,
}

impl StatusRecord {
    /// The record of a status seen for the first time: adopted as automation's.
    pub fn adopt(status: &ComponentStatus) -> StatusRecord {
        StatusRecord {
            own: status.clone(),
            planned: None,
            manual_since: None,
            own_since: None,
        }
    }

    /// Reads the page's status `current` against what automation would set (`target`) and
    /// updates the record. `vouched` is when automation's own open incident last gave the
    /// component this very status (its newest update says so): automation wrote it, even if this
    /// record never learnt of it (another replica wrote it), unless the record accepted another
    /// status after that update or already judged this one a person's. Returns why automation must stand back when a person owns the
    /// status; `None` when the status is automation's (or was handed back just now).
    pub fn observe(
        &mut self,
        current: &ComponentStatus,
        target: &ComponentStatus,
        vouched: Option<Timestamp>,
        now: Timestamp,
    ) -> Option<(NoteKind, String)> {
        // Vouching reads an unrecognised status on first sight only: once automation has judged
        // a status a person's, an update that merely listed it does not make it automation's.
        let vouched = self.manual_since.is_none()
            && vouched.is_some_and(|t| self.own_since.is_none_or(|since| t > since));
        let automations = vouched || *current == self.own || self.planned.as_ref() == Some(current);
        // Handed back: the page shows what automation would set, or OPERATIONAL.
        if automations || current == target || *current == ComponentStatus::Operational {
            if *current != self.own || self.own_since.is_none() {
                self.own = current.clone();
                self.own_since = Some(now);
            }
            self.manual_since = None;
            return None;
        }
        let since = *self.manual_since.get_or_insert(now);
        Some((
            NoteKind::ManualStatus,
            format!(
                "a person set {current} (automation had set {}; seen since {since}); automation \
                 stands back until the page shows {target} or OPERATIONAL",
                self.planned.as_ref().unwrap_or(&self.own)
            ),
        ))
    }

    /// Records the write planned this evaluation (`None`: no write).
    pub fn planned(&mut self, write: Option<&ComponentStatus>) {
        self.planned = write.cloned();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ComponentStatus::*;

    fn at(secs: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + secs).unwrap()
    }

    #[test]
    fn a_status_automation_did_not_write_or_plan_is_a_persons_until_handed_back() {
        let mut r = StatusRecord::adopt(&Operational);
        // Its own status: nothing to stand back from; it plans MAJOROUTAGE.
        assert_eq!(r.observe(&Operational, &MajorOutage, None, at(0)), None);
        r.planned(Some(&MajorOutage));
        // The write is not applied yet (in flight or failed): the old status is still its own.
        assert_eq!(r.observe(&Operational, &MajorOutage, None, at(10)), None);
        r.planned(Some(&MajorOutage));
        // Applied: the planned status becomes its own.
        assert_eq!(r.observe(&MajorOutage, &MajorOutage, None, at(20)), None);
        r.planned(None);
        assert_eq!(r.own, MajorOutage);
        // A person sets DEGRADEDPERFORMANCE: owned by the person, whatever automation wants.
        let (kind, why) = r
            .observe(&DegradedPerformance, &MajorOutage, None, at(30))
            .unwrap();
        assert_eq!(kind, NoteKind::ManualStatus);
        assert!(why.contains("a person set DEGRADEDPERFORMANCE"), "{why}");
        r.planned(None);
        assert!(r
            .observe(&DegradedPerformance, &PartialOutage, None, at(40))
            .is_some());
        assert_eq!(r.manual_since, Some(at(30)), "the first sighting is kept");
        // Automation's wanted status reaches the person's: handed back.
        assert_eq!(
            r.observe(&DegradedPerformance, &DegradedPerformance, None, at(50)),
            None
        );
        assert_eq!(r.own, DegradedPerformance);
        assert_eq!(r.manual_since, None);
        // Again a person's edit, then OPERATIONAL set by the person: handed back too.
        assert!(r
            .observe(&PartialOutage, &DegradedPerformance, None, at(60))
            .is_some());
        assert_eq!(r.observe(&Operational, &MajorOutage, None, at(70)), None);
        assert_eq!(r.own, Operational);
        // A status this crate does not know is a person's as well.
        assert!(r
            .observe(&Unknown("MINOROUTAGE".into()), &Operational, None, at(80))
            .is_some());
    }
}
