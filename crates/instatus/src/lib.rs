#![doc = include_str!("../README.md")]
//!
//! # A runnable example
//!
//! Build the Ephemery component tree and print it. The example runs against
//! `instatus-emulator`, the local stand-in for Instatus; against the real service, build the
//! client with [`Client::builder_from_env`] and set `INSTATUS_API_KEY`.
//!
//! ```
//! use instatus::api::{self, components::CreateComponentRequest};
//! use instatus::model::ComponentTree;
//! use instatus::Client;
//! # let emulator = instatus_emulator::Emulator::start(instatus_emulator::Config::default()).unwrap();
//! # let (base_url, api_key) = (emulator.url(), emulator.api_key().to_owned());
//! # let page_id = emulator.create_page("ephemery", "Ephemery");
//!
//! let client = Client::builder(api_key).base_url(base_url).build()?;
//! let page = instatus::model::PageId::new(page_id);
//!
//! let group = client.send(api::components::create(
//!     &page,
//!     &CreateComponentRequest::new("Ethereum Services"),
//! ))?;
//! for name in ["Execution Client", "Consensus Client"] {
//!     let child = CreateComponentRequest::new(name).in_group(group.id.clone());
//!     client.send(api::components::create(&page, &child))?;
//! }
//!
//! let tree = ComponentTree::from_components(client.list_all(api::components::list(&page))?);
//! assert!(tree.find("Ethereum Services/Consensus Client").is_some());
//! print!("{}", tree.render());
//! # Ok::<(), instatus::Error>(())
//! ```
//!
//! # Building requests
//!
//! Request bodies are `#[non_exhaustive]`, so they are built with a constructor for the required
//! fields and a chainable setter per optional one, named after the field:
//!
//! ```
//! use instatus::api::{incidents::CreateIncidentRequest, ComponentStatusEntry};
//! use instatus::jiff::Timestamp;
//! use instatus::model::{ComponentId, ComponentStatus, IncidentStatus};
//!
//! let body = CreateIncidentRequest::new("Execution client down", IncidentStatus::Investigating)
//!     .message("We are looking into it.")
//!     .affect(ComponentStatusEntry::new(ComponentId::new("ckexec"), ComponentStatus::MajorOutage))
//!     .started(Timestamp::now());
//! # let _ = body;
//! ```
//!
//! # Time
//!
//! Timestamps in requests and responses are [`jiff::Timestamp`]s. The crate re-exports the
//! `jiff` it is built with as [`instatus::jiff`](jiff), so a caller builds them without adding
//! (and matching the version of) its own `jiff` dependency.
//!
//! # Errors
//!
//! Every failure is an [`Error`] that tells apart an API refusal (status, code, message), a body
//! that is not JSON, JSON that does not fit the expected type (naming the field), a transport
//! failure, a timeout, a rate limit that outlasted the retry budget, and a write that may or may
//! not have happened. No error, and no `Debug` of the client or its builder, contains the API key.

pub use jiff;

pub mod affected;
pub mod api;
pub mod apply;
pub mod calendar;
mod client;
pub mod desired;
pub mod ephemery;
mod error;
pub mod heartbeat;
pub mod lookup;
pub mod model;
pub mod recover;
mod retry;
mod secret;
pub mod sources;
pub mod status;
pub mod templates;
mod throttle;
pub mod uptime;
pub mod validate;
pub mod webhook;

pub use client::{
    Client, ClientBuilder, ForeignAuth, ForeignError, ForeignTls, Pages, API_KEY_ENV, BASE_URL_ENV,
    DEFAULT_BASE_URL, MAX_PAGES, MAX_TIMEOUT, MIN_REQUESTS_PER_SECOND,
};
pub use error::{Error, Result, Target};
pub use retry::{parse_retry_after, RetryPolicy};
pub use secret::Secret;
