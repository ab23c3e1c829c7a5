//! Subscribers: add an email and a webhook subscriber, search, remove one.
//!
//! ```text
//! INSTATUS_API_KEY=... [INSTATUS_BASE_URL=http://127.0.0.1:8788] [INSTATUS_PAGE=ephemery] \
//!   cargo run -p instatus --example subscribers
//! ```

use instatus::api::subscribers::AddSubscriberRequest;
use instatus::model::{PageId, SubscriberId};
use instatus::{api, Client, Error};

/// What the example did.
#[derive(Debug)]
pub struct Done {
    /// The email subscriber it kept.
    pub kept: SubscriberId,
    /// The webhook subscriber it removed.
    pub removed: SubscriberId,
    /// How many subscribers the search for the email address found.
    pub found: usize,
}

/// Adds two subscribers, searches one by address, removes the other.
pub fn run(client: &Client, page: &PageId) -> Result<Done, Error> {
    let email = AddSubscriberRequest::email("ops@ephemery.dev")
        .all(true)
        .auto_confirm(true);
    let kept = client.send(api::subscribers::add(page, &email))?;
    let hook = AddSubscriberRequest::webhook("https://hooks.ephemery.dev/instatus")
        .webhook_email("ops@ephemery.dev")
        .all(true);
    let removed = client.send(api::subscribers::add(page, &hook))?;
    let found = client
        .list_all(api::subscribers::search(page, "ops@ephemery.dev"))?
        .len();
    client.send(api::subscribers::remove(page, &removed.id))?;
    Ok(Done {
        kept: kept.id,
        removed: removed.id,
        found,
    })
}

/// Runs against the page named by `INSTATUS_PAGE` (id, subdomain or name; default `ephemery`).
#[allow(dead_code)] // tests/it/examples.rs includes this file and calls `run` itself
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = Client::builder_from_env().build()?;
    let wanted = std::env::var("INSTATUS_PAGE").unwrap_or_else(|_| "ephemery".into());
    let page = instatus::lookup::find_page(&client, &wanted)?;
    let done = run(&client, &page.id)?;
    println!("{done:#?}\n{} request(s)", client.request_count());
    Ok(())
}
