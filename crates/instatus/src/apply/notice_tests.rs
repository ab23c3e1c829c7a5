//! Unit tests of `notice.rs` (kept beside it so the code file reads as one concept).

use super::*;
use crate::api::components::CreateComponentRequest;
use crate::api::maintenances;
use crate::model::MaintenanceStatus;
use crate::status::incident_edit::{self, IncidentTarget};
use crate::status::maintenance_edit::{self, MaintenanceTarget, MaintenanceTask, WindowStart};
use instatus_emulator::{Config, Emulator, FaultAction, FaultRule};

struct Lab {
    emulator: Emulator,
    client: Client,
    page: PageId,
    tree: ComponentTree,
    geth: ComponentId,
}

fn lab() -> Lab {
    let emulator = Emulator::start(Config::default()).unwrap();
    let page = PageId::new(emulator.create_page("lab", "Lab"));
    let client = Client::builder(emulator.api_key())
        .base_url(emulator.url())
        .build()
        .unwrap();
    let geth = client
        .send(crate::api::components::create(
            &page,
            &CreateComponentRequest::new("Geth"),
        ))
        .unwrap()
        .id;
    let tree = ComponentTree::from_components(
        client
            .list_all(crate::api::components::list(&page))
            .unwrap(),
    );
    Lab {
        emulator,
        client,
        page,
        tree,
        geth,
    }
}

impl Lab {
    fn incident(&self, task: &IncidentTask) -> Result<IncidentWritten, NoticeError> {
        let all = self.client.list_all(incidents::list(&self.page)).unwrap();
        let edit = incident_edit::plan(task, &all).unwrap();
        apply_incident(&self.client, &self.page, task, &edit, &self.tree)
    }

    fn maintenance(&self, task: &MaintenanceTask) -> Result<MaintenanceWritten, NoticeError> {
        let all = self
            .client
            .list_all(maintenances::list(&self.page))
            .unwrap();
        let now: jiff::Timestamp = "2030-01-15T09:00:00Z".parse().unwrap();
        let edit = maintenance_edit::plan(task, &all, now).unwrap();
        apply_maintenance(&self.client, &self.page, task, &edit)
    }

    fn fail(&self, method: &str, path: &str, status: u16) {
        self.emulator.add_fault(FaultRule {
            method: Some(method.into()),
            path: path.into(),
            action: FaultAction::Status(status),
            times: Some(1),
        });
    }
}

fn geth_down(lab: &Lab, status: ComponentStatus) -> IncidentTask {
    IncidentTask {
        name: Some("Geth down".into()),
        target: IncidentTarget::Open { status: None },
        components: Some([(lab.geth.clone(), status)].into_iter().collect()),
        message: Some("Looking.".into()),
        ..IncidentTask::default()
    }
}

#[test]
fn every_incident_write_ends_with_the_affected_components_line() {
    let lab = lab();
    let Ok(IncidentWritten::Opened { incident, .. }) =
        lab.incident(&geth_down(&lab, ComponentStatus::MajorOutage))
    else {
        panic!("opened")
    };
    assert_eq!(
        incident.updates[0].message.as_deref(),
        Some("Looking.\n\nAffected components: Geth (major outage).")
    );
    let resolve = IncidentTask {
        target: IncidentTarget::Resolved,
        message: None,
        ..geth_down(&lab, ComponentStatus::MajorOutage)
    };
    let resolve = IncidentTask {
        components: None,
        ..resolve
    };
    let Ok(IncidentWritten::Posted {
        incident,
        not_applied,
    }) = lab.incident(&resolve)
    else {
        panic!("posted")
    };
    assert_eq!(not_applied, []);
    let newest = incident
        .updates
        .iter()
        .find(|u| u.status == IncidentStatus::Resolved)
        .unwrap();
    assert_eq!(
        newest.message.as_deref(),
        Some("Affected components: Geth (operational).")
    );
}

#[test]
fn an_update_whose_read_back_fails_is_reported_as_written() {
    let lab = lab();
    lab.incident(&geth_down(&lab, ComponentStatus::MajorOutage))
        .unwrap();
    lab.fail("GET", "/v1/*/incidents/*", 404);
    let err = lab
        .incident(&geth_down(&lab, ComponentStatus::PartialOutage))
        .unwrap_err();
    assert_eq!(err.written, ["the update"]);
    assert_eq!(err.failed, "reading the incident back");
    assert!(
        err.to_string()
            .starts_with("the update written, then reading the incident back failed: "),
        "{err}"
    );
    // It did land.
    let all = lab.client.list_all(incidents::list(&lab.page)).unwrap();
    assert_eq!(
        affected_of(&all[0]).into_values().collect::<Vec<_>>(),
        [ComponentStatus::PartialOutage]
    );
}

#[test]
fn a_message_the_api_accepts_but_does_not_keep_is_reported_not_applied() {
    let lab = lab();
    lab.incident(&geth_down(&lab, ComponentStatus::MajorOutage))
        .unwrap();
    lab.emulator.set_ignored_fields(vec!["message".into()]);
    let mut task = geth_down(&lab, ComponentStatus::MajorOutage);
    task.message = Some("Found it.".into());
    let Ok(IncidentWritten::Posted { not_applied, .. }) = lab.incident(&task) else {
        panic!("posted")
    };
    assert_eq!(not_applied, [IncidentField::Message]);
}

fn window(lab: &Lab) -> MaintenanceTask {
    MaintenanceTask {
        name: "Upgrade".into(),
        start: Some(WindowStart::At("2030-01-15T10:00:00Z".parse().unwrap())),
        duration: Some(60),
        components: Some(vec![lab.geth.clone()]),
        message: Some("Upgrading Geth.".into()),
        ..MaintenanceTask::default()
    }
}

#[test]
fn a_maintenance_change_that_stops_part_way_says_what_landed() {
    let lab = lab();
    lab.maintenance(&window(&lab)).unwrap();
    // A longer window (a PUT) and a new message (an update): the update fails.
    let mut task = window(&lab);
    task.duration = Some(90);
    task.message = Some("Upgrading Geth and Lighthouse.".into());
    lab.fail("POST", "/v1/*/maintenances/*/maintenance-updates", 400);
    let err = lab.maintenance(&task).unwrap_err();
    assert_eq!(
        (err.written.as_slice(), err.failed),
        (&["the settings"][..], "posting the update")
    );
    let all = lab.client.list_all(maintenances::list(&lab.page)).unwrap();
    assert_eq!(all[0].duration, Some(90), "the PUT landed");
    // Run again: only the update is left to write.
    let Ok(MaintenanceWritten::Changed {
        written,
        not_applied,
        ..
    }) = lab.maintenance(&task)
    else {
        panic!("changed")
    };
    assert_eq!((written, not_applied), (vec!["the update"], vec![]));
}

#[test]
fn a_maintenance_stage_and_note_read_back_and_a_dropped_message_is_not_applied() {
    let lab = lab();
    lab.maintenance(&window(&lab)).unwrap();
    let start = MaintenanceTask {
        target: MaintenanceTarget::InProgress,
        message: Some("Started.".into()),
        ..window(&lab)
    };
    lab.emulator.set_ignored_fields(vec!["message".into()]);
    let Ok(MaintenanceWritten::Changed {
        maintenance,
        written,
        not_applied,
    }) = lab.maintenance(&start)
    else {
        panic!("changed")
    };
    assert_eq!(maintenance.status, MaintenanceStatus::InProgress);
    assert_eq!(written, ["the update"]);
    assert_eq!(not_applied, [MaintenanceField::Message]);
}
