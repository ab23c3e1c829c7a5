//! [`Report::build`]: the figures of each row, the bars, and the incidents, from the history.

use std::collections::HashMap;

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use crate::model::ComponentId;
use crate::uptime::history::level_of;
use crate::uptime::method::counted_as;
use crate::uptime::sla::{self, BurnRule};
use crate::uptime::{
    ComponentInfo, Day, History, IncidentRecord, Method, Uptime, Window, WindowError,
};

use super::colors::ink;
use super::text::{duration, floor_percent, minute, span, trim_float};
use super::{
    BarDay, Colors, IncidentLine, InternalLine, Report, ReportError, ReportOptions, Row, SlaLine,
};

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
    let names: HashMap<&ComponentId, &str> = history
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
    i: &IncidentRecord,
    names: &HashMap<&ComponentId, &str>,
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
    let counted = counted_as(method.unknown_level);
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
        .filter_map(|ch| level_of(&ch.status))
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
fn ordered(history: &History) -> Vec<&ComponentInfo> {
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
