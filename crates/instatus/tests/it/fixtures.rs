//! Parsing recorded shapes: every fixture parses into its model, and the parse is a snapshot.

use instatus::model::{
    Component, ComponentTree, Incident, Maintenance, Metric, PublicComponents, PublicSummary,
    StatusPage, Subscriber, Teammate, Template, UserProfile,
};
use serde::de::DeserializeOwned;

fn parse<T: DeserializeOwned>(path: &std::path::Path) -> T {
    let text = std::fs::read_to_string(path).unwrap();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    serde_path_to_error::deserialize(value)
        .unwrap_or_else(|e| panic!("{}: {} at {}", path.display(), e.inner(), e.path()))
}

#[test]
fn every_fixture_parses_into_its_model() {
    insta::glob!("../fixtures", "*.json", |path| {
        let name = path.file_stem().unwrap().to_str().unwrap();
        let parsed = match name {
            n if n.starts_with("components_") => format!("{:#?}", parse::<Vec<Component>>(path)),
            n if n.starts_with("page_") => format!("{:#?}", parse::<StatusPage>(path)),
            "pages_list" => format!("{:#?}", parse::<Vec<StatusPage>>(path)),
            "incident" => format!("{:#?}", parse::<Incident>(path)),
            "maintenance" => format!("{:#?}", parse::<Maintenance>(path)),
            "subscribers_list" => format!("{:#?}", parse::<Vec<Subscriber>>(path)),
            "metrics_list" => format!("{:#?}", parse::<Vec<Metric>>(path)),
            "template" => format!("{:#?}", parse::<Template>(path)),
            "team_list" => format!("{:#?}", parse::<Vec<Teammate>>(path)),
            "user" => format!("{:#?}", parse::<UserProfile>(path)),
            "summary" => format!("{:#?}", parse::<PublicSummary>(path)),
            "public_components" => format!("{:#?}", parse::<PublicComponents>(path)),
            other => panic!("fixture {other}.json has no model: add it to this match"),
        };
        insta::assert_snapshot!(parsed);
    });
}

#[test]
fn both_component_list_forms_build_the_same_hierarchy() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let flat = ComponentTree::from_components(parse::<Vec<Component>>(
        &dir.join("components_v1_flat.json"),
    ));
    let tree = ComponentTree::from_components(parse::<Vec<Component>>(
        &dir.join("components_v2_tree.json"),
    ));
    let child = "Ethereum Services/Execution Client";
    assert_eq!(
        flat.find(child).map(|c| &c.id),
        tree.find(child).map(|c| &c.id)
    );
    assert!(flat.find("Network").unwrap().is_archived());
}

#[test]
fn quirky_shapes_keep_their_meaning() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let page: StatusPage = parse(&dir.join("page_update_response.json"));
    assert_eq!(page.name_str(), "Ephemery Status");
    let short: StatusPage = parse(&dir.join("page_create_short.json"));
    assert_eq!(short.id.as_str(), "ckpage00000000000000000002");
    let incident: Incident = parse(&dir.join("incident.json"));
    assert_eq!(
        incident.components[0].status,
        Some(instatus::model::ComponentStatus::PartialOutage)
    );
    let maintenance: Maintenance = parse(&dir.join("maintenance.json"));
    assert_eq!(
        maintenance.end().unwrap().to_string(),
        "2026-11-26T15:00:00Z"
    );
    let public: PublicComponents = parse(&dir.join("public_components.json"));
    assert_eq!(public.components[0].status.as_str(), "MINOROUTAGE");
}
