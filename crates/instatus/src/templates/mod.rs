//! Texts from templates: the project's one template [`environment`] (every renderer uses it:
//! messages, Ephemery reset windows, impact statements, uptime reports) and the
//! [`MessageCatalog`], the titles and messages of incidents and maintenances per incident type.
//! (Not to be confused with Instatus's own incident templates, [`crate::api::templates`].)
//!
//! **Limits.** Every render has a budget of [`FUEL`] steps and [`MAX_OUTPUT_BYTES`] of text,
//! so a configured template that loops 10^10 times fails at once with a clear error
//! ([`RenderError::OutOfFuel`]) instead of hanging the process.
//! Memory is not bounded here: minijinja 2 has no memory limit, and a template that doubles a
//! text in a loop (`{% set ns.s = ns.s ~ ns.s %}`) needs gigabytes within a few dozen steps.
//! The binaries bound it: the module binary runs each module under a memory ceiling and reports
//! a run past it naming the template options; the bridge's one-shot commands run under one too.
//!
//! **Catalog.** A type (`default`, `degraded_performance`, `partial_outage`, `major_outage`,
//! `maintenance`, or any name a configuration adds) has a title template and a message
//! template per [`Stage`]; what a type leaves out comes from `default`, and an unknown type
//! renders as `default`. Configured [`MessageSet`]s lay over the built-in ones part by part;
//! [`MessageSet::from`] turns the status engine's `incidents.templates` into a set (only the
//! texts it changed). Every template is checked when the catalog is built: a variable that
//! does not exist, in any branch, is an error naming the template
//! (`templates.major_outage.opened: uses levle, which is not a variable here; ...`).
//!
//! **Variables** of a message template ([`MessageVars`] makes them):
//!
//! | variable | example |
//! | --- | --- |
//! | `stage` | `opened`, `updated`, `monitoring`, `resolved`, `reopened`, `scheduled`, `started`, `completed`, `extended` |
//! | `name` (and `component`, its old name) | `Execution Client`: the display name, the path's last segment |
//! | `path` | `Ethereum Services/Execution Client` (not for public text) |
//! | `dependants` | `["Consensus Client", "Validator Client"]`: affected through it (display names) |
//! | `components` | every component of the notice (display names): the root and its dependants, or the maintained ones |
//! | `level`, `previous_level` | `major outage` (a noun phrase) |
//! | `state`, `previous_state` | `down`, `partly down`, `running slower than usual`, `working normally`: what follows "is" |
//! | `escalated`, `deescalated` | whether the level rose or fell since `previous_level` |
//! | `status` | `MAJOROUTAGE` (Instatus's spelling) |
//! | `started`, `recovered`, `now`, `start`, `end` | `14:05 UTC`, `7 Dec, 14:05 CET`: to the minute in the page's time zone, the date left out on the day of `now` |
//! | `started_at`, `recovered_at`, `now_at`, `start_at`, `end_at` | the same as RFC 3339, for the `time` filter |
//! | `duration` | `35 minutes`: from `started` to `recovered` (or `now`) |
//! | `period` | `from 14:05 to 14:40 UTC`: the same span |
//! | `window`, `window_length` | `on 9 Dec from 14:00 to 15:00 UTC`, `1 hour`: a maintenance's |
//! | `impact` | a maintenance's impact statement |
//! | `time_zone` | `Europe/Berlin` |
//! | `alerts`, `summaries`, `links`, `marker` | the firing alerts (`labels`, `annotations`, `starts_at`), their `summary` annotations, links by name (`grafana`, `runbook`), the automation marker |
//! | `extra` | any other values (`extra.disk`) |
//!
//! Filters: `time` (`{{ started_at | time }}`), `duration` (seconds → `25 minutes`), `and_list`
//! (`A, B and C`), `display_name`, `state` (`{{ 'major_outage' | state }}` → `down`).
//!
//! ```
//! use instatus::status::Level;
//! use instatus::templates::{MessageCatalog, MessageVars, Stage};
//!
//! let catalog = MessageCatalog::builtin();
//! let now = "2026-12-07T14:40:00Z".parse()?;
//! let vars = MessageVars::incident("Ethereum Services/Execution Client", Level::Operational, now)
//!     .previous_level(Level::MajorOutage)
//!     .started("2026-12-07T14:05:00Z".parse()?)
//!     .time_zone(instatus::jiff::tz::TimeZone::get("Europe/Berlin")?);
//! let notice = catalog.render(vars.incident_type(), Stage::Monitoring, &vars)?;
//! assert_eq!(notice.title, "Execution Client has recovered");
//! assert_eq!(
//!     notice.message,
//!     "Execution Client is working normally again. The problem lasted 35 minutes, from 15:05 to \
//!      15:40 CET. We are keeping an eye on it to make sure it stays that way."
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod builtin;
mod catalog;
mod environment;
pub mod filters;
mod vars;

pub use builtin::builtin_sets;
pub use catalog::{MessageCatalog, MessageSet, Notice, Stage, UnknownStage, DEFAULT_TYPE};
pub use environment::{
    environment, render, render_str, RenderError, TemplateError, FUEL, MAX_OUTPUT_BYTES,
};
pub use vars::{MessageVars, VARIABLES};
