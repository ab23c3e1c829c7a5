//! How the figures read: percentages rounded down, durations and times as a person writes them.

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

/// `v` (a fraction) in percent, rounded down to `decimals`.
pub(super) fn floor_percent(v: f64, decimals: u32) -> String {
    let scale = 10_f64.powi(decimals as i32);
    // The small nudge keeps an exact 99.9 from flooring to 99.899 through float noise.
    let p = ((v * 100.0 * scale) + 1e-7).floor() / scale;
    format!("{p:.*}", decimals as usize)
}

pub(super) fn trim_float(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

pub(super) fn span(d: SignedDuration) -> String {
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

pub(super) fn minute(t: Timestamp, tz: &TimeZone) -> String {
    t.to_zoned_datetime(tz.clone())
        .strftime("%Y-%m-%d %H:%M")
        .to_string()
}
