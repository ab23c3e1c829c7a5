//! Metrics: create a metric, add one point and a batch, rename its unit, read it back.
//!
//! ```text
//! INSTATUS_API_KEY=... [INSTATUS_BASE_URL=http://127.0.0.1:8788] [INSTATUS_PAGE=ephemery] \
//!   cargo run -p instatus --example metrics
//! ```

use instatus::api::metrics::{
    AddDatapointRequest, AddMetricRequest, AddMultipleDatapointsRequest, UpdateMetricRequest,
};
use instatus::jiff::Timestamp;
use instatus::model::{MetricId, PageId};
use instatus::{api, Client, Error};

/// What the example did.
#[derive(Debug)]
pub struct Done {
    /// The metric.
    pub metric: MetricId,
    /// Data points it holds after the example, as read back.
    pub points: usize,
}

/// Creates "Block time" and posts three points 30 s apart (the API's minimum spacing).
pub fn run(client: &Client, page: &PageId) -> Result<Done, Error> {
    let metric = client.send(api::metrics::create(
        page,
        &AddMetricRequest::new("Block time", "s"),
    ))?;
    let now = Timestamp::now().as_millisecond();
    client.send(api::metrics::add_datapoint(
        page,
        &metric.id,
        &AddDatapointRequest::new(now - 60_000, 12.0),
    ))?;
    let batch = AddMultipleDatapointsRequest::new(vec![
        AddDatapointRequest::new(now - 30_000, 12.1),
        AddDatapointRequest::new(now, 11.9),
    ]);
    client.send(api::metrics::add_datapoints(page, &metric.id, &batch))?;
    client.send(api::metrics::update(
        page,
        &metric.id,
        &UpdateMetricRequest::new().suffix("sec"),
    ))?;
    let points = client.send(api::metrics::get(page, &metric.id))?.data.len();
    Ok(Done {
        metric: metric.id,
        points,
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
