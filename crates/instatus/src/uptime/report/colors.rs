//! The page's colours as a report draws them, and the text colour that reads on each.

use serde::Serialize;

use crate::model::{ComponentStatus, StatusPage};
use crate::status::Level;
use crate::uptime::DayKind;

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

    /// The colour of a level: that of the status it stands for.
    pub fn of_level(&self, level: Level) -> &str {
        self.of_status(&level.status())
    }

    /// The colour of a component status, as the page draws its pill: maintenance in the notice
    /// colour, a status this crate does not know in the unknown colour.
    pub fn of_status(&self, status: &ComponentStatus) -> &str {
        match status {
            ComponentStatus::Operational => &self.ok,
            ComponentStatus::DegradedPerformance => &self.degraded,
            ComponentStatus::PartialOutage => &self.disrupted,
            ComponentStatus::MajorOutage => &self.down,
            ComponentStatus::UnderMaintenance => &self.notice,
            _ => &self.unknown,
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

/// The text colour that reads on `background` (`#rgb` or `#rrggbb`; an alpha digit pair is
/// ignored): white or near-black (`#111827`), whichever has the higher WCAG contrast; white for
/// anything that is not a hex colour. The reports and the emulator's page preview both write
/// with it.
pub fn ink(background: &str) -> &'static str {
    let digits: Option<Vec<u8>> = background
        .trim()
        .trim_start_matches('#')
        .chars()
        .map(|c| c.to_digit(16).map(|d| d as u8))
        .collect();
    let rgb = match digits.as_deref() {
        Some([r, g, b] | [r, g, b, _]) => [r * 17, g * 17, b * 17],
        Some([r1, r0, g1, g0, b1, b0] | [r1, r0, g1, g0, b1, b0, _, _]) => {
            [r1 * 16 + r0, g1 * 16 + g0, b1 * 16 + b0]
        }
        _ => return "#ffffff",
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
    // Against white (L = 1) and #111827 (L ~ 0.0094).
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ink_picks_the_higher_wcag_contrast_and_never_panics() {
        for (background, text) in [
            ("#ffffff", "#111827"),
            ("#fff", "#111827"),
            ("#fffa", "#111827"),
            ("#ECC94B", "#111827"),
            ("#111827", "#ffffff"),
            ("#DC2626", "#ffffff"),
            ("#DC2626ff", "#ffffff"),
            // Not hex colours: white, and no panic on a multi-byte character.
            ("#\u{e9}a", "#ffffff"),
            ("red", "#ffffff"),
            ("", "#ffffff"),
        ] {
            assert_eq!(ink(background), text, "{background}");
        }
    }
}
