//! Issue 18: a template with 10^10 loop iterations hung `validate` and the `calendar`,
//! `ephemery_resets` and `maintenance` modules. Every renderer now uses the one environment
//! (`instatus::templates::environment`), so each such template stops at the fuel limit with an
//! error naming the field, within a second or two even in a debug build.

use std::time::{Duration, Instant};

use instatus::ephemery::WindowConfig;
use instatus::status::{impact_statement, ComponentConfig, DependencyGraph};
use instatus::templates::{MessageCatalog, MessageSet, Stage};

const TEN_BILLION: &str =
    "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}";

const STOPPED: &str = "stopped after 5000000 steps: the template does far more work than a \
text needs (a loop over a huge range?)";

fn quickly<T>(f: impl FnOnce() -> T) -> T {
    let started = Instant::now();
    let out = f();
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );
    out
}

#[test]
fn a_ten_billion_step_reset_window_title_no_longer_hangs_the_calendar_and_ephemery_resets() {
    let config = WindowConfig {
        name_template: TEN_BILLION.into(),
        ..WindowConfig::default()
    };
    let e = quickly(|| config.validate()).unwrap_err();
    assert_eq!(e.field, "name_template");
    assert!(e.message.ends_with(STOPPED), "{e}");
}

#[test]
fn a_ten_billion_step_impact_statement_no_longer_hangs_the_maintenance_module() {
    let graph = DependencyGraph::from_components(&[ComponentConfig {
        path: "Execution Client".into(),
        ..ComponentConfig::default()
    }])
    .unwrap();
    let e = quickly(|| {
        impact_statement::render(&graph.impact(&["Execution Client"]), Some(TEN_BILLION))
    })
    .unwrap_err();
    assert_eq!(e.to_string(), format!("template: {STOPPED}"));
}

#[test]
fn a_ten_billion_step_message_template_is_refused_when_the_catalog_is_built() {
    let sets = [(
        "major_outage".to_owned(),
        MessageSet::default().with(Stage::Opened, TEN_BILLION),
    )];
    let e = quickly(|| MessageCatalog::new(sets.into())).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!("templates.major_outage.opened: {STOPPED}")
    );
}

#[test]
fn a_message_template_that_writes_gigabytes_is_refused_when_the_catalog_is_built() {
    let sets = [(
        "major_outage".to_owned(),
        MessageSet::default().with(
            Stage::Opened,
            "{% for a in range(100000) %}{{ 'x' * 100000 }}{% endfor %}",
        ),
    )];
    let e = quickly(|| MessageCatalog::new(sets.into())).unwrap_err();
    assert_eq!(
        e.to_string(),
        "templates.major_outage.opened: stopped: the text is longer than 4194304 bytes"
    );
}
