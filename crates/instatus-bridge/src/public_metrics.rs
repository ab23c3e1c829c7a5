//! Public Instatus metrics fed from PromQL (`metrics:` in the config): created when missing,
//! sampled every `every_secs`, pushed in bulk with points at least 30 s apart.

use std::collections::HashMap;

use instatus::api;
use instatus::api::metrics::{AddDatapointRequest, AddMetricRequest, AddMultipleDatapointsRequest};
use instatus::model::{MetricId, PageId};

use instatus::recover::create_once;
use instatus::sources::prometheus::Prometheus;
use instatus::status::QueryResult;
use instatus::Client;
use serde::Serialize;

use crate::apply::Outcome;
use crate::config::{PublicMetric, MIN_METRIC_SPACING_SECS};

/// Points are pushed once this many are buffered for a metric (or at shutdown / `once`).
pub const PUSH_BATCH: usize = 5;

/// One metric write (or a sample that could not be taken).
#[derive(Clone, Debug, Serialize)]
pub struct MetricWrite {
    /// The metric's name.
    pub metric: String,
    /// What happened.
    pub outcome: Outcome,
    /// For people.
    pub detail: String,
}

/// The metrics' ids and their unsent points.
#[derive(Debug, Default)]
pub struct Feeder {
    ids: HashMap<String, MetricId>,
    buffer: HashMap<String, Vec<AddDatapointRequest>>,
}

/// Why an instant query gave no value to push.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum NoSample {
    /// The query failed (Prometheus' words).
    #[error("{0}")]
    Failed(String),
    /// The value is NaN or infinite.
    #[error("the value is {0}")]
    NotFinite(f64),
    /// Not exactly one series.
    #[error("the query gave {0} series; it must give one (aggregate it, e.g. max(...))")]
    Series(usize),
}

/// The one value of an instant query's answer, or why there is none.
pub fn single_value(result: &QueryResult) -> Result<f64, NoSample> {
    match result {
        QueryResult::Failed(why) => Err(NoSample::Failed(why.clone())),
        QueryResult::Samples(s) if s.len() == 1 && s[0].value.is_finite() => Ok(s[0].value),
        QueryResult::Samples(s) if s.len() == 1 => Err(NoSample::NotFinite(s[0].value)),
        QueryResult::Samples(s) => Err(NoSample::Series(s.len())),
    }
}

impl Feeder {
    /// Finds every configured metric on the page by name (one list), creates the missing ones
    /// (once, even after an ambiguous create), and takes the newest point each already has as
    /// its last one, so a run without a state file keeps the spacing too.
    fn resolve(
        &mut self,
        reader: &Client,
        writer: &Client,
        page: &PageId,
        metrics: &[PublicMetric],
        last: &mut std::collections::BTreeMap<String, i64>,
    ) -> Result<(), instatus::Error> {
        let existing = reader.list_all(api::metrics::list(page))?;
        for m in metrics {
            if self.ids.contains_key(&m.name) {
                continue;
            }
            let metric = match existing.iter().find(|x| x.name.as_str() == m.name) {
                Some(found) => found.clone(),
                None => {
                    let body = AddMetricRequest::new(m.name.clone(), m.suffix.clone());
                    create_once(
                        writer,
                        || api::metrics::create(page, &body),
                        |c: &Client| {
                            Ok(c.list_all(api::metrics::list(page))?
                                .into_iter()
                                .find(|x| x.name.as_str() == m.name))
                        },
                    )?
                    .value
                }
            };
            if let Some(newest) = metric.data.iter().map(|d| d.timestamp).max() {
                let entry = last.entry(m.name.clone()).or_insert(newest);
                *entry = (*entry).max(newest);
            }
            self.ids.insert(m.name.clone(), metric.id.clone());
        }
        Ok(())
    }

    /// Samples every metric that is due at `now_ms` (its last point at least `every_secs` old)
    /// into the buffer, and pushes the buffers that are full (or every buffer with `flush`).
    #[allow(clippy::too_many_arguments)]
    pub fn tick(
        &mut self,
        prometheus: &Prometheus,
        reader: &Client,
        writer: &Client,
        page: &PageId,
        metrics: &[PublicMetric],
        last: &mut std::collections::BTreeMap<String, i64>,
        now_ms: i64,
        flush: bool,
    ) -> Vec<MetricWrite> {
        let mut out = Vec::new();
        if self.ids.len() < metrics.len() {
            if let Err(e) = self.resolve(reader, writer, page, metrics, last) {
                return metrics
                    .iter()
                    .map(|m| MetricWrite {
                        metric: m.name.clone(),
                        outcome: if e.is_ambiguous() {
                            Outcome::Ambiguous
                        } else {
                            Outcome::Failed
                        },
                        detail: format!("cannot find or create the metric: {e}"),
                    })
                    .collect();
            }
        }
        for m in metrics {
            let buffered_last = self
                .buffer
                .get(&m.name)
                .and_then(|b| b.last())
                .map(|p| p.timestamp);
            let newest = buffered_last.or_else(|| last.get(&m.name).copied());
            let spacing = m.every_secs.max(MIN_METRIC_SPACING_SECS) as i64 * 1000;
            if newest.is_none_or(|t| now_ms - t >= spacing) {
                match single_value(&prometheus.observe(&m.query, None)) {
                    Ok(v) => self
                        .buffer
                        .entry(m.name.clone())
                        .or_default()
                        .push(AddDatapointRequest::new(now_ms, v)),
                    Err(why) => out.push(MetricWrite {
                        metric: m.name.clone(),
                        outcome: Outcome::Failed,
                        detail: format!("no sample: {why}"),
                    }),
                }
            }
            let n = self.buffer.get(&m.name).map_or(0, Vec::len);
            if n == 0 || !(flush || n >= PUSH_BATCH) {
                continue;
            }
            let points = self.buffer.remove(&m.name).unwrap_or_default();
            let Some(id) = self.ids.get(&m.name).cloned() else {
                continue;
            };
            let result = writer.send(api::metrics::add_datapoints(
                page,
                &id,
                &AddMultipleDatapointsRequest::new(points.clone()),
            ));
            match result {
                Ok(_) => {
                    last.insert(
                        m.name.clone(),
                        points.last().map_or(now_ms, |p| p.timestamp),
                    );
                    out.push(MetricWrite {
                        metric: m.name.clone(),
                        outcome: Outcome::Ok,
                        detail: format!("{} points pushed", points.len()),
                    });
                }
                Err(e) => {
                    let outcome = if e.is_ambiguous() {
                        Outcome::Ambiguous
                    } else {
                        // Keep the points for the next push (bounded: the oldest go first).
                        let mut kept = points;
                        kept.extend(self.buffer.remove(&m.name).unwrap_or_default());
                        let excess = kept.len().saturating_sub(100);
                        kept.drain(..excess);
                        self.buffer.insert(m.name.clone(), kept);
                        Outcome::Failed
                    };
                    out.push(MetricWrite {
                        metric: m.name.clone(),
                        outcome,
                        detail: e.to_string(),
                    });
                }
            }
        }
        out
    }
}
