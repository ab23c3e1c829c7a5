//! Team: invite a teammate, list the team, remove them again.
//!
//! ```text
//! INSTATUS_API_KEY=... [INSTATUS_BASE_URL=http://127.0.0.1:8788] [INSTATUS_PAGE=ephemery] \
//!   cargo run -p instatus --example team
//! ```

use instatus::api::team::AddTeammateRequest;
use instatus::model::{PageId, TeamMemberId, TeammatePermission};
use instatus::{api, Client, Error};

/// What the example did.
#[derive(Debug)]
pub struct Done {
    /// The member invited (found in the team list) and removed.
    pub member: TeamMemberId,
}

/// Invites oncall@ephemery.dev, finds them in the list, removes them.
pub fn run(client: &Client, page: &PageId) -> Result<Done, Error> {
    let body = AddTeammateRequest::new("oncall@ephemery.dev", TeammatePermission::Full);
    let invited = client.send(api::team::add(page, &body))?;
    // The invitation answers with the address only; the membership id comes from the list.
    let member = client
        .list_all(api::team::list(page))?
        .into_iter()
        .find(|m| m.user.email == invited.email)
        .map(|m| m.id)
        .ok_or_else(|| Error::Config(format!("{} is not in the team list", invited.email)))?;
    client.send(api::team::remove(page, &member))?;
    Ok(Done { member })
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
