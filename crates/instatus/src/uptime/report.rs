//! Uptime reports: figures per component and group (uptime, the time in each status, SLA
//! compliance, error budget, burn rates, the internal SLO beside the public figure, 90-day bars)
//! built by [`Report::build`], and rendered as Markdown, a standalone HTML page with SVG bars in
//! the page's colours, or JSON ([`render`]).
//!
//! A report holds no generation time, only the time its data runs to, so the same history gives
//! the same bytes (the Ansible `report` module relies on this to report "unchanged").

use std::sync::OnceLock;

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use minijinja::{AutoEscape, Environment};
use serde::Serialize;

use crate::model::{ComponentId, StatusPage};

use super::internal::Availability;
use super::sla::{self, Burn, BurnRule, Compliance, Target};
use super::{Day, DayKind, History, Level, Method, Tally, Uptime, Window, WindowError};

/// Why a report could not be built or rendered.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A name in `slas` or `internal` that is not a component or group of the page.
    #[error("{field}: no component or group named {name:?} on the page; known: {}", known.join(", "))]
    UnknownComponent {
        /// The option path, e.g. `slas[0].component`.
        field: String,
        /// The name given.
        name: String,
        /// The names on the page.
        known: Vec<String>,
    },
    /// The window or the bars' days.
    #[error(transparent)]
    Window(#[from] WindowError),
    /// A template failed (a bug: the templates are fixed at build time and tested).
    #[error("rendering {0}")]
    Render(String),
}

/// The page's colours as the report uses them: hex, or the Instatus defaults.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Colors {
    /// Brand (header).
    pub brand: String,
    /// Operational.
    pub ok: String,
    /// Degraded performance.
    pub degraded: String,
    /// Partial outage.
    pub disrupted: String,
    /// Major outage.
    pub down: String,
    /// Maintenance.
    pub notice: String,
    /// No data.
    pub unknown: String,
}

impl Default for Colors {
    fn default() -> Self {
        Colors {
            brand: "#111827".into(),
            ok: "#33B17E".into(),
            degraded: "#ECC94B".into(),
            disrupted: "#FF8C03".into(),
            down: "#DC2626".into(),
            notice: "#70808F".into(),
            unknown: "#D1D1D1".into(),
        }
    }
}

impl Colors {
    /// The page's colours; a colour that is unset or not `#rgb`/`#rrggbb` keeps the default.
    pub fn of(page: &StatusPage) -> Colors {
        let d = Colors::default();
        let pick = |v: &Option<String>, fallback: String| {
            v.as_deref()
                .map(str::trim)
                .filter(|s| is_hex(s))
                .map_or(fallback, str::to_owned)
        };
        Colors {
            brand: pick(&page.brand_color, d.brand),
            ok: pick(&page.ok_color, d.ok),
            degraded: pick(&page.degraded_color, d.degraded),
            disrupted: pick(&page.disrupted_color, d.disrupted),
            down: pick(&page.down_color, d.down),
            notice: pick(&page.notice_color, d.notice),
            unknown: pick(&page.unknown_color, d.unknown),
        }
    }

    /// The colour of a level (operational: the ok colour).
    pub fn of_level(&self, level: Level) -> &str {
        match level {
            Level::Operational => &self.ok,
            Level::Degraded => &self.degraded,
            Level::Partial => &self.disrupted,
            Level::Major => &self.down,
        }
    }

    /// The colour of a day's bar.
    pub fn of_day(&self, kind: DayKind) -> &str {
        match kind {
            DayKind::NoData => &self.unknown,
            DayKind::Operational => &self.ok,
            DayKind::Maintenance => &self.notice,
            DayKind::Degraded => &self.degraded,
            DayKind::Partial => &self.disrupted,
            DayKind::Major => &self.down,
        }
    }
}

/// White or near-black, whichever contrasts more with `background` (WCAG luminance).
fn ink(background: &str) -> &'static str {
    let h = background.trim_start_matches('#');
    let digit = |i: usize| u8::from_str_radix(&h[i..i + 1], 16).unwrap_or(0);
    let rgb: [u8; 3] = if h.len() == 3 {
        [digit(0) * 17, digit(1) * 17, digit(2) * 17]
    } else {
        let byte = |i: usize| u8::from_str_radix(h.get(i..i + 2).unwrap_or("00"), 16).unwrap_or(0);
        [byte(0), byte(2), byte(4)]
    };
    let lin = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.039_28 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    let l = 0.2126 * lin(rgb[0]) + 0.7152 * lin(rgb[1]) + 0.0722 * lin(rgb[2]);
    if 1.05 / (l + 0.05) >= (l + 0.05) / 0.0594 {
        "#ffffff"
    } else {
        "#111827"
    }
}

fn is_hex(s: &str) -> bool {
    s.strip_prefix('#')
        .is_some_and(|h| matches!(h.len(), 3 | 6) && h.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// An SLA target on a component or group (by name or `group/name` path).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SlaSpec {
    /// The component or group.
    pub component: String,
    /// The target.
    pub target: Target,
}

/// An internal SLO measured by Prometheus, for one component or group.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct InternalSpec {
    /// The component or group (by name or path).
    pub component: String,
    /// The query, shown in the report.
    pub query: String,
    /// What the range query gave.
    pub availability: Availability,
}

/// What to report.
#[derive(Clone, Debug, PartialEq)]
pub struct ReportOptions {
    /// The title; default "Uptime report: {page}".
    pub title: Option<String>,
    /// The window the figures cover.
    pub window: Window,
    /// A label for it ("November 2026"); default its dates.
    pub window_label: Option<String>,
    /// The method.
    pub method: Method,
    /// The time zone of the days.
    pub time_zone: TimeZone,
    /// Days in the uptime bars (0: no bars), ending with the window's last day.
    pub bar_days: u16,
    /// Decimals of the percentages (rounded down).
    pub decimals: u32,
    /// SLA targets.
    pub slas: Vec<SlaSpec>,
    /// SLO period for the burn-rate factors (30 days in the workbook).
    pub slo_period: SignedDuration,
    /// Internal SLOs.
    pub internal: Vec<InternalSpec>,
}

impl ReportOptions {
    /// Defaults for a window: Instatus's method, UTC, 90-day bars, 3 decimals, no SLAs.
    pub fn new(window: Window) -> ReportOptions {
        ReportOptions {
            title: None,
            window,
            window_label: None,
            method: Method::default(),
            time_zone: TimeZone::UTC,
            bar_days: 90,
            decimals: 3,
            slas: Vec::new(),
            slo_period: SignedDuration::from_hours(30 * 24),
            internal: Vec::new(),
        }
    }
}

/// One day of a bar.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BarDay {
    /// `YYYY-MM-DD`.
    pub date: String,
    /// The colour class.
    pub kind: DayKind,
    /// Its colour.
    pub color: String,
    /// The day's uptime, when it had data.
    pub uptime: Option<String>,
    /// The hover and screen-reader text, e.g. "2026-11-10: major outage 1 h, 99.861 % uptime".
    pub title: String,
}

/// The SLA part of a row.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SlaLine {
    /// Compliance over the window.
    #[serde(flatten)]
    pub compliance: Compliance,
    /// The verdict in a word: `met`, `breached`, or `no data`.
    pub verdict: &'static str,
    /// Budget left, percent of the budget, rounded down.
    pub left_percent: Option<String>,
    /// The budget as text.
    pub budget: String,
    /// The downtime used as text.
    pub used: String,
    /// What is left as text (`-` when overspent).
    pub left: String,
    /// Each rule's long/short burn rates as text, e.g. `0.00 / 0.00`.
    pub burn_text: Vec<String>,
    /// The burn-rate rules at the end of the data.
    pub burn: Vec<Burn>,
    /// Rules firing, e.g. "page (1h/5m > 14.4)".
    pub firing: Vec<String>,
}

/// The internal SLO part of a row.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct InternalLine {
    /// The query.
    pub query: String,
    /// The mean availability, percent rounded down.
    pub uptime: Option<String>,
    /// The worst series', percent rounded down.
    pub worst: Option<String>,
    /// Missing steps, percent.
    pub missing: String,
    /// The raw figures.
    pub availability: Availability,
}

/// One component or group.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Row {
    /// The id.
    pub id: ComponentId,
    /// The name.
    pub name: String,
    /// `group/name`, or the name.
    pub path: String,
    /// Whether it is a group.
    pub is_group: bool,
    /// Whether it is in a group (indented).
    pub in_group: bool,
    /// Uptime, percent rounded down; `None` without data.
    pub uptime: Option<String>,
    /// The exact figures.
    pub tally: Tally,
    /// The same times as readable text: weighted down, major, partial, degraded, maintenance,
    /// no data.
    pub down: String,
    /// Major outage.
    pub major: String,
    /// Partial outage.
    pub partial: String,
    /// Degraded.
    pub degraded: String,
    /// Maintenance.
    pub maintenance: String,
    /// No data.
    pub no_data: String,
    /// The SLA, if one was set.
    pub sla: Option<SlaLine>,
    /// The internal SLO, if one was measured.
    pub internal: Option<InternalLine>,
    /// The bars.
    pub days: Vec<BarDay>,
}

/// An incident that overlaps the window.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct IncidentLine {
    /// Its title.
    pub name: String,
    /// Start, `YYYY-MM-DD HH:MM`.
    pub started: String,
    /// Resolution, or "open".
    pub resolved: String,
    /// How long it lasted (`None` while open).
    pub duration: Option<String>,
    /// The worst level any of its components had (an unknown level counted as the method says);
    /// `None` when it names no component or only put them under maintenance.
    pub worst: Option<Level>,
    /// The components it names.
    pub components: Vec<String>,
    /// The components whose level during it the history does not tell.
    pub unknown: Vec<String>,
    /// What the report did about them, e.g. `level unknown, counted as major outage`; `None`
    /// when every level is known.
    pub note: Option<String>,
}

/// A built report.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    /// The title.
    pub title: String,
    /// The page name.
    pub page: String,
    /// The window.
    pub window: Window,
    /// Its label.
    pub window_label: String,
    /// The data runs to here: the window's end, or `now` if earlier.
    pub data_until: Timestamp,
    /// The same, `YYYY-MM-DD HH:MM` in the report's time zone.
    pub data_until_text: String,
    /// The text colour on the brand colour.
    pub brand_ink: String,
    /// The method in words.
    pub method_text: String,
    /// The method's settings.
    pub method: Method,
    /// Decimals of the percentages.
    pub decimals: u32,
    /// The time zone of the days.
    pub time_zone: String,
    /// Colours.
    pub colors: Colors,
    /// Rows, groups first with their members, in page order.
    pub rows: Vec<Row>,
    /// Days in the bars.
    pub bar_days: u16,
    /// The first and last day of the bars.
    pub bar_range: Option<(String, String)>,
    /// Incidents overlapping the window, oldest first.
    pub incidents: Vec<IncidentLine>,
}

impl Report {
    /// Computes the report from `history` as of `now`.
    pub fn build(
        page_name: &str,
        colors: Colors,
        history: &History,
        options: &ReportOptions,
        now: Timestamp,
    ) -> Result<Report, ReportError> {
        let w = options.window;
        let data_until = w.end.min(now);
        // Everything as of the window's end: the bars' last day (which runs to midnight) and
        // the burn rates must not move once the window is over, so a rerun writes the same file.
        let uptime = Uptime::new(history, options.method, data_until);
        let tz = &options.time_zone;
        let bars = if options.bar_days == 0 {
            None
        } else {
            let last = data_until
                .checked_sub(SignedDuration::from_millis(1))
                .unwrap_or(data_until)
                .max(w.start);
            Some(Window::last_days(last, options.bar_days, tz)?)
        };
        let known = || history.components.iter().map(|c| c.name.clone()).collect();
        let resolve = |field: String, name: &str| {
            history
                .find(name)
                .map(|c| c.id.clone())
                .ok_or_else(|| ReportError::UnknownComponent {
                    field,
                    name: name.to_owned(),
                    known: known(),
                })
        };
        let mut slas = Vec::new();
        for (i, s) in options.slas.iter().enumerate() {
            slas.push((
                resolve(format!("slas[{i}].component"), &s.component)?,
                s.target,
            ));
        }
        let mut internal = Vec::new();
        for (i, s) in options.internal.iter().enumerate() {
            internal.push((
                resolve(format!("internal[{i}].component"), &s.component)?,
                s,
            ));
        }
        let d = options.decimals;
        let pct = |x: Option<f64>| x.map(|v| floor_percent(v, d));
        let mut rows = Vec::new();
        for c in ordered(history) {
            let tally = uptime.tally(&c.id, w);
            let sla = slas.iter().find(|(id, _)| id == &c.id).map(|(_, target)| {
                let compliance = sla::compliance(&tally, *target);
                let burn = sla::burn(
                    &uptime,
                    &c.id,
                    *target,
                    options.slo_period,
                    &BurnRule::workbook(),
                    data_until,
                );
                let firing = burn
                    .iter()
                    .filter(|b| b.firing)
                    .map(|b| {
                        format!(
                            "{} ({}/{} > {})",
                            match b.rule.severity {
                                sla::Severity::Page => "page",
                                sla::Severity::Ticket => "ticket",
                            },
                            span(b.rule.long),
                            span(b.rule.short),
                            trim_float(b.factor)
                        )
                    })
                    .collect();
                let rate =
                    |r: Option<f64>| r.map_or_else(|| "no data".into(), |r| format!("{r:.2}"));
                SlaLine {
                    verdict: match compliance.met {
                        Some(true) => "met",
                        Some(false) => "breached",
                        None => "no data",
                    },
                    left_percent: pct(compliance.left_fraction),
                    budget: duration(compliance.budget_ms as i64),
                    used: duration(compliance.used_ms as i64),
                    left: if compliance.left_ms < 0.0 {
                        format!("-{}", duration(-compliance.left_ms as i64))
                    } else {
                        duration(compliance.left_ms as i64)
                    },
                    burn_text: burn
                        .iter()
                        .map(|b| format!("{} / {}", rate(b.long_rate), rate(b.short_rate)))
                        .collect(),
                    compliance,
                    burn,
                    firing,
                }
            });
            let internal = internal
                .iter()
                .find(|(id, _)| id == &c.id)
                .map(|(_, s)| InternalLine {
                    query: s.query.clone(),
                    uptime: pct(s.availability.mean()),
                    worst: pct(s.availability.worst()),
                    missing: floor_percent(s.availability.missing_fraction(), 1),
                    availability: s.availability.clone(),
                });
            let days = match bars {
                Some(b) if c.show_uptime => self::bars(&uptime, &c.id, b, tz, &colors, d)?,
                _ => Vec::new(),
            };
            let group = c.group.as_ref().and_then(|g| history.component(g));
            rows.push(Row {
                id: c.id.clone(),
                name: c.name.clone(),
                path: group.map_or_else(|| c.name.clone(), |g| format!("{}/{}", g.name, c.name)),
                is_group: c.is_group,
                in_group: group.is_some(),
                uptime: tally.uptime_percent(d),
                down: duration(tally.weighted_down / 1000),
                major: duration(tally.major_ms),
                partial: duration(tally.partial_ms),
                degraded: duration(tally.degraded_ms),
                maintenance: duration(tally.maintenance_ms + tally.excluded_ms),
                no_data: duration(tally.no_data_ms),
                tally,
                sla,
                internal,
                days,
            });
        }
        let incidents = incident_lines(history, w.start, data_until, &options.method, tz);
        let bar_range = bars.and_then(|b| {
            let days = b.days(tz).ok()?;
            Some((days.first()?.0.to_string(), days.last()?.0.to_string()))
        });
        Ok(Report {
            title: options
                .title
                .clone()
                .unwrap_or_else(|| format!("Uptime report: {page_name}")),
            page: page_name.to_owned(),
            window: w,
            window_label: options
                .window_label
                .clone()
                .unwrap_or_else(|| format!("{} to {}", minute(w.start, tz), minute(w.end, tz))),
            data_until,
            data_until_text: minute(data_until, tz),
            brand_ink: ink(&colors.brand).to_owned(),
            method_text: options.method.describe(),
            method: options.method,
            decimals: d,
            time_zone: tz.iana_name().unwrap_or("UTC").to_owned(),
            colors,
            rows,
            bar_days: options.bar_days,
            bar_range,
            incidents,
        })
    }
}

/// The incidents that overlap `[from, to)`, oldest first, as reports list them (and the emulator's
/// page preview, as its recent history).
pub fn incident_lines(
    history: &History,
    from: Timestamp,
    to: Timestamp,
    method: &Method,
    tz: &TimeZone,
) -> Vec<IncidentLine> {
    let mut incidents: Vec<_> = history
        .incidents
        .iter()
        .filter(|i| i.started < to && i.resolved.is_none_or(|r| r > from))
        .collect();
    incidents.sort_by_key(|i| i.started);
    let names: std::collections::HashMap<&ComponentId, &str> = history
        .components
        .iter()
        .map(|c| (&c.id, c.name.as_str()))
        .collect();
    incidents
        .into_iter()
        .map(|i| incident_line(i, &names, method, tz))
        .collect()
}

/// An incident as reports list it: its times, its components, its worst level, and what was
/// done about a level nobody wrote down.
fn incident_line(
    i: &super::IncidentRecord,
    names: &std::collections::HashMap<&ComponentId, &str>,
    method: &Method,
    tz: &TimeZone,
) -> IncidentLine {
    let name_of = |id: &ComponentId| names.get(id).map(|n| (*n).to_owned());
    let mut components: Vec<String> = Vec::new();
    for n in i
        .changes
        .iter()
        .map(|ch| &ch.component)
        .chain(i.unknown.iter().map(|u| &u.component))
        .filter_map(name_of)
    {
        if !components.contains(&n) {
            components.push(n);
        }
    }
    let unknown: Vec<String> = i
        .unknown
        .iter()
        .filter_map(|u| name_of(&u.component))
        .collect();
    let counted = method.unknown_level.counted_as();
    let whole = i.unknown.iter().all(|u| u.until.is_none());
    let note = match unknown.len() {
        0 => None,
        n if n == components.len() && whole => Some(format!("level unknown, counted as {counted}")),
        _ => {
            let list: Vec<String> = i
                .unknown
                .iter()
                .filter_map(|u| {
                    let name = name_of(&u.component)?;
                    Some(match u.until {
                        Some(t) => format!("{name} before {}", minute(t, tz)),
                        None => name,
                    })
                })
                .collect();
            Some(format!(
                "level of {} unknown, counted as {counted}",
                list.join(", ")
            ))
        }
    };
    let worst = i
        .changes
        .iter()
        .filter_map(|ch| super::history::level_of(&ch.status))
        .chain(i.unknown.iter().map(|_| method.unknown_level))
        .max();
    IncidentLine {
        name: i.name.clone(),
        started: minute(i.started, tz),
        resolved: i.resolved.map_or_else(|| "open".into(), |r| minute(r, tz)),
        duration: i
            .resolved
            .map(|r| duration(r.as_millisecond() - i.started.as_millisecond())),
        worst,
        components,
        unknown,
        note,
    }
}

/// Groups first, each followed by its members, then the components without a group; page order
/// otherwise.
fn ordered(history: &History) -> Vec<&super::ComponentInfo> {
    let mut out = Vec::new();
    for c in &history.components {
        if c.is_group {
            out.push(c);
            out.extend(history.members(&c.id));
        }
    }
    for c in &history.components {
        let grouped = c
            .group
            .as_ref()
            .is_some_and(|g| history.component(g).is_some_and(|x| x.is_group));
        if !c.is_group && !grouped {
            out.push(c);
        }
    }
    out
}

/// The bar of one component or group: a [`BarDay`] per calendar day of `window` in `tz`, in
/// `colors` (what the report draws, and the emulator's page preview too).
pub fn bars(
    uptime: &Uptime<'_>,
    id: &ComponentId,
    window: Window,
    tz: &TimeZone,
    colors: &Colors,
    decimals: u32,
) -> Result<Vec<BarDay>, WindowError> {
    Ok(uptime
        .daily(id, window, tz)?
        .iter()
        .map(|day| bar_day(day, colors, decimals))
        .collect())
}

fn bar_day(day: &Day, colors: &Colors, decimals: u32) -> BarDay {
    let kind = day.kind();
    let uptime = day.tally.uptime_percent(decimals);
    let t = &day.tally;
    let mut parts = Vec::new();
    for (ms, what) in [
        (t.major_ms, "major outage"),
        (t.partial_ms, "partial outage"),
        (t.degraded_ms, "degraded performance"),
        (t.maintenance_ms + t.excluded_ms, "maintenance"),
    ] {
        if ms > 0 {
            parts.push(format!("{what} {}", duration(ms)));
        }
    }
    let title = match &uptime {
        None => format!("{}: no data", day.date),
        Some(u) if parts.is_empty() => format!("{}: operational, {u} % uptime", day.date),
        Some(u) => format!("{}: {}, {u} % uptime", day.date, parts.join(", ")),
    };
    BarDay {
        date: day.date.to_string(),
        kind,
        color: colors.of_day(kind).to_owned(),
        uptime,
        title,
    }
}

/// `v` (a fraction) in percent, rounded down to `decimals`.
fn floor_percent(v: f64, decimals: u32) -> String {
    let scale = 10_f64.powi(decimals as i32);
    // The small nudge keeps an exact 99.9 from flooring to 99.899 through float noise.
    let p = ((v * 100.0 * scale) + 1e-7).floor() / scale;
    format!("{p:.*}", decimals as usize)
}

fn trim_float(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

fn span(d: SignedDuration) -> String {
    let s = d.as_secs();
    if s % 86_400 == 0 {
        format!("{}d", s / 86_400)
    } else if s % 3600 == 0 {
        format!("{}h", s / 3600)
    } else {
        format!("{}m", s / 60)
    }
}

/// `0 min`, `45 min`, `2 h 5 min`, `1 d 3 h`, `12 s`: milliseconds, read by a person (the
/// reports and the emulator's page preview spell durations the same way).
pub fn duration(ms: i64) -> String {
    let s = ms.max(0) / 1000;
    if s > 0 && s < 60 {
        return format!("{s} s");
    }
    let m = s / 60;
    let (d, h, min) = (m / 1440, (m % 1440) / 60, m % 60);
    let mut parts = Vec::new();
    if d > 0 {
        parts.push(format!("{d} d"));
    }
    if h > 0 {
        parts.push(format!("{h} h"));
    }
    if min > 0 || parts.is_empty() {
        parts.push(format!("{min} min"));
    }
    parts.join(" ")
}

fn minute(t: Timestamp, tz: &TimeZone) -> String {
    t.to_zoned_datetime(tz.clone())
        .strftime("%Y-%m-%d %H:%M")
        .to_string()
}

/// The output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// GitHub-flavoured Markdown.
    Markdown,
    /// A standalone HTML page with inline CSS and SVG bars.
    Html,
    /// The [`Report`] as pretty JSON.
    Json,
}

impl Format {
    /// `markdown`, `html` or `json`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Markdown => "markdown",
            Format::Html => "html",
            Format::Json => "json",
        }
    }
}

fn env() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = crate::templates::environment();
        // `.html` escapes HTML (the SVG is inside the page); Markdown is escaped by the `md`
        // filter, since minijinja has no Markdown escaping.
        env.set_auto_escape_callback(|name| {
            if name.ends_with(".html") {
                AutoEscape::Html
            } else {
                AutoEscape::None
            }
        });
        env.add_filter("md", md_escape);
        for (name, source) in [
            ("report.md", include_str!("templates/report.md")),
            ("report.html", include_str!("templates/report.html")),
        ] {
            if let Err(e) = env.add_template(name, source) {
                // Fixed at build time; every template is rendered by the tests.
                eprintln!("instatus: template {name}: {e}");
            }
        }
        env
    })
}

/// Escapes text for a Markdown table cell: the characters Markdown gives meaning to, and
/// newlines.
fn md_escape(s: String) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '!' | '~' => {
                out.push('\\');
                out.push(ch);
            }
            '\n' | '\r' => out.push(' '),
            _ => out.push(ch),
        }
    }
    out
}

/// Renders a report.
pub fn render(report: &Report, format: Format) -> Result<String, ReportError> {
    let template = match format {
        Format::Json => {
            let mut s = serde_json::to_string_pretty(report)
                .map_err(|e| ReportError::Render(format!("json: {e}")))?;
            s.push('\n');
            return Ok(s);
        }
        Format::Markdown => "report.md",
        Format::Html => "report.html",
    };
    env()
        .get_template(template)
        .and_then(|t| t.render(minijinja::context! { r => report, levels => Level::ALL }))
        .map_err(|e| ReportError::Render(format!("{template}: {e:#}")))
}

/// Writes `text` to `path` unless the file already holds exactly `text`; returns whether it
/// wrote. The write goes through a temporary file in the same directory and a rename, so a
/// reader never sees half a report. What the Ansible module and `instatus-bridge report` write
/// with.
pub fn write_if_changed(path: &std::path::Path, text: &str) -> std::io::Result<bool> {
    match std::fs::read(path) {
        Ok(old) if old == text.as_bytes() => return Ok(false),
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    write_atomically(path, text)?;
    Ok(true)
}

/// Writes `text` to `path` through a temporary file in the same directory, then renames it.
pub fn write_atomically(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}
