//! Every example program, run against the emulator through the same `run` its `main` calls; the
//! examples assert nothing themselves, these tests check what they left on the emulator.

use instatus::api;
use instatus::model::{ComponentStatus, ComponentTree, IncidentStatus, MaintenanceStatus, PageId};
use instatus::Client;
use instatus_emulator::{Config, Emulator};

#[path = "../../examples/components.rs"]
mod components;
#[path = "../../examples/incidents.rs"]
mod incidents;
#[path = "../../examples/maintenances.rs"]
mod maintenances;
#[path = "../../examples/metrics.rs"]
mod metrics;
#[path = "../../examples/pages.rs"]
mod pages;
#[path = "../../examples/subscribers.rs"]
mod subscribers;
#[path = "../../examples/team.rs"]
mod team;
#[path = "../../examples/templates.rs"]
mod templates;

fn setup() -> (Emulator, Client, PageId) {
    let emulator = Emulator::start(Config::default()).unwrap();
    let page = PageId::new(emulator.create_page("ephemery", "Ephemery"));
    let client = Client::builder(emulator.api_key())
        .base_url(emulator.url())
        .build()
        .unwrap();
    (emulator, client, page)
}

/// The operations the emulator served, in order, failures included.
fn operations(emulator: &Emulator) -> Vec<String> {
    emulator
        .requests()
        .into_iter()
        .map(|r| {
            assert_eq!(r.status, 200, "{} {} {:?}", r.method, r.path, r.body);
            r.operation.unwrap_or_default()
        })
        .collect()
}

#[test]
fn pages_example_creates_renames_and_deletes_a_page() {
    let (emulator, client, page) = setup();
    let done = pages::run(&client).unwrap();
    assert_eq!(done.renamed_to, "Example Status");
    assert_eq!(
        operations(&emulator),
        ["CreatePage", "UpdatePage", "ListPages", "DeletePage"]
    );
    let created = client.send(api::pages::delete(&done.created));
    assert!(created.is_err(), "deleting it again fails: it is gone");
    let left: Vec<PageId> = client
        .list_all(api::pages::list())
        .unwrap()
        .into_iter()
        .map(|p| p.id)
        .collect();
    assert_eq!(left, [page], "the scratch page is gone, the other kept");
}

#[test]
fn components_example_builds_moves_and_deletes() {
    let (_emulator, client, page) = setup();
    let done = components::run(&client, &page).unwrap();
    let tree =
        ComponentTree::from_components(client.list_all(api::components::list(&page)).unwrap());
    let exec = tree
        .find("Ethereum Services/Execution Client")
        .expect("child kept");
    assert_eq!(exec.status, ComponentStatus::DegradedPerformance);
    assert_eq!(exec.parent_id(), Some(&done.group));
    assert_eq!(exec.description_str(), "on the bootnode");
    let moved = tree
        .find("Validator")
        .expect("moved to top level and renamed");
    assert_eq!(moved.id, done.moved);
    assert_eq!(moved.parent_id(), None);
    assert!(tree.index_of(&done.deleted).is_none());
    assert_eq!(tree.len(), 3);
    assert_eq!(done.tree, tree.render());
}

#[test]
fn incidents_example_opens_updates_and_resolves() {
    let (emulator, client, page) = setup();
    let done = incidents::run(&client, &page).unwrap();
    let incident = client
        .send(api::incidents::get(&page, &done.incident))
        .unwrap();
    assert_eq!(incident.status, IncidentStatus::Resolved);
    assert!(!incident.is_open());
    assert_eq!(incident.name.as_str(), "Execution client down");
    let component = client
        .send(api::components::get(&page, &done.component))
        .unwrap();
    assert_eq!(component.status, ComponentStatus::Operational);
    let ops = operations(&emulator);
    assert_eq!(
        ops.iter().filter(|o| *o == "CreateIncidentUpdate").count(),
        2,
        "{ops:?}"
    );
}

#[test]
fn maintenances_example_schedules_moves_and_completes() {
    let (emulator, client, page) = setup();
    let done = maintenances::run(&client, &page).unwrap();
    let ops = operations(&emulator);
    let m = client
        .send(api::maintenances::get(&page, &done.maintenance))
        .unwrap();
    assert_eq!(m.status, MaintenanceStatus::Completed);
    assert_eq!(m.duration, Some(180));
    let component = client
        .send(api::components::get(&page, &done.component))
        .unwrap();
    assert_eq!(component.status, ComponentStatus::Operational);
    assert_eq!(
        ops,
        [
            "CreateComponent",
            "CreateMaintenance",
            "UpdateMaintenance",
            "CreateMaintenanceUpdate",
            "CreateMaintenanceUpdate"
        ]
    );
}

#[test]
fn subscribers_example_adds_searches_and_removes() {
    let (_emulator, client, page) = setup();
    let done = subscribers::run(&client, &page).unwrap();
    assert_eq!(done.found, 1);
    let left = client.list_all(api::subscribers::list(&page)).unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].id, done.kept);
    assert_eq!(left[0].email.as_deref(), Some("ops@ephemery.dev"));
    assert_ne!(done.kept, done.removed);
}

#[test]
fn templates_example_opens_and_resolves_from_a_template() {
    let (emulator, client, page) = setup();
    let done = templates::run(&client, &page).unwrap();
    let ops = operations(&emulator);
    assert!(
        ops.contains(&"CreateIncidentFromTemplate".to_owned()),
        "{ops:?}"
    );
    assert!(
        ops.contains(&"ResolveIncidentWithTemplate".to_owned()),
        "{ops:?}"
    );
    let template = client
        .send(api::templates::get(&page, &done.template))
        .unwrap();
    assert_eq!(template.name.as_str(), "Node down");
    let incident = client
        .send(api::incidents::get(&page, &done.incident))
        .unwrap();
    assert_eq!(
        incident.status,
        IncidentStatus::Resolved,
        "resolved with Node back"
    );
    assert_eq!(incident.updates.len(), 2);
    let component = client
        .send(api::components::get(&page, &done.component))
        .unwrap();
    assert_eq!(component.status, ComponentStatus::Operational);
}

#[test]
fn metrics_example_posts_three_points() {
    let (_emulator, client, page) = setup();
    let done = metrics::run(&client, &page).unwrap();
    assert_eq!(done.points, 3);
    let metric = client.send(api::metrics::get(&page, &done.metric)).unwrap();
    assert_eq!(metric.data.len(), 3);
    assert_eq!(metric.suffix.as_deref(), Some("sec"));
}

#[test]
fn team_example_invites_and_removes() {
    let (emulator, client, page) = setup();
    let done = team::run(&client, &page).unwrap();
    assert_eq!(
        operations(&emulator),
        ["AddTeammate", "ListTeam", "RemoveTeammate"]
    );
    assert!(client
        .list_all(api::team::list(&page))
        .unwrap()
        .iter()
        .all(|m| m.id != done.member && m.user.email != "oncall@ephemery.dev"));
}
