//! Pages: create a page with named fields, change its settings, find it in the list, delete it.
//!
//! ```text
//! INSTATUS_API_KEY=... [INSTATUS_BASE_URL=http://127.0.0.1:8788] cargo run -p instatus --example pages
//! ```

use instatus::api::pages::{
    CreateStatusPageRequest, NewStatusPage, PageSettings, UpdateStatusPageRequest,
};
use instatus::model::PageId;
use instatus::{api, Client, Error};

/// What the example did.
#[derive(Debug)]
pub struct Done {
    /// The page it created (and deleted again).
    pub created: PageId,
    /// The name it gave the page before deleting it.
    pub renamed_to: String,
}

/// Creates, updates, lists and deletes a scratch page.
pub fn run(client: &Client) -> Result<Done, Error> {
    let page = client.send(api::pages::create(
        &CreateStatusPageRequest::from(NewStatusPage {
            email: "ops@ephemery.dev".into(),
            name: "Example".into(),
            subdomain: "example-scratch".into(),
        })
        .components(["Website".to_owned()]),
    ))?;
    let update = UpdateStatusPageRequest::new()
        .name("Example Status")
        .settings(
            PageSettings::new()
                .brand_color("#3b82f6")
                .website_url("https://ephemery.dev"),
        );
    let updated = client.send(api::pages::update(&page.id, &update))?;
    let listed = client
        .list_all(api::pages::list())?
        .into_iter()
        .any(|p| p.id == page.id);
    assert!(listed, "a created page is listed");
    client.send(api::pages::delete(&page.id))?;
    Ok(Done {
        created: page.id,
        renamed_to: updated.name_str().to_owned(),
    })
}

#[allow(dead_code)] // tests/it/examples.rs includes this file and calls `run` itself
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = Client::builder_from_env().build()?;
    let done = run(&client)?;
    println!("{done:#?}\n{} request(s)", client.request_count());
    Ok(())
}
