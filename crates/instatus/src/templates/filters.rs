//! The project's filters, and the words they are made of: times to the minute in the page's
//! time zone, durations, lists, display names and level phrases. The message variables
//! ([`super::MessageVars`]) are made with the same functions, so `{{ started }}` and
//! `{{ started_at | time }}` read the same.

use std::sync::Arc;

use jiff::tz::TimeZone;
use jiff::{civil::Date, Timestamp};
use minijinja::value::{Object, Value};
use minijinja::{Environment, Error, ErrorKind, State};

use crate::model::PATH_SEPARATOR;
use crate::status::Level;

/// Registers the filters in `env`.
pub(super) fn add(env: &mut Environment<'static>) {
    env.add_filter("time", time_filter);
    env.add_filter("duration", duration_filter);
    env.add_filter("and_list", and_list_filter);
    env.add_filter("display_name", |path: String| {
        display_name(&path).to_owned()
    });
    env.add_filter("state", state_filter);
}

/// The last segment of a name path: `Execution Client` for
/// `Ethereum Services/Execution Client`.
pub fn display_name(path: &str) -> &str {
    path.rsplit(PATH_SEPARATOR).next().unwrap_or(path).trim()
}

/// What follows "is" for a level: `working normally`, `running slower than usual`,
/// `partly down`, `down`. It also follows "was", "are" and "has been".
pub fn state_words(level: Level) -> &'static str {
    match level {
        Level::Operational => "working normally",
        Level::Degraded => "running slower than usual",
        Level::PartialOutage => "partly down",
        Level::MajorOutage => "down",
    }
}

/// A list in words: `A`, `A and B`, `A, B and C`.
pub fn and_list<S: AsRef<str>>(items: &[S]) -> String {
    match items {
        [] => String::new(),
        [one] => one.as_ref().to_owned(),
        [init @ .., last] => format!(
            "{} and {}",
            init.iter()
                .map(AsRef::as_ref)
                .collect::<Vec<_>>()
                .join(", "),
            last.as_ref()
        ),
    }
}

/// A length of time in words, to the minute: `less than a minute`, `1 minute`,
/// `2 hours and 5 minutes`, `3 days and 4 hours` (past a day, minutes are left out).
pub fn duration_words(seconds: i64) -> String {
    fn unit(n: i64, one: &str) -> String {
        if n == 1 {
            format!("1 {one}")
        } else {
            format!("{n} {one}s")
        }
    }
    let minutes = seconds.max(0) / 60;
    let (days, hours, minutes) = (minutes / 1440, minutes / 60 % 24, minutes % 60);
    match (days, hours, minutes) {
        (0, 0, 0) => "less than a minute".to_owned(),
        (0, 0, m) => unit(m, "minute"),
        (0, h, 0) => unit(h, "hour"),
        (0, h, m) => format!("{} and {}", unit(h, "hour"), unit(m, "minute")),
        (d, 0, _) => unit(d, "day"),
        (d, h, _) => format!("{} and {}", unit(d, "day"), unit(h, "hour")),
    }
}

/// The time zone's name for `at`: its abbreviation (`UTC`, `CET`, `CEST`, `EST`), or
/// `UTC+5:30` where the zone has none (some zones' abbreviation is a bare offset, `-03`).
pub fn zone_label(tz: &TimeZone, at: Timestamp) -> String {
    let info = tz.to_offset_info(at);
    let abbreviation = info.abbreviation();
    if abbreviation.chars().any(|c| c.is_ascii_alphabetic()) {
        return abbreviation.to_owned();
    }
    let seconds = info.offset().seconds();
    let sign = if seconds < 0 { '-' } else { '+' };
    let (hours, minutes) = (seconds.abs() / 3600, seconds.abs() / 60 % 60);
    match minutes {
        0 => format!("UTC{sign}{hours}"),
        m => format!("UTC{sign}{hours}:{m:02}"),
    }
}

/// The date as `7 Dec`, or `7 Dec 2025` outside `now`'s year.
fn day(date: Date, today: Date) -> String {
    if date.year() == today.year() {
        date.strftime("%-d %b").to_string()
    } else {
        date.strftime("%-d %b %Y").to_string()
    }
}

/// A moment to the minute in `tz`, as people write it: `14:05 UTC` on `now`'s day,
/// `7 Dec, 14:05 CET` on another day, `7 Dec 2025, 14:05 CET` in another year.
pub fn clock(at: Timestamp, now: Timestamp, tz: &TimeZone) -> String {
    let zoned = at.to_zoned_datetime(tz.clone());
    let today = now.to_zoned_datetime(tz.clone()).date();
    let hm = zoned.strftime("%H:%M");
    let zone = zone_label(tz, at);
    if zoned.date() == today {
        format!("{hm} {zone}")
    } else {
        format!("{}, {hm} {zone}", day(zoned.date(), today))
    }
}

/// A span to the minute in `tz`: `from 14:05 to 14:40 UTC` (on `now`'s day unless
/// `always_date`), `on 9 Dec from 14:00 to 15:00 UTC`, `from 9 Dec, 22:00 to 10 Dec, 02:00 UTC`.
/// The zone is said once, or twice when it changes in between (`from 01:30 CEST to 02:30 CET`).
pub fn period(
    start: Timestamp,
    end: Timestamp,
    now: Timestamp,
    tz: &TimeZone,
    always_date: bool,
) -> String {
    let (from, to) = (
        start.to_zoned_datetime(tz.clone()),
        end.to_zoned_datetime(tz.clone()),
    );
    let today = now.to_zoned_datetime(tz.clone()).date();
    let (zone_from, zone_to) = (zone_label(tz, start), zone_label(tz, end));
    let (hm_from, hm_to) = (from.strftime("%H:%M"), to.strftime("%H:%M"));
    let zone_first = if zone_from == zone_to {
        String::new()
    } else {
        format!(" {zone_from}")
    };
    if from.date() == to.date() {
        let on = if from.date() == today && !always_date {
            String::new()
        } else {
            format!("on {} ", day(from.date(), today))
        };
        format!("{on}from {hm_from}{zone_first} to {hm_to} {zone_to}")
    } else {
        format!(
            "from {}, {hm_from}{zone_first} to {}, {hm_to} {zone_to}",
            day(from.date(), today),
            day(to.date(), today)
        )
    }
}

/// The page's time zone inside a render context (`time_zone`): the `time` filter reads it.
/// It prints as its name (`Europe/Berlin`, `UTC`).
#[derive(Debug)]
pub(super) struct PageTimeZone(pub(super) TimeZone);

impl Object for PageTimeZone {
    fn render(self: &Arc<Self>, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result
    where
        Self: Sized + 'static,
    {
        f.write_str(self.0.iana_name().unwrap_or("UTC"))
    }
}

fn parse_time(value: &Value, what: &str) -> Result<Timestamp, Error> {
    let text = value.as_str().ok_or_else(|| {
        Error::new(
            ErrorKind::InvalidOperation,
            format!("{what}: {value} is not a timestamp (RFC 3339 text)"),
        )
    })?;
    text.parse::<Timestamp>().map_err(|e| {
        Error::new(
            ErrorKind::InvalidOperation,
            format!("{what}: '{text}' is not an RFC 3339 timestamp: {e}"),
        )
    })
}

/// `{{ started_at | time }}`: an RFC 3339 timestamp to the minute in the context's
/// `time_zone` (UTC when there is none), the date left out on the day of `now_at` (the
/// render's moment; the wall clock when there is none).
fn time_filter(state: &State, value: Value) -> Result<String, Error> {
    let at = parse_time(&value, "time")?;
    let tz = state
        .lookup("time_zone")
        .and_then(|v| v.downcast_object_ref::<PageTimeZone>().map(|z| z.0.clone()))
        .unwrap_or(TimeZone::UTC);
    let now = match state.lookup("now_at") {
        Some(v) if !v.is_undefined() => parse_time(&v, "time (now_at)")?,
        _ => Timestamp::now(),
    };
    Ok(clock(at, now, &tz))
}

/// `{{ 1500 | duration }}`: seconds in words (`25 minutes`).
fn duration_filter(value: Value) -> Result<String, Error> {
    let seconds = value
        .as_i64()
        .or_else(|| f64::try_from(value.clone()).ok().map(|f| f as i64))
        .ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidOperation,
                format!("duration: {value} is not a number of seconds"),
            )
        })?;
    Ok(duration_words(seconds))
}

/// `{{ names | and_list }}`: `A, B and C`.
fn and_list_filter(value: Value) -> Result<String, Error> {
    let items: Vec<String> = value
        .try_iter()
        .map_err(|_| {
            Error::new(
                ErrorKind::InvalidOperation,
                format!("and_list: {value} is not a list"),
            )
        })?
        .map(|v| v.to_string())
        .collect();
    Ok(and_list(&items))
}

/// `{{ 'major_outage' | state }}`: `down` (any level spelling).
fn state_filter(value: String) -> Result<String, Error> {
    Level::parse(&value)
        .map(|level| state_words(level).to_owned())
        .map_err(|e| Error::new(ErrorKind::InvalidOperation, format!("state: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn durations_read_as_words() {
        for (seconds, words) in [
            (-5, "less than a minute"),
            (59, "less than a minute"),
            (60, "1 minute"),
            (25 * 60 + 59, "25 minutes"),
            (3600, "1 hour"),
            (3600 + 60, "1 hour and 1 minute"),
            (2 * 3600 + 5 * 60, "2 hours and 5 minutes"),
            (86400 + 59 * 60, "1 day"),
            (3 * 86400 + 4 * 3600 + 7 * 60, "3 days and 4 hours"),
        ] {
            assert_eq!(duration_words(seconds), words, "{seconds}");
        }
    }

    #[test]
    fn lists_read_as_words() {
        assert_eq!(and_list::<&str>(&[]), "");
        assert_eq!(and_list(&["A"]), "A");
        assert_eq!(and_list(&["A", "B"]), "A and B");
        assert_eq!(and_list(&["A", "B", "C"]), "A, B and C");
    }

    #[test]
    fn times_to_the_minute_with_the_date_only_on_another_day() {
        let now = ts("2026-12-07T22:30:00Z");
        let utc = TimeZone::UTC;
        let berlin = TimeZone::get("Europe/Berlin").unwrap();
        // A zone whose abbreviation is a bare offset (-03), and a fixed offset.
        let sao_paulo = TimeZone::get("America/Sao_Paulo").unwrap();
        let india = TimeZone::fixed(jiff::tz::Offset::from_seconds(19800).unwrap());
        for (tz, at, words) in [
            (&utc, "2026-12-07T22:12:21.829898261Z", "22:12 UTC"),
            (&utc, "2026-12-06T14:05:00Z", "6 Dec, 14:05 UTC"),
            (&utc, "2025-12-31T23:59:00Z", "31 Dec 2025, 23:59 UTC"),
            // Berlin is an hour ahead in winter: 22:12 UTC is 23:12 CET, now's day there.
            (&berlin, "2026-12-07T22:12:00Z", "23:12 CET"),
            // 23:30 UTC is already the 8th in Berlin, and `now` is still the 7th there.
            (&berlin, "2026-12-07T23:30:00Z", "8 Dec, 00:30 CET"),
            (&berlin, "2026-07-01T12:00:00Z", "1 Jul, 14:00 CEST"),
            (&sao_paulo, "2026-12-07T15:00:00Z", "12:00 UTC-3"),
            // In India `now` is already 04:00 on the 8th, so 20:30 on the 7th has its date.
            (&india, "2026-12-07T15:00:00Z", "7 Dec, 20:30 UTC+5:30"),
        ] {
            assert_eq!(clock(ts(at), now, tz), words, "{at}");
        }
    }

    #[test]
    fn periods_say_the_date_and_zone_once() {
        let now = ts("2026-12-07T16:00:00Z");
        let utc = TimeZone::UTC;
        let (a, b) = (ts("2026-12-07T14:05:00Z"), ts("2026-12-07T14:40:00Z"));
        assert_eq!(period(a, b, now, &utc, false), "from 14:05 to 14:40 UTC");
        assert_eq!(
            period(a, b, now, &utc, true),
            "on 7 Dec from 14:05 to 14:40 UTC"
        );
        let (a, b) = (ts("2026-12-09T22:00:00Z"), ts("2026-12-10T02:00:00Z"));
        assert_eq!(
            period(a, b, now, &utc, false),
            "from 9 Dec, 22:00 to 10 Dec, 02:00 UTC"
        );
        // Across the end of summer time in Berlin (25 Oct 2026, 03:00 CEST → 02:00 CET).
        let berlin = TimeZone::get("Europe/Berlin").unwrap();
        let (a, b) = (ts("2026-10-25T00:30:00Z"), ts("2026-10-25T01:30:00Z"));
        assert_eq!(
            period(a, b, now, &berlin, true),
            "on 25 Oct from 02:30 CEST to 02:30 CET"
        );
    }

    #[test]
    fn filters_in_a_template() {
        let mut env = Environment::new();
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        add(&mut env);
        let ctx = minijinja::context! {
            time_zone => Value::from_object(PageTimeZone(TimeZone::get("Europe/Berlin").unwrap())),
            now_at => "2026-12-07T16:00:00Z",
            at => "2026-12-07T14:05:00Z",
        };
        let render = |source: &str| env.render_str(source, &ctx);
        assert_eq!(render("{{ at | time }}").unwrap(), "15:05 CET");
        assert_eq!(render("{{ time_zone }}").unwrap(), "Europe/Berlin");
        assert_eq!(
            render("{{ 5400 | duration }}").unwrap(),
            "1 hour and 30 minutes"
        );
        assert_eq!(
            render("{{ 'Group/Sub/Leaf' | display_name }}").unwrap(),
            "Leaf"
        );
        assert_eq!(
            render("{{ 'degraded' | state }}").unwrap(),
            "running slower than usual"
        );
        assert_eq!(render("{{ [] | and_list }}").unwrap(), "");
        let err = render("{{ 'yesterday' | time }}").unwrap_err();
        assert!(
            err.to_string().contains("'yesterday' is not an RFC 3339"),
            "{err}"
        );
        let err = render("{{ 'bad' | state }}").unwrap_err();
        assert!(err.to_string().contains("allowed values"), "{err}");
        // Without a time zone in the context: UTC.
        assert_eq!(
            env.render_str(
                "{{ at | time }}",
                minijinja::context! { at => "2026-12-07T14:05:00Z", now_at => "2026-12-07T16:00:00Z" }
            )
            .unwrap(),
            "14:05 UTC"
        );
    }
}
