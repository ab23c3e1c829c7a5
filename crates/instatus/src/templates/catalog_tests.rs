//! Unit tests of `catalog.rs` (kept beside it so the code file reads as one concept).

use super::*;
use crate::status::Level;

fn now() -> jiff::Timestamp {
    "2026-12-07T14:30:00Z".parse().unwrap()
}

fn vars(level: Level) -> MessageVars {
    MessageVars::incident("Ethereum Services/Execution Client", level, now())
        .started("2026-12-07T14:05:00Z".parse().unwrap())
}

fn one(kind: &str, set: MessageSet) -> BTreeMap<String, MessageSet> {
    BTreeMap::from([(kind.to_owned(), set)])
}

#[test]
fn types_override_only_the_parts_they_name() {
    let c = MessageCatalog::builtin();
    let v = vars(Level::PartialOutage);
    let n = c.render("partial_outage", Stage::Opened, &v).unwrap();
    assert_eq!(n.title, "Execution Client is partly down");
    assert_eq!(
        n.message,
        "Execution Client has been partly down since 14:05 UTC: parts of it are not working. \
             We are looking into it."
    );
    // partial_outage has no `reopened`: the default's, with the level's words.
    assert_eq!(
        c.render("partial_outage", Stage::Reopened, &v)
            .unwrap()
            .message,
        "Execution Client is partly down again, so we have reopened this incident. We are \
             looking into it."
    );
    // An unknown type is the default.
    assert_eq!(
        c.render("disk_full", Stage::Opened, &v).unwrap().message,
        "Execution Client has been partly down since 14:05 UTC. We are looking into it."
    );
    let types: Vec<&str> = c.types().collect();
    assert_eq!(
        types,
        [
            "default",
            "degraded_performance",
            "maintenance",
            "major_outage",
            "partial_outage"
        ]
    );
}

#[test]
fn configured_sets_layer_over_the_builtins() {
    let mut sets = one(
        "major_outage",
        MessageSet::default().with_title("{{ name }} DOWN"),
    );
    sets.insert(
        "disk_full".to_owned(),
        MessageSet::default().with(Stage::Opened, "{{ name }}: disk {{ disk }} is full"),
    );
    // `disk` is not a variable: refused when the catalog is built, with its place.
    let e = MessageCatalog::new(sets.clone()).unwrap_err();
    assert_eq!(e.at, "templates.disk_full.opened");
    assert!(
        matches!(&e.error, RenderError::UnknownVariable { name, .. } if name == "disk"),
        "{e}"
    );
    sets.insert(
        "disk_full".to_owned(),
        MessageSet::default().with(
            Stage::Opened,
            "{{ name }}: disk {{ extra.disk | default('?') }} is full",
        ),
    );
    let c = MessageCatalog::new(sets).unwrap();
    let n = c
        .render("major_outage", Stage::Opened, &vars(Level::MajorOutage))
        .unwrap();
    assert_eq!(n.title, "Execution Client DOWN");
    // The built-in message is kept.
    assert_eq!(
        n.message,
        "Execution Client has been down since 14:05 UTC. We are looking into it."
    );
    let n = c
        .render(
            "disk_full",
            Stage::Opened,
            &vars(Level::MajorOutage).extra("disk", "/data"),
        )
        .unwrap();
    assert_eq!(n.message, "Execution Client: disk /data is full");
    // The default title, since disk_full has none.
    assert_eq!(n.title, "Execution Client is down");
}

#[test]
fn a_typo_in_a_branch_the_samples_do_not_take_is_still_refused() {
    let sets = one(
        "default",
        MessageSet::default()
            .with_title("{% if stage == 'never' %}{{ nmae }}{% endif %}{{ name }}"),
    );
    let e = MessageCatalog::new(sets).unwrap_err();
    assert_eq!(e.at, "templates.default.title");
    assert!(
        e.to_string()
            .contains("uses nmae, which is not a variable here; the variables are: stage, name"),
        "{e}"
    );
}

#[test]
fn loops_sets_and_globals_are_not_unknown_variables() {
    let source = "{% set n = summaries | length %}{% for s in summaries %}{{ loop.index }}. \
                      {{ s }}{% endfor %}{{ n }}{% for i in range(2) %}{{ i }}{% endfor %}\
                      {% set ns = namespace(x=1) %}{{ ns.x }}{{ links.grafana | default('-') }}";
    let c =
        MessageCatalog::new(one("x", MessageSet::default().with(Stage::Opened, source))).unwrap();
    let v = vars(Level::MajorOutage).summary("a").summary("b");
    assert_eq!(
        c.render("x", Stage::Opened, &v).unwrap().message,
        "1. a2. b2011-"
    );
}

#[test]
fn syntax_errors_and_bad_names_name_the_template() {
    let e =
        MessageCatalog::new(one("x", MessageSet::default().with_title("{{ name "))).unwrap_err();
    assert_eq!(e.at, "templates.x.title");
    assert!(matches!(e.error, RenderError::Syntax(_)), "{e}");
    let e = MessageCatalog::new(one("a.b", MessageSet::default())).unwrap_err();
    assert_eq!(
        e.to_string(),
        "templates.a.b: 'a.b' is not a type name: it must be non-empty and without '.'"
    );
}

#[test]
fn a_configured_template_that_loops_forever_is_refused_when_the_catalog_is_built() {
    let sets = one(
        "major_outage",
        MessageSet::default().with(
            Stage::Opened,
            "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}",
        ),
    );
    let e = MessageCatalog::new(sets).unwrap_err();
    assert_eq!(e.at, "templates.major_outage.opened");
    assert!(matches!(e.error, RenderError::OutOfFuel), "{e}");
}

#[test]
fn the_engine_templates_override_only_what_a_configuration_changed() {
    let engine = crate::status::Templates::default();
    assert_eq!(MessageSet::from(&engine), MessageSet::default());
    let changed = crate::status::Templates {
        title: "{{ name }}: {{ level }}!".into(),
        ..engine
    };
    let set = MessageSet::from(&changed);
    assert_eq!(set.title.as_deref(), Some("{{ name }}: {{ level }}!"));
    assert_eq!(set.parts().count(), 1);
    let c = MessageCatalog::new(one(DEFAULT_TYPE, set)).unwrap();
    let n = c
        .render("major_outage", Stage::Opened, &vars(Level::MajorOutage))
        .unwrap();
    assert_eq!(n.title, "Execution Client: major outage!");
    // Maintenance titles keep theirs.
    let m = MessageVars::maintenance(["A/B"], now(), now(), now());
    assert_eq!(
        c.render("maintenance", Stage::Started, &m).unwrap().title,
        "Maintenance of B"
    );
}

#[test]
fn a_catalog_is_shared_between_threads() {
    fn shared<T: Send + Sync>(_: &T) {}
    shared(&MessageCatalog::builtin());
    let c = std::sync::Arc::new(MessageCatalog::builtin());
    let t = std::thread::spawn({
        let c = c.clone();
        move || {
            c.render("major_outage", Stage::Opened, &vars(Level::MajorOutage))
                .unwrap()
        }
    });
    assert_eq!(t.join().unwrap().title, "Execution Client is down");
}

#[test]
fn markdown_is_not_escaped() {
    let c = MessageCatalog::builtin();
    let n = c
        .render(
            "major_outage",
            Stage::Opened,
            &MessageVars::incident("A & B/<geth>", Level::MajorOutage, now())
                .link("grafana", "https://g/d?a=1&b=2"),
        )
        .unwrap();
    assert!(
        n.message.starts_with("<geth> has been down"),
        "{}",
        n.message
    );
    assert!(
        n.message.ends_with("Dashboard: https://g/d?a=1&b=2"),
        "{}",
        n.message
    );
}

#[test]
fn stages_parse_and_follow_the_engine_steps() {
    assert_eq!(Stage::parse("opened").unwrap(), Stage::Opened);
    let e = Stage::parse("open").unwrap_err();
    assert!(e.to_string().contains("allowed: opened, updated"), "{e}");
    assert_eq!(Stage::of_step(IncidentStep::Relapsed), Stage::Reopened);
    assert_eq!(Stage::of_step(IncidentStep::LevelChanged), Stage::Updated);
    let set: MessageSet = serde_json::from_value(serde_json::json!({"title": "x"})).unwrap();
    assert_eq!(set.title.as_deref(), Some("x"));
    assert!(serde_json::from_value::<MessageSet>(serde_json::json!({"titel": "x"})).is_err());
}
