//! The client against the emulator, for every operation in the table: each request body and each
//! raw response is checked against the spec (minus the listed deviations), then decoded into the
//! model type the client returns.

use crate::support;

use std::collections::BTreeSet;

use instatus::api::components::{CreateComponentRequest, UpdateComponentRequest};
use instatus::api::incidents::{
    CreateIncidentRequest, CreateIncidentUpdateRequest, UpdateIncidentRequest,
    UpdateIncidentUpdateRequest,
};
use instatus::api::maintenances::{
    CreateMaintenanceRequest, CreateMaintenanceUpdateRequest, UpdateMaintenanceRequest,
    UpdateMaintenanceUpdateRequest,
};
use instatus::api::metrics::{
    AddDatapointRequest, AddMetricRequest, AddMultipleDatapointsRequest, UpdateMetricRequest,
};
use instatus::api::pages::{CreateStatusPageRequest, UpdateStatusPageRequest};
use instatus::api::subscribers::AddSubscriberRequest;
use instatus::api::team::AddTeammateRequest;
use instatus::api::templates::{CreateTemplateRequest, UpdateTemplateRequest};
use instatus::api::{self, deviations::Side, Call, ComponentStatusEntry, Op};

use instatus::model::*;
use instatus::Client;
use instatus_emulator::{Config, Emulator};
use serde::de::DeserializeOwned;
use serde_json::Value;
use support::openapi::Spec;

struct Harness {
    client: Client,
    spec: Spec,
    covered: BTreeSet<Op>,
    base: String,
}

impl Harness {
    /// Sends `call`, checks both directions against the spec, decodes the answer into `T`.
    fn run<T: DeserializeOwned>(&mut self, call: Call<T>) -> T {
        let op = call.op();
        let raw: Value = if op.needs_auth() {
            self.client.send(call.clone().cast::<Value>())
        } else {
            self.client
                .send_public(&self.base, call.clone().cast::<Value>())
        }
        .unwrap_or_else(|e| panic!("{}: {e}", op.name()));
        if let (Some(schema), Some(body)) = (self.spec.request_schema(op), call.body()) {
            let problems = self.spec.violations(op, Side::Request, schema, body);
            assert!(problems.is_empty(), "{} request: {problems:#?}", op.name());
        }
        let schema = match op {
            // Not in the spec: the nested list holds Components.
            Op::ListComponentTree => Some(serde_json::json!({
                "type": "array", "items": {"$ref": "#/components/schemas/Component"}
            })),
            _ => self.spec.response_schema(op).cloned(),
        };
        if let Some(schema) = schema {
            let problems = self.spec.violations(op, Side::Response, &schema, &raw);
            assert!(
                problems.is_empty(),
                "{} response: {problems:#?}\n{raw:#}",
                op.name()
            );
        } else {
            assert!(
                op.not_in_spec().is_some(),
                "{} has no response schema",
                op.name()
            );
        }
        self.covered.insert(op);
        serde_path_to_error::deserialize(raw)
            .unwrap_or_else(|e| panic!("{}: {} at {}", op.name(), e.inner(), e.path()))
    }

    fn list<T: DeserializeOwned>(&mut self, list: api::ListCall<T>) -> Vec<T> {
        self.run(list.page(1))
    }
}

#[test]
fn every_operation_against_the_emulator() {
    let emulator = Emulator::start(Config::default()).unwrap();
    let page = PageId::new(emulator.create_page("ephemery", "Ephemery Status"));
    let mut h = Harness {
        client: Client::builder(emulator.api_key())
            .base_url(emulator.url())
            .build()
            .unwrap(),
        spec: Spec::load(),
        covered: BTreeSet::new(),
        base: emulator.url(),
    };

    // Account and pages.
    let me = h.run(api::user::get());
    assert!(!me.email.is_empty());
    assert!(h.list(api::pages::list()).iter().any(|p| p.id == page));
    let scratch = h.run(api::pages::create(&CreateStatusPageRequest::new(
        "ops@ephemery.dev",
        "Scratch",
        "scratch-page",
    )));
    let mut settings = UpdateStatusPageRequest::default();
    settings.custom_domain = Some("status.scratch.example".into());
    settings.settings.brand_color = Some("#111827".into());
    let updated = h.run(api::pages::update(&scratch.id, &settings));
    assert_eq!(updated.name_str(), "Scratch");
    assert_eq!(
        updated.custom_domain.as_deref(),
        Some("status.scratch.example")
    );

    // Components and groups.
    let group = h.run(api::components::create(
        &page,
        &CreateComponentRequest::new("Ethereum Services"),
    ));
    let child = h.run(api::components::create(
        &page,
        &CreateComponentRequest::new("Execution Client").in_group(group.id.clone()),
    ));
    assert_eq!(
        child.parent_id(),
        Some(&group.id),
        "create takes `group`, reads give `groupId`"
    );
    let network = h.run(api::components::create(
        &page,
        &CreateComponentRequest::new("Network"),
    ));
    let flat = ComponentTree::from_components(h.list(api::components::list(&page)));
    let nested_list = h.list(api::components::list_tree(&page));
    assert!(
        nested_list.iter().all(|c| c.group_id.is_none()),
        "v2 lists top level only"
    );
    let nested = ComponentTree::from_components(nested_list);
    assert_eq!(flat.render(), nested.render());
    assert_eq!(
        h.run(api::components::get(&page, &child.id)).name.as_str(),
        "Execution Client"
    );
    let moved = h.run(api::components::update(
        &page,
        &network.id,
        &UpdateComponentRequest::default().move_to(Some(group.id.clone())),
    ));
    assert_eq!(moved.parent_id(), Some(&group.id));
    let back = h.run(api::components::update(
        &page,
        &network.id,
        &UpdateComponentRequest::default().move_to(None),
    ));
    assert_eq!(back.parent_id(), None);
    let degraded = h.run(api::components::update(
        &page,
        &child.id,
        &UpdateComponentRequest::status(ComponentStatus::DegradedPerformance),
    ));
    assert_eq!(degraded.status, ComponentStatus::DegradedPerformance);
    let mut rename = UpdateComponentRequest::default();
    rename.description = Some("geth".into());
    let kept = h.run(api::components::update(&page, &child.id, &rename));
    assert_eq!(
        kept.status,
        ComponentStatus::DegradedPerformance,
        "no status in the body keeps it"
    );

    // Templates.
    let mut tpl = CreateTemplateRequest::new(
        TemplateType::Incident,
        "ephemery",
        "Node down",
        "We are looking into it.",
        TemplateStatus::Investigating,
    );
    tpl.components = vec![ComponentStatusEntry::new(
        child.id.clone(),
        ComponentStatus::MajorOutage,
    )];
    let template = h.run(api::templates::create(&page, &tpl));
    assert!(h
        .list(api::templates::list(&page))
        .iter()
        .any(|t| t.id == template.id));
    h.run(api::templates::get(&page, &template.id));
    let mut tpl_update = UpdateTemplateRequest::default();
    tpl_update.notify = Some(false);
    h.run(api::templates::update(&page, &template.id, &tpl_update));

    // Incidents: statuses drive component status.
    let mut open =
        CreateIncidentRequest::new("Execution client stalled", IncidentStatus::Investigating)
            .affect(ComponentStatusEntry::new(
                child.id.clone(),
                ComponentStatus::PartialOutage,
            ));
    open.message = Some("Blocks are not advancing.".into());
    let incident = h.run(api::incidents::create(&page, &open));
    assert_eq!(
        h.run(api::components::get(&page, &child.id)).status,
        ComponentStatus::PartialOutage
    );
    assert!(h
        .list(api::incidents::list_open(&page))
        .iter()
        .any(|i| i.id == incident.id));
    h.run(api::incidents::get(&page, &incident.id));
    let mut rename = UpdateIncidentRequest::default();
    rename.name = Some("Execution client stalled at block 1.2M".into());
    h.run(api::incidents::update(&page, &incident.id, &rename));
    let mut monitoring = CreateIncidentUpdateRequest::new(IncidentStatus::Monitoring);
    monitoring.message = Some("Restarted; watching.".into());
    let update = h.run(api::incidents::create_update(
        &page,
        &incident.id,
        &monitoring,
    ));
    h.run(api::incidents::get_update(&page, &incident.id, &update.id));
    let mut edit = UpdateIncidentUpdateRequest::default();
    edit.message = Some("Restarted geth; watching.".into());
    h.run(api::incidents::edit_update(
        &page,
        &incident.id,
        &update.id,
        &edit,
    ));
    h.run(api::incidents::delete_update(
        &page,
        &incident.id,
        &update.id,
    ));
    let resolve = CreateIncidentUpdateRequest::new(IncidentStatus::Resolved).affect(
        ComponentStatusEntry::new(child.id.clone(), ComponentStatus::Operational),
    );
    h.run(api::incidents::create_update(&page, &incident.id, &resolve));
    let resolved = h.run(api::incidents::get(&page, &incident.id));
    assert!(resolved.resolved.is_some() && !resolved.is_open());
    assert_eq!(
        h.run(api::components::get(&page, &child.id)).status,
        ComponentStatus::Operational
    );
    let from_template = h.run(api::incidents::create_from_template(&page, "Node down"));
    h.run(api::incidents::resolve_with_template(
        &page,
        &from_template.id,
        "Node down",
    ));
    h.run(api::incidents::delete(&page, &from_template.id));

    // Maintenances.
    let start: jiff::Timestamp = "2030-01-01T10:00:00Z".parse().unwrap();
    let end: jiff::Timestamp = "2030-01-01T11:30:00Z".parse().unwrap();
    let mut window = CreateMaintenanceRequest::new("Client upgrade", start, end);
    window.components = vec![child.id.clone()];
    let maintenance = h.run(api::maintenances::create(&page, &window));
    assert_eq!(maintenance.duration, Some(90));
    assert_eq!(maintenance.end(), Some(end));
    assert!(h
        .list(api::maintenances::list(&page))
        .iter()
        .any(|m| m.id == maintenance.id));
    h.run(api::maintenances::get(&page, &maintenance.id));
    h.run(api::maintenances::update(&page, &maintenance.id, &{
        let mut u = UpdateMaintenanceRequest::from_maintenance(&maintenance, "Rescheduled.")
            .expect("the maintenance has a start and a duration");
        u.duration = 120;
        u
    }));
    let mut started = CreateMaintenanceUpdateRequest::new(MaintenanceStatus::InProgress);
    started.message = Some("Started.".into());
    let m_update = h.run(api::maintenances::create_update(
        &page,
        &maintenance.id,
        &started,
    ));
    assert_eq!(
        h.run(api::components::get(&page, &child.id)).status,
        ComponentStatus::UnderMaintenance
    );
    h.run(api::maintenances::get_update(
        &page,
        &maintenance.id,
        &m_update.id,
    ));
    let mut m_edit = UpdateMaintenanceUpdateRequest::default();
    m_edit.message = Some("Started the upgrade.".into());
    h.run(api::maintenances::edit_update(
        &page,
        &maintenance.id,
        &m_update.id,
        &m_edit,
    ));
    h.run(api::maintenances::delete_update(
        &page,
        &maintenance.id,
        &m_update.id,
    ));
    h.run(api::maintenances::delete(&page, &maintenance.id));

    // Subscribers.
    let mut sub = AddSubscriberRequest::default();
    sub.email = Some("ops@ephemery.dev".into());
    let subscriber = h.run(api::subscribers::add(&page, &sub));
    assert_eq!(h.list(api::subscribers::search(&page, "ops@")).len(), 1);
    h.run(api::subscribers::remove(&page, &subscriber.id));
    assert!(h.list(api::subscribers::list(&page)).is_empty());

    // Metrics.
    let metric = h.run(api::metrics::create(
        &page,
        &AddMetricRequest::new("Block time", "s"),
    ));
    assert!(h
        .list(api::metrics::list(&page))
        .iter()
        .any(|m| m.id == metric.id));
    let mut m = UpdateMetricRequest::default();
    m.suffix = Some("ms".into());
    h.run(api::metrics::update(&page, &metric.id, &m));
    h.run(api::metrics::add_datapoint(
        &page,
        &metric.id,
        &AddDatapointRequest::new(1_795_609_929_000, 12.5),
    ));
    let many = AddMultipleDatapointsRequest::new(vec![
        AddDatapointRequest::new(1_795_609_959_000, 12.1),
        AddDatapointRequest::new(1_795_609_989_000, 11.8),
    ]);
    h.run(api::metrics::add_datapoints(&page, &metric.id, &many));
    assert_eq!(h.run(api::metrics::get(&page, &metric.id)).data.len(), 3);
    h.run(api::metrics::delete_datapoints(&page, &metric.id));
    h.run(api::metrics::delete(&page, &metric.id));

    // Team.
    h.run(api::team::add(
        &page,
        &AddTeammateRequest::new("dev@ephemery.dev", TeammatePermission::Write),
    ));
    let member = h
        .list(api::team::list(&page))
        .into_iter()
        .find(|t| t.user.email == "dev@ephemery.dev")
        .expect("the invited teammate is listed");
    h.run(api::team::remove(&page, &member.id));

    // Public views.
    let summary = h.run(api::public::summary());
    assert_eq!(summary.page.name, "Ephemery Status");
    let public = h.run(api::public::components());
    assert!(public
        .components
        .iter()
        .any(|c| c.name == "Execution Client"
            && c.group.as_ref().map(|g| g.name.as_str()) == Some("Ethereum Services")));

    // Cron monitors (not in the spec: decoded, no schema to check).
    let cron = h.run(api::monitors::create(
        &api::monitors::CreateCronMonitorRequest::new(&page, "Heartbeat", 180, 180),
    ));
    let listed = h.run(api::monitors::list(&page, 1));
    assert!(listed
        .cron_monitors
        .iter()
        .any(|m| m.id == cron.cron_monitor.id && m.slug == cron.cron_monitor.slug));
    let changed = h.run(api::monitors::update(
        &cron.cron_monitor.id,
        &api::monitors::UpdateCronMonitorRequest::new().period(300),
    ));
    assert_eq!(changed.cron_monitor.period, Some(300));

    // Deletes.
    h.run(api::templates::delete(&page, &template.id));
    let gone = h.run(api::components::delete(&page, &group.id));
    assert_eq!(gone.id, group.id.as_str());
    let orphan = h.run(api::components::get(&page, &child.id));
    assert_eq!(
        orphan.parent_id(),
        None,
        "deleting a group keeps its children"
    );
    h.run(api::pages::delete(&scratch.id));

    let missing: Vec<&str> = Op::ALL
        .iter()
        .filter(|op| !h.covered.contains(op))
        .map(|op| op.name())
        .collect();
    assert!(missing.is_empty(), "operations not exercised: {missing:?}");

    // What the emulator received is what the spec describes, too.
    for record in emulator.requests() {
        let method = instatus::api::Method::parse(&record.method).unwrap();
        let (op, _) =
            Op::route(method, &record.path).expect("every request routes to an operation");
        if let (Some(schema), Some(body)) = (h.spec.request_schema(op), record.body.as_ref()) {
            let problems = h.spec.violations(op, Side::Request, schema, body);
            assert!(
                problems.is_empty(),
                "{} as received: {problems:#?}",
                op.name()
            );
        }
    }
}

#[test]
fn pagination_walks_every_page() {
    let emulator = Emulator::start(Config::default()).unwrap();
    let page = PageId::new(emulator.create_page("big", "Big"));
    let client = Client::builder(emulator.api_key())
        .base_url(emulator.url())
        .build()
        .unwrap();
    for i in 0..230 {
        client
            .send(api::components::create(
                &page,
                &CreateComponentRequest::new(format!("c{i:03}")),
            ))
            .unwrap();
    }
    emulator.clear_requests();
    let all = client.list_all(api::components::list(&page)).unwrap();
    assert_eq!(all.len(), 230);
    let ids: BTreeSet<_> = all.iter().map(|c| c.id.clone()).collect();
    assert_eq!(ids.len(), 230, "no item twice");
    let queries: Vec<String> = emulator.requests().into_iter().map(|r| r.query).collect();
    assert_eq!(
        queries,
        [
            "page=1&per_page=100",
            "page=2&per_page=100",
            "page=3&per_page=100"
        ]
    );

    // An exact multiple of the page size needs one more (empty) page to know it ended.
    emulator.clear_requests();
    let fifties = client
        .list_all(api::components::list(&page).per_page(46))
        .unwrap();
    assert_eq!(fifties.len(), 230);
    assert_eq!(emulator.requests().len(), 6);

    // The API caps per_page at 100; asking for more is clamped by the client too.
    assert_eq!(api::components::list(&page).per_page(500).page_size(), 100);
}
