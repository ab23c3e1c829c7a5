//! `ephemery.instatus.report`: writes uptime reports (Markdown, standalone HTML with 90-day SVG
//! bars, JSON) computed by `instatus::uptime` from the page's incident and maintenance history.
//! Reads the page (4 list requests); writes only local files, and only those whose content
//! differs. Check mode writes nothing; diff mode shows the figures that changed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use instatus::api;
use instatus::jiff::tz::TimeZone;
use instatus::jiff::Timestamp;
use instatus::uptime::report::{render, Colors, Format, Report, ReportOptions as Options, SlaSpec};
use instatus::uptime::sla::Target;
use instatus::uptime::{
    GroupRule, History, MaintenancePolicy, Method, MethodError, Weights, Window,
};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::common::{Api, CommonOptions};
use crate::protocol::{AnsibleModule, Context, Diff, Failure, Outcome, Rules};

/// The module.
pub struct ReportModule;

/// `maintenance`: what time under maintenance does to uptime.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum MaintenanceOption {
    /// Counts as up; an incident during it still counts (Instatus).
    #[default]
    CountAsUp,
    /// Left out of the window's time.
    Exclude,
    /// Counts as a major outage.
    CountAsDown,
}

/// `groups`: how a group's uptime follows its members.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum GroupOption {
    /// At each instant the worst member with data.
    #[default]
    Worst,
    /// The members' summed downtime over their summed time.
    Average,
}

/// Options of `ephemery.instatus.report`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ReportModuleOptions {
    /// Connection options.
    #[serde(flatten)]
    pub common: CommonOptions,

    /// A calendar month, `YYYY-MM`, or `previous` for the month before the current one.
    /// Mutually exclusive with `days`; one of them is required.
    pub month: Option<String>,

    /// A rolling window of this many days (1 to 3660) ending at `end`.
    pub days: Option<u16>,

    /// The end of the `days` window (RFC 3339, e.g. `2026-12-01T00:00:00Z`); the current time
    /// when omitted (then every run covers a different window and rewrites the files).
    pub end: Option<String>,

    /// Write the Markdown report to this path.
    pub markdown: Option<String>,

    /// Write the standalone HTML report (SVG uptime bars in the page's colours) to this path.
    pub html: Option<String>,

    /// Write the report as JSON to this path.
    pub json: Option<String>,

    /// Weight of a minute of major outage (0 to 1, at most three decimals).
    #[serde(default = "one")]
    pub major_outage_weight: f64,

    /// Weight of a minute of partial outage (Instatus: 0.3).
    #[serde(default = "partial")]
    pub partial_outage_weight: f64,

    /// Weight of a minute of degraded performance (Instatus: 0).
    #[serde(default)]
    pub degraded_performance_weight: f64,

    /// `count_as_up` (Instatus), `exclude` (out of the window's time) or `count_as_down`.
    #[serde(default)]
    pub maintenance: MaintenanceOption,

    /// `worst`: a group is at each instant its worst member; `average`: its members' average.
    #[serde(default)]
    pub groups: GroupOption,

    /// SLA targets in percent by component or group name (or `Group/Component` path), e.g.
    /// `{"Ethereum Services/Execution Client": 99.9}`.
    #[serde(default)]
    pub slas: BTreeMap<String, f64>,

    /// Days in the uptime bars (0 for none), ending with the window's last day.
    #[serde(default = "ninety")]
    pub bar_days: u16,

    /// Decimals of the percentages (0 to 6), rounded down.
    #[serde(default = "three")]
    pub decimals: u32,

    /// The time zone of months and days (IANA name).
    #[serde(default = "utc")]
    pub time_zone: String,

    /// The report's title; `Uptime report: <page name>` when omitted.
    pub title: Option<String>,
}

fn one() -> f64 {
    1.0
}
fn partial() -> f64 {
    0.3
}
fn ninety() -> u16 {
    90
}
fn three() -> u32 {
    3
}
fn utc() -> String {
    "UTC".into()
}

impl AnsibleModule for ReportModule {
    const NAME: &'static str = "report";
    type Options = ReportModuleOptions;
    const RULES: Rules = Rules {
        mutually_exclusive: &[&["month", "days"], &["month", "end"]],
        required_one_of: &[&["month", "days"], &["markdown", "html", "json"]],
        required_if: &[],
    };

    fn run(options: ReportModuleOptions, ctx: &mut Context) -> Result<Outcome, Failure> {
        let now = Timestamp::now();
        let (report_options, outputs) = plan(&options, now)?;
        Api::run(&options.common, ctx, |api, ctx| {
            let page = api.page()?;
            let id = page.id.clone();
            let components = api.list_all(api::components::list(&id))?;
            let incidents = api.list_all(api::incidents::list(&id))?;
            let maintenances = api.list_all(api::maintenances::list(&id))?;
            let history = History::from_api(&components, &incidents, &maintenances)
                .map_err(|e| Failure::new(e.to_string()))?;
            let report = Report::build(
                page.name_str(),
                Colors::of(&page),
                &history,
                &report_options,
                now,
            )
            .map_err(|e| Failure::new(e.to_string()))?;
            write(&report, &outputs, ctx)
        })
    }
}

/// The report options and the files, checked before any request.
fn plan(
    o: &ReportModuleOptions,
    now: Timestamp,
) -> Result<(Options, Vec<(Format, PathBuf)>), Failure> {
    let tz = TimeZone::get(&o.time_zone).map_err(|_| {
        Failure::new(format!(
            "time_zone: {:?} is not a known IANA time zone (e.g. UTC, Europe/Berlin)",
            o.time_zone
        ))
    })?;
    let (window, label) = window(o, now, &tz)?;
    let weights = Weights::from_fractions(o.major_outage_weight, o.partial_outage_weight, o.degraded_performance_weight)
        .map_err(|e| match e {
            MethodError::BadWeight { field, value } => Failure::new(format!(
                "{field}_weight: {value} is not a fraction from 0 to 1 with at most three decimals (e.g. 0.3)"
            )),
            MethodError::NotMonotone { .. } => Failure::new(format!(
                "degraded_performance_weight ({}) <= partial_outage_weight ({}) <= major_outage_weight ({}) must hold",
                o.degraded_performance_weight, o.partial_outage_weight, o.major_outage_weight
            )),
        })?;
    if o.decimals > 6 {
        return Err(Failure::new(format!(
            "decimals: {} is out of range; allowed: 0 to 6",
            o.decimals
        )));
    }
    if o.bar_days > 3660 {
        return Err(Failure::new(format!(
            "bar_days: {} is out of range; allowed: 0 to 3660",
            o.bar_days
        )));
    }
    let mut slas = Vec::new();
    for (component, target) in &o.slas {
        let target = Target::percent(*target)
            .map_err(|e| Failure::new(format!("slas[{component:?}]: {e}")))?;
        slas.push(SlaSpec {
            component: component.clone(),
            target,
        });
    }
    let mut options = Options::new(window);
    options.title = o.title.clone();
    options.window_label = Some(label);
    options.method = Method {
        unknown_level: Method::default().unknown_level,
        weights,
        maintenance: match o.maintenance {
            MaintenanceOption::CountAsUp => MaintenancePolicy::CountAsUp,
            MaintenanceOption::Exclude => MaintenancePolicy::Exclude,
            MaintenanceOption::CountAsDown => MaintenancePolicy::CountAsDown,
        },
        groups: match o.groups {
            GroupOption::Worst => GroupRule::Worst,
            GroupOption::Average => GroupRule::Average,
        },
    };
    options.time_zone = tz;
    options.bar_days = o.bar_days;
    options.decimals = o.decimals;
    options.slas = slas;
    let outputs = outputs(o)?;
    Ok((options, outputs))
}

/// The report's window and its label, from `month` or `days` (and `end`).
fn window(
    o: &ReportModuleOptions,
    now: Timestamp,
    tz: &TimeZone,
) -> Result<(Window, String), Failure> {
    Ok(match (&o.month, o.days) {
        (Some(m), _) => month(m, now, tz)?,
        (None, Some(days)) => {
            let end = match &o.end {
                Some(e) => e.parse::<Timestamp>().map_err(|_| {
                    Failure::new(format!(
                        "end: {e:?} is not an RFC 3339 time such as 2026-12-01T00:00:00Z"
                    ))
                })?,
                None => now,
            };
            if !(1..=3660).contains(&days) {
                return Err(Failure::new(format!(
                    "days: {days} is out of range; allowed: 1 to 3660"
                )));
            }
            let w = Window::rolling(
                end,
                instatus::jiff::SignedDuration::from_hours(24 * i64::from(days)),
            )
            .map_err(|e| Failure::new(format!("days: {e}")))?;
            (
                w,
                format!(
                    "{days} day{} to {}",
                    if days == 1 { "" } else { "s" },
                    end.to_zoned_datetime(tz.clone()).strftime("%Y-%m-%d %H:%M")
                ),
            )
        }
        (None, None) => return Err(Failure::new("one of month or days is required")),
    })
}

/// The files to write, each checked: its directory exists and it is not a directory.
fn outputs(o: &ReportModuleOptions) -> Result<Vec<(Format, PathBuf)>, Failure> {
    let mut outputs = Vec::new();
    for (format, path) in [
        (Format::Markdown, &o.markdown),
        (Format::Html, &o.html),
        (Format::Json, &o.json),
    ] {
        let Some(path) = path else { continue };
        let path = PathBuf::from(path);
        let parent = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        if !parent.is_dir() {
            return Err(Failure::new(format!(
                "{}: the directory {} does not exist",
                format_option(format),
                parent.display()
            )));
        }
        if path.is_dir() {
            return Err(Failure::new(format!(
                "{}: {} is a directory, not a file",
                format_option(format),
                path.display()
            )));
        }
        outputs.push((format, path));
    }
    Ok(outputs)
}

fn format_option(f: Format) -> &'static str {
    match f {
        Format::Markdown => "markdown",
        Format::Html => "html",
        Format::Json => "json",
    }
}

/// `YYYY-MM` or `previous`.
fn month(m: &str, now: Timestamp, tz: &TimeZone) -> Result<(Window, String), Failure> {
    let w = Window::parse_month(m, now, tz).map_err(|e| match e {
        instatus::uptime::WindowError::Calendar(why) => Failure::new(format!("month: {why}")),
        other => Failure::new(format!("month: {other}")),
    })?;
    let label = w
        .start
        .to_zoned_datetime(tz.clone())
        .strftime("%B %Y")
        .to_string();
    Ok((w, label))
}

/// Writes the files that differ (none in check mode); the diff holds each file's figures.
fn write(
    report: &Report,
    outputs: &[(Format, PathBuf)],
    ctx: &mut Context,
) -> Result<Outcome, Failure> {
    let mut files = Vec::new();
    let (mut before, mut after) = (String::new(), String::new());
    let mut changed_any = false;
    for (format, path) in outputs {
        let text = render(report, *format).map_err(|e| Failure::new(e.to_string()))?;
        // Regular files only: a FIFO in the report's place would block the read for ever.
        let old = crate::protocol::files::read_existing(path, 256 << 20)
            .map_err(|e| {
                Failure::new(format!(
                    "{}: {} {e}",
                    format_option(*format),
                    path.display()
                ))
            })?
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned());
        let changed = old.as_deref() != Some(text.as_str());
        if changed {
            let header = format!("== {} ({})\n", path.display(), format.name());
            before.push_str(&header);
            match &old {
                Some(o) => before.push_str(&figure_lines(*format, o)),
                None => before.push_str("(no file)\n"),
            }
            after.push_str(&header);
            after.push_str(&figure_lines(*format, &text));
        }
        if changed && !ctx.check_mode() {
            instatus::uptime::report::write_atomically(path, &text).map_err(|e| {
                Failure::new(format!(
                    "{}: cannot write {}: {e}",
                    format_option(*format),
                    path.display()
                ))
            })?;
        }
        changed_any |= changed;
        files.push(json!({"path": path.display().to_string(), "format": format.name(), "changed": changed}));
    }
    let figures: Vec<Value> = report
        .rows
        .iter()
        .map(|r| {
            json!({
                "component": r.path,
                "uptime": r.uptime,
                "down_ms": r.tally.weighted_down / 1000,
                "observed_ms": r.tally.observed_ms,
                "no_data_ms": r.tally.no_data_ms,
                "sla_target": r.sla.as_ref().map(|s| s.compliance.target),
                "sla_met": r.sla.as_ref().and_then(|s| s.compliance.met),
                "budget_left_ms": r.sla.as_ref().map(|s| s.compliance.left_ms),
                "burn_firing": r.sla.as_ref().map(|s| s.firing.clone()),
            })
        })
        .collect();
    let written = files.iter().filter(|f| f["changed"] == true).count();
    let msg = match (changed_any, ctx.check_mode()) {
        (false, _) => format!("{} report file(s) up to date", files.len()),
        (true, true) => format!("{written} report file(s) would be written"),
        (true, false) => format!("{written} report file(s) written"),
    };
    Ok(Outcome::new(changed_any, msg)
        .with("files", json!(files))
        .with("figures", json!(figures))
        .with("window", json!({"start": report.window.start.to_string(), "end": report.window.end.to_string(), "label": report.window_label}))
        .with("method", json!(report.method_text))
        .with_diff(Diff::text(before, after)))
}

/// The lines of a report that carry figures: Markdown table rows, the HTML's uptime and figure
/// lines, and one line per component from JSON.
fn figure_lines(format: Format, text: &str) -> String {
    let mut out = String::new();
    match format {
        Format::Markdown => {
            for l in text.lines().filter(|l| {
                l.starts_with('|') && !l.starts_with("|--") && !l.starts_with("| Component")
            }) {
                out.push_str(l);
                out.push('\n');
            }
        }
        Format::Html => {
            for l in text.lines() {
                let t = l.trim();
                if t.starts_with("<section class=\"component")
                    || t.starts_with("<span class=\"uptime\">")
                    || t.starts_with("<div class=\"figures\">")
                    || t.starts_with("<tr><td>")
                {
                    out.push_str(&strip_tags(t));
                    out.push('\n');
                }
            }
        }
        Format::Json => {
            let v: Value = serde_json::from_str(text).unwrap_or(Value::Null);
            for r in v["rows"].as_array().into_iter().flatten() {
                out.push_str(&format!(
                    "{}: uptime {}, down {}, major {}, partial {}, degraded {}, maintenance {}, no data {}{}\n",
                    r["path"].as_str().unwrap_or("?"),
                    r["uptime"].as_str().map_or("no data".into(), |u| format!("{u} %")),
                    r["down"].as_str().unwrap_or("?"),
                    r["major"].as_str().unwrap_or("?"),
                    r["partial"].as_str().unwrap_or("?"),
                    r["degraded"].as_str().unwrap_or("?"),
                    r["maintenance"].as_str().unwrap_or("?"),
                    r["no_data"].as_str().unwrap_or("?"),
                    match r["sla"]["met"].as_bool() {
                        Some(met) => format!(", SLA {} % {}, budget left {}", r["sla"]["target"], if met { "met" } else { "missed" }, r["sla"]["left"].as_str().unwrap_or("?")),
                        None => String::new(),
                    }
                ));
            }
        }
    }
    out
}

fn strip_tags(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_tag = false;
    for ch in s.chars() {
        match ch {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(ch),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(v: Value) -> ReportModuleOptions {
        let mut base =
            json!({"api_key": "k", "page": "p", "base_url": "http://127.0.0.1:1", "timeout": 5});
        base.as_object_mut()
            .unwrap()
            .extend(v.as_object().unwrap().clone());
        serde_json::from_value(base).unwrap()
    }

    fn err(v: Value) -> String {
        plan(&opts(v), "2026-12-02T07:00:00Z".parse().unwrap())
            .unwrap_err()
            .msg
    }

    #[test]
    fn bad_options_name_the_field_and_the_allowed_values() {
        assert_eq!(
            err(json!({"month": "2026-13", "markdown": "x.md"})),
            "month: \"2026-13\" is not a month; allowed: YYYY-MM (e.g. 2026-11) or previous"
        );
        assert!(err(json!({"month": "nov", "markdown": "x.md"})).starts_with("month: \"nov\""));
        assert!(err(json!({"days": 0, "markdown": "x.md"})).starts_with("days: 0 is out of range"));
        assert!(
            err(json!({"days": 7, "end": "yesterday", "markdown": "x.md"}))
                .starts_with("end: \"yesterday\" is not an RFC 3339 time")
        );
        assert!(err(
            json!({"month": "2026-11", "partial_outage_weight": 0.33333, "markdown": "x.md"})
        )
        .starts_with("partial_outage_weight: 0.33333 is not a fraction"));
        assert!(
            err(json!({"month": "2026-11", "slas": {"EL": 100.0}, "markdown": "x.md"}))
                .starts_with("slas[\"EL\"]: target: 100 is not a percentage")
        );
        assert!(
            err(json!({"month": "2026-11", "time_zone": "Mars/Olympus", "markdown": "x.md"}))
                .starts_with("time_zone: \"Mars/Olympus\" is not a known IANA time zone")
        );
        assert!(
            err(json!({"month": "2026-11", "markdown": "/nonexistent-dir-x/r.md"}))
                .starts_with("markdown: the directory /nonexistent-dir-x does not exist")
        );
    }

    #[test]
    fn months_and_previous() {
        let now = "2026-12-02T07:00:00Z".parse().unwrap();
        let (w, label) = month("previous", now, &TimeZone::UTC).unwrap();
        assert_eq!(
            (w.start.to_string().as_str(), label.as_str()),
            ("2026-11-01T00:00:00Z", "November 2026")
        );
        let (w, _) = month("2026-02", now, &TimeZone::UTC).unwrap();
        assert_eq!(w.length().as_hours(), 28 * 24);
    }

    #[test]
    fn figure_lines_keep_only_figures() {
        let md = "# T\n\n| Component | Uptime |\n|---|--:|\n| EL | 99.750 % |\n\ntext\n";
        assert_eq!(figure_lines(Format::Markdown, md), "| EL | 99.750 % |\n");
        assert_eq!(
            strip_tags("<span class=\"uptime\">99.7 % uptime</span>"),
            "99.7 % uptime"
        );
    }
}
