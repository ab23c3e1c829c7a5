//! The page's colours as a report draws them, and the text colour that reads on each.

use serde::Serialize;

use crate::model::StatusPage;
use crate::uptime::{DayKind, Level};

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
pub(super) fn ink(background: &str) -> &'static str {
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
