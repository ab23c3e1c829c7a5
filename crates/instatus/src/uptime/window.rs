//! Windows of time: any span, a rolling span ending at a moment, a calendar month, the last N
//! calendar days. Calendar windows are taken in a time zone (UTC unless told).

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, ToSpan};
use serde::{Deserialize, Serialize};

/// Why a window was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum WindowError {
    /// The end is not after the start.
    #[error("window: end ({end}) must be after start ({start})")]
    Empty {
        /// The start.
        start: Timestamp,
        /// The end.
        end: Timestamp,
    },
    /// A calendar date that does not exist, or a day count out of range.
    #[error("window: {0}")]
    Calendar(String),
}

/// A half-open span of time `[start, end)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    /// Inclusive start.
    pub start: Timestamp,
    /// Exclusive end.
    pub end: Timestamp,
}

impl Window {
    /// `[start, end)`; `end` must be after `start`.
    pub fn new(start: Timestamp, end: Timestamp) -> Result<Window, WindowError> {
        if end > start {
            Ok(Window { start, end })
        } else {
            Err(WindowError::Empty { start, end })
        }
    }

    /// The `length` before `end`: `[end - length, end)`.
    pub fn rolling(end: Timestamp, length: SignedDuration) -> Result<Window, WindowError> {
        let start = end
            .checked_sub(length)
            .map_err(|e| WindowError::Calendar(e.to_string()))?;
        Window::new(start, end)
    }

    /// The calendar month `year-month` in `tz`.
    pub fn month(year: i16, month: i8, tz: &TimeZone) -> Result<Window, WindowError> {
        let first = Date::new(year, month, 1).map_err(|e| WindowError::Calendar(e.to_string()))?;
        let next = first
            .checked_add(1.month())
            .map_err(|e| WindowError::Calendar(e.to_string()))?;
        Window::new(start_of(first, tz)?, start_of(next, tz)?)
    }

    /// The calendar month before the one `now` is in.
    pub fn previous_month(now: Timestamp, tz: &TimeZone) -> Result<Window, WindowError> {
        let prev = now
            .to_zoned_datetime(tz.clone())
            .date()
            .first_of_month()
            .checked_sub(1.month())
            .map_err(|e| WindowError::Calendar(e.to_string()))?;
        Window::month(prev.year(), prev.month(), tz)
    }

    /// A month as written by a user: `YYYY-MM` (e.g. `2026-11`), or `previous` for the month
    /// before the one `now` is in; in `tz`.
    ///
    /// ```
    /// use instatus::uptime::Window;
    /// let now = "2026-12-02T07:00:00Z".parse()?;
    /// let tz = instatus::jiff::tz::TimeZone::UTC;
    /// assert_eq!(Window::parse_month("previous", now, &tz)?, Window::month(2026, 11, &tz)?);
    /// assert_eq!(Window::parse_month("2026-02", now, &tz)?.length().as_hours(), 28 * 24);
    /// assert!(Window::parse_month("2026-13", now, &tz).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn parse_month(text: &str, now: Timestamp, tz: &TimeZone) -> Result<Window, WindowError> {
        if text == "previous" {
            return Window::previous_month(now, tz);
        }
        let bad = || {
            WindowError::Calendar(format!(
                "{text:?} is not a month; allowed: YYYY-MM (e.g. 2026-11) or previous"
            ))
        };
        let (y, m) = text.split_once('-').ok_or_else(bad)?;
        if y.len() != 4 || m.len() != 2 {
            return Err(bad());
        }
        let (y, m): (i16, i8) = (y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
        Window::month(y, m, tz).map_err(|_| bad())
    }

    /// The `days` calendar days ending with the day `now` is in (today counts, up to the end
    /// of the day; the part after `now` has no data): what a 90-day uptime bar shows.
    pub fn last_days(now: Timestamp, days: u16, tz: &TimeZone) -> Result<Window, WindowError> {
        if days == 0 || days > 3660 {
            return Err(WindowError::Calendar(format!(
                "days must be 1..=3660, not {days}"
            )));
        }
        let today = now.to_zoned_datetime(tz.clone()).date();
        let first = today
            .checked_sub((i32::from(days) - 1).days())
            .map_err(|e| WindowError::Calendar(e.to_string()))?;
        let end = today
            .tomorrow()
            .map_err(|e| WindowError::Calendar(e.to_string()))?;
        Window::new(start_of(first, tz)?, start_of(end, tz)?)
    }

    /// The length.
    pub fn length(&self) -> SignedDuration {
        self.end.duration_since(self.start)
    }

    /// The calendar days this window touches in `tz`, each clipped to the window.
    pub fn days(&self, tz: &TimeZone) -> Result<Vec<(Date, Window)>, WindowError> {
        let mut out = Vec::new();
        let mut day = self.start.to_zoned_datetime(tz.clone()).date();
        loop {
            let from = start_of(day, tz)?.max(self.start);
            if from >= self.end {
                break;
            }
            let next = day
                .tomorrow()
                .map_err(|e| WindowError::Calendar(e.to_string()))?;
            let to = start_of(next, tz)?.min(self.end);
            out.push((
                day,
                Window {
                    start: from,
                    end: to,
                },
            ));
            day = next;
        }
        Ok(out)
    }
}

/// Midnight at the start of `date` in `tz`.
pub(crate) fn start_of(date: Date, tz: &TimeZone) -> Result<Timestamp, WindowError> {
    date.to_zoned_datetime(tz.clone())
        .map(|z| z.timestamp())
        .map_err(|e| WindowError::Calendar(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn months_have_their_lengths() {
        let utc = TimeZone::UTC;
        for (y, m, days) in [(2026, 2, 28), (2024, 2, 29), (2026, 4, 30), (2026, 12, 31)] {
            let w = Window::month(y, m, &utc).unwrap();
            assert_eq!(w.length().as_secs(), days * 86_400, "{y}-{m}");
            assert_eq!(w.days(&utc).unwrap().len(), days as usize);
        }
        assert!(Window::month(2026, 13, &utc).is_err());
        let prev = Window::previous_month(ts("2026-03-01T00:00:00Z"), &utc).unwrap();
        assert_eq!(prev.start, ts("2026-02-01T00:00:00Z"));
    }

    #[test]
    fn last_days_end_with_today() {
        let w = Window::last_days(ts("2026-12-02T07:00:00Z"), 90, &TimeZone::UTC).unwrap();
        assert_eq!(w.start, ts("2026-09-04T00:00:00Z"));
        assert_eq!(w.end, ts("2026-12-03T00:00:00Z"));
        assert_eq!(w.days(&TimeZone::UTC).unwrap().len(), 90);
    }
}
