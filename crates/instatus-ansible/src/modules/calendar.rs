//! `ephemery.instatus.calendar`: the page's maintenances (recent and upcoming, Ephemery's resets
//! included) as an iCalendar file (RFC 5545), written only when its text changes.
//!
//! The document is the library's ([`instatus::calendar`]): stable UIDs, `DTSTAMP` and `SEQUENCE`
//! from the page and never from the clock, so the same page gives the same bytes and a rerun
//! writes nothing. This file reads the page, compares with the file and writes it (through a
//! temporary file in the same directory, renamed over it).

use std::path::{Path, PathBuf};

use instatus::api::maintenances;
use instatus::calendar::{self, CalendarOptions as DocOptions, Resets};
use instatus::ephemery;
use instatus::model::StatusPage;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::common::{Api, CommonOptions};
use crate::protocol::{AnsibleModule, Context, Diff, Failure, Outcome};
use crate::schedule::ScheduleOptions;

/// The module.
pub struct CalendarModule;

/// Options of `ephemery.instatus.calendar`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct CalendarOptions {
    /// Connection options.
    #[serde(flatten)]
    pub common: CommonOptions,

    /// The schedule of the Ephemery resets (the options of M(ephemery.instatus.ephemery_resets)),
    /// used with O(resets).
    #[serde(flatten)]
    pub schedule: ScheduleOptions,

    /// The file to write (its directory must exist), e.g. C(/var/www/ephemery/maintenance.ics).
    pub dest: String,

    /// Include the next O(count) Ephemery resets: those already announced on the page (found by
    /// their token, with the UID C(ephemery-reset-ITERATION@DOMAIN)) and those only computed from
    /// the schedule, with the same UID, so a calendar updates the event when the reset is
    /// announced.
    #[serde(default = "yes")]
    pub resets: bool,

    /// The calendar's name (C(X-WR-CALNAME)); default the page's name.
    pub calendar_name: Option<String>,

    /// The right-hand side of every UID; default the page's custom domain, else
    /// C(SUBDOMAIN.instatus.com). Changing it changes every UID.
    pub uid_domain: Option<String>,

    /// Maintenances that ended more than this many days ago are left out (0 to 3660).
    #[serde(default = "default_past_days")]
    pub past_days: i64,

    /// Each event's C(URL); default the public page (C(https://) and the domain of O(uid_domain)'s
    /// default).
    pub url: Option<String>,
}

fn yes() -> bool {
    true
}

fn default_past_days() -> i64 {
    30
}

impl AnsibleModule for CalendarModule {
    const NAME: &'static str = "calendar";
    type Options = CalendarOptions;

    fn run(options: CalendarOptions, ctx: &mut Context) -> Result<Outcome, Failure> {
        Api::run(&options.common, ctx, |api, ctx| run(&options, api, ctx))
    }
}

fn run(
    options: &CalendarOptions,
    api: &mut Api<'_>,
    ctx: &mut Context,
) -> Result<Outcome, Failure> {
    // Everything that needs no request is checked first (the client is built on the first
    // request).
    let (schedule, config, now) = options.schedule.parse()?;
    if !(0..=3660).contains(&options.past_days) {
        return Err(Failure::new(format!(
            "past_days: {} is out of range; allowed: 0 to 3660",
            options.past_days
        )));
    }
    let dest = check_dest(&options.dest)?;
    if let Some(domain) = &options.uid_domain {
        check_domain(domain)?;
    }
    let windows = if options.resets {
        ephemery::upcoming_windows(&schedule, &config, now, options.schedule.count)
            .map_err(|e| Failure::new(e.to_string()))?
    } else {
        Vec::new()
    };
    let page = api.page()?;
    let all = api.list_all(maintenances::list(&page.id))?;
    let doc_options = doc_options(options, &page);
    let resets = options.resets.then_some(Resets {
        windows: &windows,
        marker: &options.schedule.marker,
    });
    let events = calendar::events(&all, resets, now, &doc_options);
    let text = calendar::render(&events, &doc_options);
    write_if_changed(&dest, &text, ctx.check_mode()).map(|(changed, before)| {
        let n = events.len();
        let msg = match (changed, ctx.check_mode()) {
            (false, _) => format!("{} is up to date ({n} events)", dest.display()),
            (true, true) => format!("would write {} ({n} events)", dest.display()),
            (true, false) => format!("wrote {} ({n} events)", dest.display()),
        };
        Outcome::new(changed, msg)
            .with("dest", json!(dest.display().to_string()))
            .with(
                "events",
                Value::Array(events.iter().map(event_json).collect()),
            )
            .with("size", json!(text.len()))
            .with("now", json!(now.to_string()))
            .with_diff(
                Diff::text(readable(before.as_deref().unwrap_or("")), readable(&text)).headers(
                    if before.is_some() {
                        dest.display().to_string()
                    } else {
                        format!("{} (absent)", dest.display())
                    },
                    dest.display().to_string(),
                ),
            )
    })
}

/// An event as the result shows it: times to the second, as in the document.
fn event_json(e: &calendar::Event) -> Value {
    let t = |t: jiff::Timestamp| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
    json!({
        "uid": e.uid,
        "dtstamp": t(e.dtstamp),
        "start": t(e.start),
        "end": t(e.end),
        "summary": e.summary,
        "description": e.description,
        "status": e.status,
        "sequence": e.sequence,
        "categories": e.categories,
        "maintenance_id": e.maintenance_id,
        "stage": e.stage,
    })
}

/// The page's defaults (`calendar::page_options`) with the options given.
fn doc_options(o: &CalendarOptions, page: &StatusPage) -> DocOptions {
    let mut d = calendar::page_options(page).overridden(
        o.calendar_name.as_deref(),
        o.uid_domain.as_deref(),
        o.past_days,
    );
    if let Some(url) = &o.url {
        d.url = Some(url.clone());
    }
    d
}

fn check_dest(dest: &str) -> Result<PathBuf, Failure> {
    if dest.trim().is_empty() {
        return Err(Failure::new("dest: is empty; allowed: a file path"));
    }
    let path = PathBuf::from(dest);
    if path.is_dir() {
        return Err(Failure::new(format!(
            "dest: {dest} is a directory; allowed: a file path"
        )));
    }
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !parent.is_dir() {
        return Err(Failure::new(format!(
            "dest: the directory {} does not exist",
            parent.display()
        )));
    }
    Ok(path)
}

fn check_domain(domain: &str) -> Result<(), Failure> {
    let ok = !domain.is_empty()
        && domain
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    if ok {
        Ok(())
    } else {
        Err(Failure::new(format!(
            "uid_domain: {domain:?} is not allowed; allowed: a domain name (letters, digits, '.', '-', '_')"
        )))
    }
}

/// The text a `--diff` shows: lines without their CR, continuation lines joined back.
fn readable(ics: &str) -> String {
    let mut out = String::with_capacity(ics.len());
    for line in ics.split("\r\n") {
        if let Some(rest) = line.strip_prefix(' ') {
            out.push_str(rest);
        } else {
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(line);
        }
    }
    out
}

/// Compares `text` with the file and, unless in check mode, writes it when it differs. Returns
/// whether it differs and the file's text before (None when there was no file).
fn write_if_changed(
    dest: &Path,
    text: &str,
    check: bool,
) -> Result<(bool, Option<String>), Failure> {
    // Regular files only: a FIFO at dest would block the read for ever (issue 18).
    let before = crate::protocol::files::read_existing(dest, 64 << 20)
        .map_err(|e| Failure::new(format!("dest: {} {e}", dest.display())))?
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned());
    let changed = before.as_deref() != Some(text);
    if changed && !check {
        let name = dest
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "calendar.ics".into());
        let tmp = dest.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
        let result = std::fs::write(&tmp, text).and_then(|()| std::fs::rename(&tmp, dest));
        if let Err(e) = result {
            let _ = std::fs::remove_file(&tmp);
            return Err(Failure::new(format!(
                "dest: cannot write {}: {e}",
                dest.display()
            )));
        }
    }
    Ok((changed, before))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readable_unfolds_and_drops_the_crs() {
        let ics = "BEGIN:VCALENDAR\r\nDESCRIPTION:abc\r\n def\r\nEND:VCALENDAR\r\n";
        assert_eq!(
            readable(ics),
            "BEGIN:VCALENDAR\nDESCRIPTION:abcdef\nEND:VCALENDAR\n"
        );
    }

    #[test]
    fn dest_and_domain_are_checked_with_the_option_named() {
        assert!(check_dest("")
            .unwrap_err()
            .msg
            .starts_with("dest: is empty"));
        assert!(check_dest("/nonexistent-dir-for-test/x.ics")
            .unwrap_err()
            .msg
            .starts_with("dest: the directory /nonexistent-dir-for-test does not exist"));
        assert!(check_dest("/tmp")
            .unwrap_err()
            .msg
            .contains("is a directory"));
        assert!(check_dest("/tmp/x.ics").is_ok());
        assert!(check_domain("ephemery.instatus.com").is_ok());
        assert!(check_domain("a b")
            .unwrap_err()
            .msg
            .starts_with("uid_domain: \"a b\" is not allowed"));
    }

    #[test]
    fn writes_only_when_the_text_differs_and_never_in_check_mode() {
        let dir = std::env::temp_dir().join(format!("calendar-module-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("c.ics");
        let _ = std::fs::remove_file(&f);
        assert_eq!(write_if_changed(&f, "A\r\n", true).unwrap(), (true, None));
        assert!(!f.exists(), "check mode wrote");
        assert_eq!(write_if_changed(&f, "A\r\n", false).unwrap(), (true, None));
        assert_eq!(std::fs::read_to_string(&f).unwrap(), "A\r\n");
        assert_eq!(
            write_if_changed(&f, "A\r\n", false).unwrap(),
            (false, Some("A\r\n".into()))
        );
        assert_eq!(
            std::fs::read_dir(&dir).unwrap().count(),
            1,
            "no temp file left"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
