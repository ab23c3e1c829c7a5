//! `instatus-bridge report`: the page's uptime report (Markdown, standalone HTML with 90-day
//! SVG bars, JSON), computed by [`instatus::uptime`] from the incident and maintenance history
//! that [`instatus::uptime::fetch`] reads, rendered and written by the same code as the Ansible
//! module `ephemery.instatus.report`. Optionally an internal SLO per component from a
//! Prometheus range query (`up`, `probe_success`), beside the public figure.
//!
//! Writes only the files whose content differs; with no file given, prints the Markdown. Exit
//! 0 done, 1 error (nothing written), 2 written but an internal query failed (its row says no
//! data: silence is not health).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use instatus::jiff::tz::TimeZone;
use instatus::jiff::{SignedDuration, Timestamp};
use instatus::sources::prometheus::Prometheus;
use instatus::uptime::internal::{self, Availability};
use instatus::uptime::report::{
    render, write_if_changed, Colors, Format, InternalSpec, Report, ReportOptions, SlaSpec,
};
use instatus::uptime::sla::Target;
use instatus::uptime::{fetch, Window, WindowError};
use instatus::{Client, RetryPolicy};

use crate::config::Settings;

/// The options of `instatus-bridge report`.
#[derive(Clone, Debug, clap::Args)]
pub struct ReportArgs {
    /// The calendar month, YYYY-MM, or `previous` (the default without --days): the month
    /// before the current one.
    #[arg(long, conflicts_with = "days")]
    pub month: Option<String>,
    /// A rolling window of this many days (1 to 3660) ending at --end (default now).
    #[arg(long)]
    pub days: Option<u16>,
    /// The end of the --days window (RFC 3339, e.g. 2026-12-01T00:00:00Z).
    #[arg(long, requires = "days")]
    pub end: Option<String>,
    /// Write the Markdown report here.
    #[arg(long)]
    pub markdown: Option<PathBuf>,
    /// Write the standalone HTML report here.
    #[arg(long)]
    pub html: Option<PathBuf>,
    /// Write the JSON report here.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// An SLA target, NAME=PERCENT (a component or group, by name or Group/Name path);
    /// repeatable.
    #[arg(long = "sla", value_name = "NAME=PERCENT")]
    pub slas: Vec<String>,
    /// An internal SLO beside the public figure, NAME=PROMQL (e.g.
    /// 'Execution Client=up{job="geth"}'), from a range query over the window to the
    /// config's Prometheus; repeatable.
    #[arg(long = "internal", value_name = "NAME=PROMQL")]
    pub internal: Vec<String>,
    /// The time zone of months and days (IANA name).
    #[arg(long, default_value = "UTC")]
    pub time_zone: String,
    /// Days in the uptime bars (0 for none).
    #[arg(long, default_value_t = 90)]
    pub bar_days: u16,
    /// The title; `Uptime report: <page name>` without it.
    #[arg(long)]
    pub title: Option<String>,
}

impl Default for ReportArgs {
    /// The command line's defaults: the previous month, UTC, 90-day bars, Markdown on stdout.
    fn default() -> Self {
        ReportArgs {
            month: None,
            days: None,
            end: None,
            markdown: None,
            html: None,
            json: None,
            slas: Vec::new(),
            internal: Vec::new(),
            time_zone: "UTC".into(),
            bar_days: 90,
            title: None,
        }
    }
}

/// Exit code: the report was written (or printed), but an internal query failed.
pub const EXIT_INTERNAL_FAILED: u8 = 2;

/// A command-line option of `report` that cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{option}: {problem}")]
pub struct OptionError {
    /// The option as written (`--days`, `--sla "Execution Client=x"`).
    pub option: String,
    /// What is wrong, with the allowed form.
    pub problem: String,
}

fn bad(option: impl Into<String>, problem: impl Into<String>) -> OptionError {
    OptionError {
        option: option.into(),
        problem: problem.into(),
    }
}

/// Why `report` wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum ReportCommandError {
    /// An option cannot be used.
    #[error(transparent)]
    Option(#[from] OptionError),
    /// A client cannot be built.
    #[error(transparent)]
    Client(#[from] instatus::Error),
    /// The page cannot be found.
    #[error(transparent)]
    FindPage(#[from] instatus::lookup::LookupError),
    /// The page's history cannot be read.
    #[error(transparent)]
    History(#[from] fetch::FetchError),
    /// `--internal` without Prometheus.
    #[error("--internal needs a `prometheus` section in the config (or PROMETHEUS_URL)")]
    NoPrometheus,
    /// The report cannot be built or rendered.
    #[error(transparent)]
    Report(#[from] instatus::uptime::report::ReportError),
    /// A file cannot be written.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

/// The report's options from the command line, checked before any request; the error names
/// the option.
pub fn options(args: &ReportArgs, now: Timestamp) -> Result<ReportOptions, OptionError> {
    let tz = TimeZone::get(&args.time_zone).map_err(|_| {
        bad(
            "--time-zone",
            format!(
                "{:?} is not a known IANA time zone (e.g. UTC, Europe/Berlin)",
                args.time_zone
            ),
        )
    })?;
    let (window, label) = match args.days {
        Some(days) => {
            if !(1..=3660).contains(&days) {
                return Err(bad(
                    "--days",
                    format!("{days} is out of range; allowed: 1 to 3660"),
                ));
            }
            let end = match &args.end {
                Some(e) => e.parse::<Timestamp>().map_err(|_| {
                    bad(
                        "--end",
                        format!("{e:?} is not an RFC 3339 time such as 2026-12-01T00:00:00Z"),
                    )
                })?,
                None => now,
            };
            let w = Window::rolling(end, SignedDuration::from_hours(24 * i64::from(days)))
                .map_err(|e| bad("--days", e.to_string()))?;
            let to = end.to_zoned_datetime(tz.clone()).strftime("%Y-%m-%d %H:%M");
            (
                w,
                format!("{days} day{} to {to}", if days == 1 { "" } else { "s" }),
            )
        }
        None => {
            let m = args.month.as_deref().unwrap_or("previous");
            let w = Window::parse_month(m, now, &tz).map_err(|e| match e {
                WindowError::Calendar(why) => bad("--month", why),
                other => bad("--month", other.to_string()),
            })?;
            let label = w.start.to_zoned_datetime(tz.clone()).strftime("%B %Y");
            (w, label.to_string())
        }
    };
    if args.bar_days > 3660 {
        return Err(bad(
            "--bar-days",
            format!("{} is out of range; allowed: 0 to 3660", args.bar_days),
        ));
    }
    let mut o = ReportOptions::new(window);
    o.window_label = Some(label);
    o.time_zone = tz;
    o.bar_days = args.bar_days;
    o.title = args.title.clone();
    for s in &args.slas {
        let (name, pct) = split("--sla", s, "NAME=PERCENT, e.g. 'Execution Client=99.9'")?;
        let target = pct
            .parse::<f64>()
            .map_err(|_| bad(format!("--sla {s:?}"), format!("{pct:?} is not a number")))
            .and_then(|p| {
                Target::percent(p).map_err(|e| bad(format!("--sla {s:?}"), e.to_string()))
            })?;
        o.slas.push(SlaSpec {
            component: name.to_owned(),
            target,
        });
    }
    for s in &args.internal {
        split(
            "--internal",
            s,
            "NAME=PROMQL, e.g. 'Execution Client=up{job=\"geth\"}'",
        )?;
    }
    Ok(o)
}

/// `NAME=VALUE` split at the first `=`, both sides non-empty.
fn split<'a>(option: &str, s: &'a str, form: &str) -> Result<(&'a str, &'a str), OptionError> {
    match s.split_once('=') {
        Some((n, v)) if !n.trim().is_empty() && !v.trim().is_empty() => Ok((n.trim(), v.trim())),
        _ => Err(bad(format!("{option} {s:?}"), format!("expected {form}"))),
    }
}

/// Runs `report`: the exit code (0 written, [`EXIT_INTERNAL_FAILED`]), or why nothing was
/// written.
pub fn run(settings: &Settings, args: &ReportArgs) -> Result<ExitCode, ReportCommandError> {
    let now = Timestamp::now();
    let mut options = options(args, now)?;
    let i = &settings.config.instatus;
    let client = Client::builder(settings.api_key.clone())
        .base_url(i.base_url.clone())
        .timeout(Duration::from_secs(i.timeout_secs))
        .user_agent(concat!("instatus-bridge/", env!("CARGO_PKG_VERSION")))
        .build()?;
    let page = instatus::lookup::find_page(&client, &settings.page)?;
    let (page, history) = fetch::page_history(&client, &page.id)?;
    let mut internal_failed = false;
    if !args.internal.is_empty() {
        let Some(p) = &settings.config.prometheus else {
            return Err(ReportCommandError::NoPrometheus);
        };
        let foreign = Client::builder("unused")
            .timeout(Duration::from_secs(p.timeout_secs))
            .retry(RetryPolicy::none())
            .build()?;
        let prometheus = Prometheus::new(foreign, p.url.clone());
        let (start, end) = (options.window.start, options.window.end.min(now));
        for s in &args.internal {
            let Ok((name, query)) = split("--internal", s, "") else {
                continue; // checked by `options`
            };
            let availability = match internal::measure(&prometheus, query, start, end) {
                Ok(a) => a,
                Err(e) => {
                    eprintln!("instatus-bridge: report: internal SLO of {name} ({query}): {e}; shown as no data");
                    internal_failed = true;
                    Availability {
                        expected: 0,
                        series: Vec::new(),
                    }
                }
            };
            options.internal.push(InternalSpec {
                component: name.to_owned(),
                query: query.to_owned(),
                availability,
            });
        }
    }
    let report = Report::build(page.name_str(), Colors::of(&page), &history, &options, now)?;
    let outputs: Vec<(Format, &PathBuf)> = [
        (Format::Markdown, &args.markdown),
        (Format::Html, &args.html),
        (Format::Json, &args.json),
    ]
    .into_iter()
    .filter_map(|(f, p)| p.as_ref().map(|p| (f, p)))
    .collect();
    if outputs.is_empty() {
        print!("{}", render(&report, Format::Markdown)?);
    }
    // Render everything first, so an error writes nothing.
    let mut rendered = Vec::new();
    for (format, path) in outputs {
        rendered.push((format, path, render(&report, format)?));
    }
    for (format, path, text) in rendered {
        match write_if_changed(path, &text) {
            Ok(true) => println!("written     {} ({})", path.display(), format.name()),
            Ok(false) => println!("up to date  {} ({})", path.display(), format.name()),
            Err(source) => {
                return Err(ReportCommandError::Write {
                    path: path.clone(),
                    source,
                })
            }
        }
    }
    Ok(if internal_failed {
        ExitCode::from(EXIT_INTERNAL_FAILED)
    } else {
        ExitCode::SUCCESS
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(args: ReportArgs) -> String {
        options(&args, "2026-12-02T07:00:00Z".parse().unwrap())
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn the_previous_month_by_default() {
        let o = options(
            &ReportArgs::default(),
            "2026-12-02T07:00:00Z".parse().unwrap(),
        )
        .unwrap();
        assert_eq!(o.window.start.to_string(), "2026-11-01T00:00:00Z");
        assert_eq!(o.window_label.as_deref(), Some("November 2026"));
    }

    #[test]
    fn bad_options_name_the_option_and_the_allowed_form() {
        let month = |m: &str| ReportArgs {
            month: Some(m.into()),
            ..ReportArgs::default()
        };
        assert_eq!(
            err(month("2026-13")),
            "--month: \"2026-13\" is not a month; allowed: YYYY-MM (e.g. 2026-11) or previous"
        );
        assert!(err(ReportArgs {
            days: Some(0),
            ..ReportArgs::default()
        })
        .starts_with("--days: 0 is out of range"));
        assert!(err(ReportArgs {
            slas: vec!["Execution Client".into()],
            ..ReportArgs::default()
        })
        .starts_with("--sla \"Execution Client\": expected NAME=PERCENT"));
        assert!(err(ReportArgs {
            slas: vec!["EL=100".into()],
            ..ReportArgs::default()
        })
        .starts_with("--sla \"EL=100\": target: 100 is not a percentage"));
        assert!(err(ReportArgs {
            internal: vec!["=up".into()],
            ..ReportArgs::default()
        })
        .starts_with("--internal \"=up\": expected NAME=PROMQL"));
        assert!(err(ReportArgs {
            time_zone: "Mars/Olympus".into(),
            ..ReportArgs::default()
        })
        .starts_with("--time-zone: \"Mars/Olympus\""));
    }
}
