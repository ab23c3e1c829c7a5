//! Builds the Ephemery component tree on a status page through the library, then prints it.
//!
//! Safe to run again: existing components are found by their name path and left alone.
//!
//! ```text
//! INSTATUS_API_KEY=... [INSTATUS_BASE_URL=http://127.0.0.1:8788] [INSTATUS_PAGE=ephemery] \
//!   cargo run -p instatus --example ephemery_tree
//! ```

use instatus::api::{self, components::CreateComponentRequest};
use instatus::lookup::find_page;
use instatus::model::{ComponentTree, PageId};
use instatus::Client;

/// The page layout from the Ephemery plan: groups and their components.
const EPHEMERY: &[(&str, &[&str])] = &[
    (
        "Ethereum Services",
        &[
            "Execution Client",
            "Consensus Client",
            "Validator Client",
            "Checkpoint Sync Service",
        ],
    ),
    (
        "Monitoring Systems",
        &["Prometheus", "Grafana", "Alert Manager"],
    ),
    ("Infrastructure", &["Network", "Storage", "Server Health"]),
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = Client::builder_from_env().build()?;
    // The page by id, subdomain or name (the library's rule); the first page when unset.
    let page = match std::env::var("INSTATUS_PAGE") {
        Ok(wanted) if !wanted.is_empty() => find_page(&client, &wanted)?,
        _ => client
            .list_all(api::pages::list())?
            .into_iter()
            .next()
            .ok_or("the API key sees no status page")?,
    };
    let page_id: PageId = page.id.clone();
    println!(
        "page {} ({}) at {}",
        page.name_str(),
        page_id,
        client.base_url()
    );

    let mut tree =
        ComponentTree::from_components(client.list_all(api::components::list(&page_id))?);
    let mut created = 0;
    for (order, (group, children)) in EPHEMERY.iter().enumerate() {
        let group_id = match tree.find(group) {
            Some(existing) => existing.id.clone(),
            None => {
                let body = CreateComponentRequest::new(*group).order(order as i64 + 1);
                created += 1;
                client.send(api::components::create(&page_id, &body))?.id
            }
        };
        for (n, child) in children.iter().enumerate() {
            if tree.find(&format!("{group}/{child}")).is_none() {
                let body = CreateComponentRequest::new(*child)
                    .in_group(group_id.clone())
                    .order(n as i64 + 1);
                client.send(api::components::create(&page_id, &body))?;
                created += 1;
            }
        }
    }
    tree = ComponentTree::from_components(client.list_all(api::components::list(&page_id))?);
    println!(
        "created {created} component(s); {} request(s) in all\n",
        client.request_count()
    );
    print!("{}", tree.render());
    Ok(())
}
