//! What the client puts on the wire: method, path, query and body of typical calls, as snapshots,
//! each body checked against the spec's request schema.

use crate::support;

use instatus::api::components::{CreateComponentRequest, UpdateComponentRequest};
use instatus::api::incidents::{CreateIncidentRequest, CreateIncidentUpdateRequest};
use instatus::api::maintenances::{CreateMaintenanceRequest, CreateMaintenanceUpdateRequest};
use instatus::api::metrics::{AddDatapointRequest, AddMultipleDatapointsRequest};
use instatus::api::pages::{CreateStatusPageRequest, UpdateStatusPageRequest};
use instatus::api::subscribers::AddSubscriberRequest;
use instatus::api::team::AddTeammateRequest;
use instatus::api::templates::CreateTemplateRequest;
use instatus::api::{self, deviations::Side, ComponentStatusEntry};

use instatus::model::*;
use serde_json::{json, Value};
use support::openapi::Spec;

fn wire<T>(call: api::Call<T>) -> Value {
    let spec = Spec::load();
    if let (Some(schema), Some(body)) = (spec.request_schema(call.op()), call.body()) {
        let problems = spec.violations(call.op(), Side::Request, schema, body);
        assert!(problems.is_empty(), "{}: {problems:#?}", call.op().name());
    }
    json!({
        "method": call.method().as_str(),
        "path": call.path(),
        "query": call.query_params(),
        "body": call.body(),
    })
}

fn ts(s: &str) -> jiff::Timestamp {
    s.parse().unwrap()
}

#[test]
fn request_bodies() {
    let page = PageId::new("ckpage");
    let group = ComponentId::new("ckgroup");
    let comp = ComponentId::new("ckcomp");

    let mut new_page =
        CreateStatusPageRequest::new("ops@ephemery.dev", "Ephemery Status", "ephemery");
    new_page.settings.brand_color = Some("#111827".into());
    new_page.settings.twilio_token = Some("twilio-secret".into());
    insta::assert_json_snapshot!("create_page", wire(api::pages::create(&new_page)));

    let mut page_update = UpdateStatusPageRequest::default();
    page_update.custom_domain = Some("status.ephemery.xyz".into());
    page_update.settings.logo_url = Some("https://ephemery.dev/logo.png".into());
    insta::assert_json_snapshot!("update_page", wire(api::pages::update(&page, &page_update)));

    let mut child = CreateComponentRequest::new("Execution Client").in_group(group.clone());
    child.description = Some("geth".into());
    child.show_uptime = Some(true);
    insta::assert_json_snapshot!(
        "create_component_in_group",
        wire(api::components::create(&page, &child))
    );

    let status_only = UpdateComponentRequest::status(ComponentStatus::DegradedPerformance);
    insta::assert_json_snapshot!(
        "update_component_status",
        wire(api::components::update(&page, &comp, &status_only))
    );

    let reparent = UpdateComponentRequest::default().move_to(None);
    insta::assert_json_snapshot!(
        "move_component_to_top_level",
        wire(api::components::update(&page, &comp, &reparent))
    );

    let mut incident = CreateIncidentRequest::new(
        "Consensus client out of sync",
        IncidentStatus::Investigating,
    )
    .affect(ComponentStatusEntry::new(
        comp.clone(),
        ComponentStatus::PartialOutage,
    ));
    incident.message = Some("Sync distance above 1000 slots.".into());
    incident.notify = Some(true);
    incident.started = Some(ts("2026-11-24T09:30:00Z"));
    insta::assert_json_snapshot!(
        "create_incident",
        wire(api::incidents::create(&page, &incident))
    );

    let mut resolve = CreateIncidentUpdateRequest::new(IncidentStatus::Resolved).affect(
        ComponentStatusEntry::new(comp.clone(), ComponentStatus::Operational),
    );
    resolve.message = Some("Back in sync.".into());
    insta::assert_json_snapshot!(
        "resolve_incident",
        wire(api::incidents::create_update(
            &page,
            &IncidentId::new("ckinc"),
            &resolve
        ))
    );

    insta::assert_json_snapshot!(
        "list_open_incidents",
        wire(api::incidents::list_open(&page).page(2))
    );
    insta::assert_json_snapshot!(
        "incident_from_template",
        wire(api::incidents::create_from_template(&page, "Node down"))
    );

    let mut maintenance = CreateMaintenanceRequest::new(
        "Client upgrade",
        ts("2026-11-26T14:00:00Z"),
        ts("2026-11-26T15:00:00Z"),
    );
    maintenance.components = vec![comp.clone()];
    maintenance.auto_start = true;
    maintenance.auto_end = true;
    maintenance.duration = Some(60);
    insta::assert_json_snapshot!(
        "create_maintenance",
        wire(api::maintenances::create(&page, &maintenance))
    );

    let mut done = CreateMaintenanceUpdateRequest::new(MaintenanceStatus::Completed);
    done.message = Some("Upgrade finished.".into());
    insta::assert_json_snapshot!(
        "complete_maintenance",
        wire(api::maintenances::create_update(
            &page,
            &MaintenanceId::new("ckmnt"),
            &done
        ))
    );

    let mut sub = AddSubscriberRequest::default();
    sub.webhook = Some("https://hooks.ephemery.dev/instatus".into());
    sub.webhook_email = Some("ops@ephemery.dev".into());
    sub.components = Some(vec![comp.clone()]);
    sub.all = Some(false);
    insta::assert_json_snapshot!(
        "add_webhook_subscriber",
        wire(api::subscribers::add(&page, &sub))
    );
    insta::assert_json_snapshot!(
        "search_subscribers",
        wire(api::subscribers::search(&page, "ops@").page(1))
    );

    let mut tpl = CreateTemplateRequest::new(
        TemplateType::Incident,
        "ephemery",
        "Node down",
        "Looking into it.",
        TemplateStatus::Investigating,
    );
    tpl.components = vec![ComponentStatusEntry::new(
        comp.clone(),
        ComponentStatus::MajorOutage,
    )];
    insta::assert_json_snapshot!("create_template", wire(api::templates::create(&page, &tpl)));

    let points = AddMultipleDatapointsRequest::new(vec![
        AddDatapointRequest::new(1_795_609_929_000, 12.1),
        AddDatapointRequest::new(1_795_609_959_000, 11.9),
    ]);
    insta::assert_json_snapshot!(
        "add_datapoints",
        wire(api::metrics::add_datapoints(
            &page,
            &MetricId::new("ckmet"),
            &points
        ))
    );

    insta::assert_json_snapshot!(
        "add_teammate",
        wire(api::team::add(
            &page,
            &AddTeammateRequest::new("ops@ephemery.dev", TeammatePermission::Write)
        ))
    );
}

#[test]
fn secrets_in_bodies_never_show_in_debug() {
    let mut new_page = CreateStatusPageRequest::new("ops@ephemery.dev", "Ephemery", "ephemery");
    new_page.settings.twilio_token = Some("twilio-secret".into());
    let call = api::pages::create(&new_page);
    assert!(!format!("{new_page:?}").contains("twilio-secret"));
    // The body itself must carry it: that is what the API needs.
    assert_eq!(call.body().unwrap()["twilioToken"], "twilio-secret");
}
