//! Unit tests of `calendar.rs` (kept beside it so the code file reads as one concept).

use super::*;
use crate::ephemery::{Schedule, WindowConfig};
use serde_json::json;

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

#[test]
fn escaping_covers_backslash_first_then_separators_and_newlines() {
    assert_eq!(escape(r"a\b;c,d"), r"a\\b\;c\,d");
    assert_eq!(escape("one\r\ntwo\nthree\rfour"), r"one\ntwo\nthree\nfour");
    // A backslash before a separator stays two escapes, not one.
    assert_eq!(escape(r"\;"), r"\\\;");
    assert_eq!(escape("bell\u{7}tab\t"), "belltab\t");
}

#[test]
fn folding_is_at_75_octets_and_never_splits_a_character() {
    let short = "X".repeat(75);
    assert_eq!(fold(&short), format!("{short}\r\n"));
    let long = "X".repeat(76);
    assert_eq!(fold(&long), format!("{}\r\n X\r\n", "X".repeat(75)));
    // 150 octets: 75, then a space + 74, then a space + 1.
    let folded = fold(&"Y".repeat(150));
    let lines: Vec<&str> = folded.trim_end_matches("\r\n").split("\r\n").collect();
    assert_eq!(
        lines.iter().map(|l| l.len()).collect::<Vec<_>>(),
        [75, 75, 2]
    );
    // "é" is two octets: 74 ASCII + "é" would be 76, so "é" moves to the next line.
    let mixed = format!("{}é", "Z".repeat(74));
    assert_eq!(fold(&mixed), format!("{}\r\n é\r\n", "Z".repeat(74)));
    for l in fold(&"€".repeat(100)).split("\r\n") {
        assert!(l.len() <= 75, "{l:?} has {} octets", l.len());
    }
    // Unfolding (remove CRLF + space) gives the line back.
    let text = "DESCRIPTION:".to_owned() + &"Ünïcödé ".repeat(30);
    assert_eq!(
        fold(&text).replace("\r\n ", "").trim_end_matches("\r\n"),
        text
    );
}

fn maintenance(v: serde_json::Value) -> Maintenance {
    serde_json::from_value(v).unwrap()
}

#[test]
fn a_maintenance_becomes_one_event_with_fields_from_the_page() {
    let m = maintenance(json!({
        "id": "ckm1", "name": "Geth, Lighthouse; upgrade", "status": "INPROGRESS",
        "start": "2026-12-10T14:00:00Z", "duration": 90,
        "updates": [
            {"id": "u2", "status": "INPROGRESS", "message": "Started", "createdAt": "2026-12-10T14:01:00Z"},
            {"id": "u1", "status": "NOTSTARTEDYET", "message": "Planned", "createdAt": "2026-12-01T09:00:00Z"},
        ],
    }));
    let o = CalendarOptions::new("Ephemery", "status.example");
    let e = &events(&[m], None, ts("2026-12-10T14:30:00Z"), &o)[0];
    assert_eq!(e.uid, "maintenance-ckm1@status.example");
    assert_eq!(e.dtstamp, ts("2026-12-10T14:01:00Z"));
    assert_eq!(e.end, ts("2026-12-10T15:30:00Z"));
    assert_eq!(e.sequence, 1);
    assert_eq!(e.description, "Started");
    assert_eq!(e.status, EventStatus::Confirmed);
    let ics = render(std::slice::from_ref(e), &o);
    assert_eq!(
            ics,
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//ephemery-testnet//ephemery.instatus calendar//EN\r\n\
             CALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\nX-WR-CALNAME:Ephemery\r\nBEGIN:VEVENT\r\n\
             UID:maintenance-ckm1@status.example\r\nDTSTAMP:20261210T140100Z\r\n\
             DTSTART:20261210T140000Z\r\nDTEND:20261210T153000Z\r\n\
             SUMMARY:Geth\\, Lighthouse\\; upgrade\r\nDESCRIPTION:Started\r\nSTATUS:CONFIRMED\r\n\
             SEQUENCE:1\r\nCATEGORIES:Maintenance\r\nTRANSP:OPAQUE\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        );
}

#[test]
fn called_off_is_cancelled_and_old_history_is_left_out() {
    let off = maintenance(json!({
        "id": "off", "name": "Called off", "status": "COMPLETED",
        "start": "2026-12-20T10:00:00Z", "duration": 30,
        "updates": [
            {"id": "u2", "status": "COMPLETED", "createdAt": "2026-12-05T10:00:00Z"},
            {"id": "u1", "status": "NOTSTARTEDYET", "createdAt": "2026-12-01T10:00:00Z"},
        ],
    }));
    let done = maintenance(json!({
        "id": "done", "name": "Done", "status": "COMPLETED",
        "start": "2026-12-01T10:00:00Z", "duration": 30,
        "updates": [
            {"id": "u3", "status": "COMPLETED", "createdAt": "2026-12-01T10:30:00Z"},
            {"id": "u2", "status": "INPROGRESS", "createdAt": "2026-12-01T10:00:00Z"},
        ],
    }));
    let old = maintenance(json!({
        "id": "old", "name": "Old", "status": "COMPLETED",
        "start": "2026-10-01T10:00:00Z", "duration": 30, "updates": [],
    }));
    assert!(was_called_off(&off));
    assert!(!was_called_off(&done));
    let o = CalendarOptions::new("P", "d");
    let got: Vec<(String, EventStatus)> =
        events(&[off, done, old], None, ts("2026-12-06T00:00:00Z"), &o)
            .into_iter()
            .map(|e| (e.uid, e.status))
            .collect();
    assert_eq!(
        got,
        [
            ("maintenance-done@d".to_owned(), EventStatus::Confirmed),
            ("maintenance-off@d".to_owned(), EventStatus::Cancelled),
        ]
    );
}

#[test]
fn a_reset_keeps_its_uid_from_computed_to_announced() {
    let c = WindowConfig::default();
    let now = ts("2026-12-02T00:00:00Z");
    let windows = ephemery::upcoming_windows(&Schedule::EPHEMERY, &c, now, 2).unwrap();
    let o = CalendarOptions::new("P", "d");
    let resets = Resets {
        windows: &windows,
        marker: &c.marker,
    };
    let computed = events(&[], Some(resets), now, &o);
    assert_eq!(
        computed.iter().map(|e| e.uid.as_str()).collect::<Vec<_>>(),
        ["ephemery-reset-167@d", "ephemery-reset-168@d"]
    );
    assert_eq!(computed[0].dtstamp, ts("2026-11-19T19:00:00Z"));
    assert_eq!(computed[0].maintenance_id, None);
    // Announced on the page: the same UID, the page's data.
    let w = &windows[0];
    let m = maintenance(json!({
        "id": "ckreset", "name": w.name, "status": "NOTSTARTEDYET",
        "start": w.start.to_string(), "duration": w.minutes(),
        "updates": [{"id": "u1", "status": "NOTSTARTEDYET", "message": w.message,
                     "createdAt": "2026-12-02T08:00:00Z"}],
    }));
    let announced = events(&[m], Some(resets), now, &o);
    assert_eq!(announced.len(), 2);
    assert_eq!(announced[0].uid, "ephemery-reset-167@d");
    assert_eq!(announced[0].maintenance_id.as_deref(), Some("ckreset"));
    assert_eq!(announced[0].start, computed[0].start);
    assert_eq!(announced[0].end, computed[0].end);
    assert_eq!(announced[0].categories, ["Maintenance", "Ephemery reset"]);
}

#[test]
fn a_maintenance_of_2_63_minutes_ends_at_the_end_of_the_calendar_instead_of_crashing() {
    // The API accepts 2^63 - 1 minutes; `calendar` answered "crashed (this is a bug)".
    let m = maintenance(json!({
        "id": "huge", "name": "Forever", "status": "INPROGRESS",
        "start": "2026-12-10T14:00:00Z", "duration": i64::MAX, "updates": [],
    }));
    let o = CalendarOptions::new("P", "d");
    let e = &events(
        std::slice::from_ref(&m),
        None,
        ts("2026-12-11T00:00:00Z"),
        &o,
    )[0];
    assert_eq!(e.end, Timestamp::MAX);
    let ics = render(std::slice::from_ref(e), &o);
    assert!(
        ics.contains(&format!("DTEND:{}\r\n", utc(Timestamp::MAX))),
        "{ics}"
    );
    let negative = maintenance(json!({
        "id": "neg", "name": "Backwards", "status": "COMPLETED",
        "start": "2026-12-10T14:00:00Z", "duration": i64::MIN, "updates": [],
    }));
    // Ends at its start, not a crash.
    let e = &events(&[negative], None, ts("2026-12-11T00:00:00Z"), &o)[0];
    assert_eq!(e.end, e.start);
}

#[test]
fn a_computed_reset_is_never_stamped_in_the_future_and_its_announcement_outranks_it() {
    // Regression: reset 168 (two resets ahead) was stamped with 167's genesis, a date in the
    // future, so the announced version (stamped at its creation) looked older to clients.
    let c = WindowConfig::default();
    let now = ts("2026-12-02T00:00:00Z");
    let windows = ephemery::upcoming_windows(&Schedule::EPHEMERY, &c, now, 3).unwrap();
    let o = CalendarOptions::new("P", "d");
    let resets = Resets {
        windows: &windows,
        marker: &c.marker,
    };
    let computed = events(&[], Some(resets), now, &o);
    assert_eq!(computed.len(), 3);
    for e in &computed {
        assert!(
            e.dtstamp <= now,
            "{} stamped {} after {now}",
            e.uid,
            e.dtstamp
        );
        assert_eq!(e.sequence, 0);
    }
    // 166's genesis, the last reset before now, for every computed reset.
    assert_eq!(computed[1].dtstamp, ts("2026-11-19T19:00:00Z"));
    assert_eq!(computed[2].dtstamp, ts("2026-11-19T19:00:00Z"));
    // The same bytes on every run until the next reset passes, then a newer stamp.
    let later = events(&[], Some(resets), ts("2026-12-17T18:00:00Z"), &o);
    assert_eq!(later[1].dtstamp, computed[1].dtstamp);
    let after = ts("2026-12-17T20:30:00Z");
    let windows_after = ephemery::upcoming_windows(&Schedule::EPHEMERY, &c, after, 3).unwrap();
    let next = events(
        &[],
        Some(Resets {
            windows: &windows_after,
            marker: &c.marker,
        }),
        after,
        &o,
    );
    assert!(next.iter().all(|e| e.dtstamp == ts("2026-12-17T19:00:00Z")));

    // Announced (one update, stamped now): SEQUENCE 1 beats the computed 0.
    let w = &windows[1];
    let m = maintenance(json!({
        "id": "ck168", "name": w.name, "status": "NOTSTARTEDYET",
        "start": w.start.to_string(), "duration": w.minutes(),
        "updates": [{"id": "u1", "status": "NOTSTARTEDYET", "message": w.message,
                     "createdAt": "2026-12-01T23:00:00Z"}],
    }));
    let announced = events(&[m], Some(resets), now, &o);
    let e168 = announced
        .iter()
        .find(|e| e.uid == "ephemery-reset-168@d")
        .unwrap();
    assert_eq!(e168.maintenance_id.as_deref(), Some("ck168"));
    assert!(e168.sequence > computed[1].sequence, "{e168:?}");
    assert!(e168.dtstamp <= now);
}
