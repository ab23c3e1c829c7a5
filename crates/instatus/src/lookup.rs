//! Finding things by the names people use: a page by id, subdomain or name.

use crate::api;
use crate::model::{Component, ComponentTree, PageId, StatusPage};
use crate::{Client, Error};

/// Why a page could not be found.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LookupError {
    /// No page has that id, subdomain or name.
    #[error("no status page has the id, subdomain or name {wanted:?}; the key sees: {}", if seen.is_empty() { "no pages".to_owned() } else { seen.join(", ") })]
    NotFound {
        /// What was asked for.
        wanted: String,
        /// `subdomain (id)` of every page the key sees.
        seen: Vec<String>,
    },
    /// More than one page has that name.
    #[error("{count} status pages are named {wanted:?}: use the id or the subdomain")]
    Ambiguous {
        /// What was asked for.
        wanted: String,
        /// How many matched.
        count: usize,
    },
    /// The API call failed.
    #[error(transparent)]
    Api(#[from] Error),
}

/// Finds a page by id, subdomain or name (in that order of preference) with one list request
/// (per 100 pages).
pub fn find_page(client: &Client, wanted: &str) -> Result<StatusPage, LookupError> {
    let pages = client.list_all(api::pages::list())?;
    select_page(pages, wanted)
}

/// The component at a name path (`Group/Name`) on the page, read again: what a create whose
/// answer was lost is looked up by ([`crate::recover::create_once`]). The first copy when there
/// are several.
pub fn find_component(
    client: &Client,
    page: &PageId,
    path: &str,
) -> Result<Option<Component>, Error> {
    let tree = ComponentTree::from_components(client.list_all(api::components::list(page))?);
    Ok(tree.find(path).cloned())
}

/// The selection rule of [`find_page`], on an already fetched list.
pub fn select_page(mut pages: Vec<StatusPage>, wanted: &str) -> Result<StatusPage, LookupError> {
    let by_id = pages.iter().position(|p| p.id.as_str() == wanted);
    let by_subdomain = pages
        .iter()
        .position(|p| p.subdomain.as_deref() == Some(wanted));
    if let Some(i) = by_id.or(by_subdomain) {
        return Ok(pages.swap_remove(i));
    }
    let mut named: Vec<StatusPage> = pages
        .iter()
        .filter(|p| p.name_str() == wanted)
        .cloned()
        .collect();
    match named.len() {
        1 => Ok(named.remove(0)),
        0 => Err(LookupError::NotFound {
            wanted: wanted.to_owned(),
            seen: pages
                .iter()
                .map(|p| format!("{} ({})", p.subdomain.as_deref().unwrap_or("?"), p.id))
                .collect(),
        }),
        count => Err(LookupError::Ambiguous {
            wanted: wanted.to_owned(),
            count,
        }),
    }
}
