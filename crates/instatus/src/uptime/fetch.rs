//! The one I/O step of a report: read the page's components, incidents and maintenances through
//! the [`Client`] and turn them into a [`History`]. For the bridge's `report` subcommand and any
//! caller with a client; the Ansible module reads the same lists through its own request
//! counter.

use crate::api;
use crate::model::{PageId, StatusPage};
use crate::Client;

use super::{History, HistoryError};

/// Why the history could not be read.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The API refused or failed.
    #[error(transparent)]
    Api(#[from] crate::Error),
    /// A record could not be placed in time.
    #[error(transparent)]
    History(#[from] HistoryError),
    /// No page with this id on the account.
    #[error("page {0}: not among the pages this API key sees")]
    NoPage(String),
}

/// The page (for its name and colours) and its whole history: every component, incident and
/// maintenance, all pages of each list.
pub fn page_history(client: &Client, page: &PageId) -> Result<(StatusPage, History), FetchError> {
    let found = client
        .list_all(api::pages::list())?
        .into_iter()
        .find(|p| &p.id == page)
        .ok_or_else(|| FetchError::NoPage(page.to_string()))?;
    let components = client.list_all(api::components::list(page))?;
    let incidents = client.list_all(api::incidents::list(page))?;
    let maintenances = client.list_all(api::maintenances::list(page))?;
    Ok((
        found,
        History::from_api(&components, &incidents, &maintenances)?,
    ))
}
