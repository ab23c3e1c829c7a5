//! The computation: each component's time line as pieces of constant state (no data, or a
//! level plus maintenance), cut from the incidents and maintenances that overlap; tallied over
//! a window, or per calendar day for the uptime bars.

use std::collections::HashMap;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::Timestamp;
use serde::Serialize;

use crate::model::ComponentId;

use super::history::level_of;
use super::{GroupRule, History, Level, MaintenancePolicy, Method, Window, WindowError};

/// Milliseconds since the epoch.
type Ms = i64;

/// The state of a component at an instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Cell {
    /// Whether there is data (the component existed, and it is not the future).
    data: bool,
    /// The worst level any open incident gave it.
    level: Level,
    /// Whether a maintenance covered it.
    maintenance: bool,
}

const NO_DATA: Cell = Cell {
    data: false,
    level: Level::Operational,
    maintenance: false,
};

/// A span of constant state.
#[derive(Clone, Copy, Debug)]
struct Piece {
    start: Ms,
    end: Ms,
    cell: Cell,
}

/// The time a window spent in each state, in milliseconds, and the weighted downtime.
///
/// `observed_ms` is T, the denominator: the window minus the time without data and (with
/// [`MaintenancePolicy::Exclude`]) the time under maintenance. The level times partition T.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    /// The window's length.
    pub window_ms: i64,
    /// Time without data: before the component existed, after it was archived, after now.
    pub no_data_ms: i64,
    /// Time under maintenance left out of T.
    pub excluded_ms: i64,
    /// T.
    pub observed_ms: i64,
    /// Time in T with no incident status worse than operational.
    pub operational_ms: i64,
    /// Time in T in degraded performance.
    pub degraded_ms: i64,
    /// Time in T in partial outage.
    pub partial_ms: i64,
    /// Time in T in major outage.
    pub major_ms: i64,
    /// Time in T under maintenance (counted as up or down, per the method).
    pub maintenance_ms: i64,
    /// Σ time × weight over T, in thousandths of a millisecond (exact).
    pub weighted_down: i64,
}

impl Tally {
    fn add(&mut self, cell: Cell, len: Ms, method: &Method) {
        self.window_ms += len;
        if !cell.data {
            self.no_data_ms += len;
            return;
        }
        if cell.maintenance && method.maintenance == MaintenancePolicy::Exclude {
            self.excluded_ms += len;
            return;
        }
        self.observed_ms += len;
        *match cell.level {
            Level::Operational => &mut self.operational_ms,
            Level::Degraded => &mut self.degraded_ms,
            Level::Partial => &mut self.partial_ms,
            Level::Major => &mut self.major_ms,
        } += len;
        if cell.maintenance {
            self.maintenance_ms += len;
        }
        self.weighted_down += len * i64::from(weight(cell, method));
    }

    /// The sum of two tallies (e.g. members of a group, for [`GroupRule::Average`]).
    pub fn plus(mut self, o: &Tally) -> Tally {
        self.window_ms += o.window_ms;
        self.no_data_ms += o.no_data_ms;
        self.excluded_ms += o.excluded_ms;
        self.observed_ms += o.observed_ms;
        self.operational_ms += o.operational_ms;
        self.degraded_ms += o.degraded_ms;
        self.partial_ms += o.partial_ms;
        self.major_ms += o.major_ms;
        self.maintenance_ms += o.maintenance_ms;
        self.weighted_down += o.weighted_down;
        self
    }

    /// The weighted downtime in milliseconds.
    pub fn downtime_ms(&self) -> f64 {
        self.weighted_down as f64 / 1000.0
    }

    /// Uptime as a fraction of T; `None` without data.
    pub fn uptime(&self) -> Option<f64> {
        (self.observed_ms > 0).then(|| {
            let t = i128::from(self.observed_ms) * 1000;
            (t - i128::from(self.weighted_down)) as f64 / t as f64
        })
    }

    /// Uptime in percent, rounded *down* to `decimals` places (so any downtime never reads as
    /// 100 %), e.g. `99.861`; `None` without data.
    pub fn uptime_percent(&self, decimals: u32) -> Option<String> {
        if self.observed_ms <= 0 {
            return None;
        }
        let t = i128::from(self.observed_ms) * 1000;
        let scale = 10_i128.pow(decimals.min(9));
        let p = (t - i128::from(self.weighted_down)) * 100 * scale / t;
        Some(if decimals == 0 {
            format!("{p}")
        } else {
            format!(
                "{}.{:0width$}",
                p / scale,
                p % scale,
                width = decimals as usize
            )
        })
    }
}

fn weight(cell: Cell, method: &Method) -> u32 {
    let maint = match (cell.maintenance, method.maintenance) {
        (true, MaintenancePolicy::CountAsDown) => 1000,
        _ => 0,
    };
    method.weights.of(cell.level).max(maint)
}

/// One calendar day of an uptime bar.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Day {
    /// The date.
    pub date: Date,
    /// The day's tally.
    pub tally: Tally,
    /// The worst level seen with data that day; `None` when the day had no data.
    pub worst: Option<Level>,
    /// Whether a maintenance covered part of the day.
    pub maintenance: bool,
}

/// What a day's bar shows: its colour class.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// No data all day (grey).
    NoData,
    /// Nothing worse than operational, no maintenance.
    Operational,
    /// Maintenance, nothing worse than operational.
    Maintenance,
    /// Degraded performance at worst.
    Degraded,
    /// Partial outage at worst.
    Partial,
    /// Major outage at some point.
    Major,
}

impl Day {
    /// The colour class: the worst level of the day, else maintenance, else operational; grey
    /// only when the whole day had no data.
    pub fn kind(&self) -> DayKind {
        match self.worst {
            None => DayKind::NoData,
            Some(Level::Major) => DayKind::Major,
            Some(Level::Partial) => DayKind::Partial,
            Some(Level::Degraded) => DayKind::Degraded,
            Some(Level::Operational) if self.maintenance => DayKind::Maintenance,
            Some(Level::Operational) => DayKind::Operational,
        }
    }
}

/// Spans of one component, cut from the history once.
#[derive(Default)]
struct Spans {
    /// `(start, end, level)`, level worse than operational.
    levels: Vec<(Ms, Ms, Level)>,
    /// `(start, end)` under maintenance.
    maintenance: Vec<(Ms, Ms)>,
    /// `[from, to)` the component can have data (creation to archive).
    exists: (Ms, Ms),
}

/// Uptime over a [`History`] by a [`Method`], as of `now` (time after `now` has no data).
pub struct Uptime<'h> {
    history: &'h History,
    method: Method,
    now: Ms,
    spans: HashMap<&'h ComponentId, Spans>,
}

impl<'h> Uptime<'h> {
    /// Indexes the history: each incident's status changes and each maintenance become spans
    /// on their components. Open incidents and maintenances last until `now`.
    pub fn new(history: &'h History, method: Method, now: Timestamp) -> Uptime<'h> {
        let now = now.as_millisecond();
        let mut spans: HashMap<&ComponentId, Spans> = history
            .components
            .iter()
            .map(|c| {
                let from = c.created.map_or(Ms::MIN, |t| t.as_millisecond());
                let to = c.archived.map_or(Ms::MAX, |t| t.as_millisecond());
                (
                    &c.id,
                    Spans {
                        exists: (from, to),
                        ..Spans::default()
                    },
                )
            })
            .collect();
        for inc in &history.incidents {
            let start = inc.started.as_millisecond();
            let end = inc.resolved.map_or(now, |t| t.as_millisecond()).min(now);
            let mut changes: Vec<_> = inc.changes.iter().collect();
            changes.sort_by(|a, b| (&a.component, a.at).cmp(&(&b.component, b.at)));
            for (i, ch) in changes.iter().enumerate() {
                let Some(s) = spans.get_mut(&ch.component) else {
                    continue; // not a component of the page (deleted): nothing to show it on
                };
                let from = ch.at.as_millisecond().max(start);
                let to = changes
                    .get(i + 1)
                    .filter(|n| n.component == ch.component)
                    .map_or(end, |n| n.at.as_millisecond().clamp(start, end));
                if from >= to {
                    continue;
                }
                match level_of(&ch.status) {
                    None => s.maintenance.push((from, to)),
                    Some(Level::Operational) => {}
                    Some(level) => s.levels.push((from, to, level)),
                }
            }
            // A level nobody wrote down counts as the method says, never as zero.
            if method.unknown_level != Level::Operational {
                for u in &inc.unknown {
                    let to = u
                        .until
                        .map_or(end, |t| t.as_millisecond().clamp(start, end));
                    if let (true, Some(s)) = (start < to, spans.get_mut(&u.component)) {
                        s.levels.push((start, to, method.unknown_level));
                    }
                }
            }
        }
        for m in &history.maintenances {
            let from = m.start.as_millisecond();
            let to = m.end.map_or(now, |t| t.as_millisecond()).min(now);
            if from >= to {
                continue;
            }
            for c in &m.components {
                if let Some(s) = spans.get_mut(c) {
                    s.maintenance.push((from, to));
                }
            }
        }
        Uptime {
            history,
            method,
            now,
            spans,
        }
    }

    /// The method in use.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The tally of a component, or of a group by the method's [`GroupRule`]. An id not on the
    /// page has no data.
    pub fn tally(&self, id: &ComponentId, window: Window) -> Tally {
        let mut t = Tally::default();
        if self.is_group(id) && self.method.groups == GroupRule::Average {
            return self
                .members(id)
                .iter()
                .fold(t, |acc, m| acc.plus(&self.tally(m, window)));
        }
        for p in self.pieces(id, window) {
            t.add(p.cell, p.end - p.start, &self.method);
        }
        t
    }

    /// The per-day bars of a component or group over the calendar days of `window` in `tz`.
    pub fn daily(
        &self,
        id: &ComponentId,
        window: Window,
        tz: &TimeZone,
    ) -> Result<Vec<Day>, WindowError> {
        let days = window.days(tz)?;
        if self.is_group(id) && self.method.groups == GroupRule::Average {
            let members = self.members(id);
            let mut out: Vec<Day> = Vec::with_capacity(days.len());
            for m in &members {
                for (i, d) in self.daily(m, window, tz)?.into_iter().enumerate() {
                    match out.get_mut(i) {
                        Some(g) => {
                            g.tally = g.tally.plus(&d.tally);
                            g.worst = g.worst.max(d.worst);
                            g.maintenance |= d.maintenance;
                        }
                        None => out.push(d),
                    }
                }
            }
            if out.is_empty() {
                out = days
                    .iter()
                    .map(|&(date, w)| self.empty_day(date, w))
                    .collect();
            }
            return Ok(out);
        }
        let pieces = self.pieces(id, window);
        let mut out = Vec::with_capacity(days.len());
        let mut k = 0;
        for (date, w) in days {
            let (ds, de) = (w.start.as_millisecond(), w.end.as_millisecond());
            let mut day = Day {
                date,
                tally: Tally::default(),
                worst: None,
                maintenance: false,
            };
            while k < pieces.len() && pieces[k].end <= ds {
                k += 1;
            }
            let mut j = k;
            while j < pieces.len() && pieces[j].start < de {
                let p = pieces[j];
                let len = p.end.min(de) - p.start.max(ds);
                if len > 0 {
                    day.tally.add(p.cell, len, &self.method);
                    if p.cell.data {
                        day.worst = day.worst.max(Some(p.cell.level));
                        day.maintenance |= p.cell.maintenance;
                    }
                }
                j += 1;
            }
            out.push(day);
        }
        Ok(out)
    }

    fn empty_day(&self, date: Date, w: Window) -> Day {
        let mut tally = Tally::default();
        tally.add(
            NO_DATA,
            w.end.as_millisecond() - w.start.as_millisecond(),
            &self.method,
        );
        Day {
            date,
            tally,
            worst: None,
            maintenance: false,
        }
    }

    fn is_group(&self, id: &ComponentId) -> bool {
        self.history.component(id).is_some_and(|c| c.is_group)
    }

    fn members(&self, group: &ComponentId) -> Vec<&'h ComponentId> {
        let group = group.clone();
        let history: &'h History = self.history;
        history
            .components
            .iter()
            .filter(|c| c.group.as_ref() == Some(&group) && !c.is_group)
            .map(|c| &c.id)
            .collect()
    }

    /// The pieces covering `window`: a component's own, or a group's by the worst rule.
    fn pieces(&self, id: &ComponentId, window: Window) -> Vec<Piece> {
        if !self.is_group(id) {
            return self.own_pieces(id, window);
        }
        let mut lines: Vec<Vec<Piece>> = self
            .members(id)
            .into_iter()
            .map(|m| self.own_pieces(m, window))
            .collect();
        // The group's own incidents (one naming the group itself) count as one more member.
        if self
            .spans
            .get(id)
            .is_some_and(|s| !s.levels.is_empty() || !s.maintenance.is_empty())
        {
            lines.push(self.own_pieces(id, window));
        }
        worst_of(lines, window, &self.method)
    }

    fn own_pieces(&self, id: &ComponentId, window: Window) -> Vec<Piece> {
        let (lo, hi) = (window.start.as_millisecond(), window.end.as_millisecond());
        let Some(s) = self.spans.get(id) else {
            return vec![Piece {
                start: lo,
                end: hi,
                cell: NO_DATA,
            }];
        };
        let data = (s.exists.0.max(lo), s.exists.1.min(hi).min(self.now));
        // Events: (time, +1/-1, what) where what is a level index or 4 for maintenance.
        let mut events: Vec<(Ms, i32, usize)> = Vec::new();
        let mut push = |from: Ms, to: Ms, what: usize| {
            let (from, to) = (from.max(lo), to.min(hi));
            if from < to {
                events.push((from, 1, what));
                events.push((to, -1, what));
            }
        };
        for &(f, t, level) in &s.levels {
            push(f, t, level.index());
        }
        for &(f, t) in &s.maintenance {
            push(f, t, 4);
        }
        events.sort_unstable();
        let mut cuts: Vec<Ms> = events.iter().map(|e| e.0).collect();
        cuts.extend([lo, hi]);
        if data.0 < data.1 {
            cuts.extend([data.0, data.1]);
        }
        cuts.sort_unstable();
        cuts.dedup();
        let mut counts = [0_i32; 5];
        let mut e = 0;
        let mut out: Vec<Piece> = Vec::new();
        for w in cuts.windows(2) {
            let (a, b) = (w[0], w[1]);
            while e < events.len() && events[e].0 <= a {
                counts[events[e].2] += events[e].1;
                e += 1;
            }
            let cell = if a >= data.0 && a < data.1 {
                Cell {
                    data: true,
                    level: Level::ALL
                        .iter()
                        .rev()
                        .copied()
                        .find(|l| counts[l.index()] > 0)
                        .unwrap_or(Level::Operational),
                    maintenance: counts[4] > 0,
                }
            } else {
                NO_DATA
            };
            push_merged(&mut out, a, b, cell);
        }
        out
    }
}

fn push_merged(out: &mut Vec<Piece>, start: Ms, end: Ms, cell: Cell) {
    match out.last_mut() {
        Some(last) if last.cell == cell && last.end == start => last.end = end,
        _ => out.push(Piece { start, end, cell }),
    }
}

/// The group's pieces: at each instant the member cell that ranks worst — a counted cell by
/// its weight (then level), over an excluded-maintenance cell, over no data.
fn worst_of(lines: Vec<Vec<Piece>>, window: Window, method: &Method) -> Vec<Piece> {
    let (lo, hi) = (window.start.as_millisecond(), window.end.as_millisecond());
    let rank = |c: Cell| -> (u8, u32, Level, bool) {
        if !c.data {
            (0, 0, c.level, false)
        } else if c.maintenance && method.maintenance == MaintenancePolicy::Exclude {
            (1, 0, c.level, true)
        } else {
            (2, weight(c, method), c.level, c.maintenance)
        }
    };
    let mut cuts: Vec<Ms> = lines.iter().flatten().map(|p| p.start).collect();
    cuts.extend([lo, hi]);
    cuts.sort_unstable();
    cuts.dedup();
    let mut at = vec![0_usize; lines.len()];
    let mut out = Vec::new();
    for w in cuts.windows(2) {
        let (a, b) = (w[0], w[1]);
        let mut best = NO_DATA;
        for (line, k) in lines.iter().zip(at.iter_mut()) {
            while *k < line.len() && line[*k].end <= a {
                *k += 1;
            }
            if let Some(p) = line.get(*k) {
                if p.start <= a && rank(p.cell) > rank(best) {
                    best = p.cell;
                }
            }
        }
        push_merged(&mut out, a, b, best);
    }
    out
}
