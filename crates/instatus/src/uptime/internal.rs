//! Internal SLOs from Prometheus: availability from a range query (`up`, `probe_success`, or
//! any 0..1 ratio) over `[start, end]` every `step`, to set beside the public figure.
//!
//! Each expected step is one sample: a sample's value (clamped to 0..1; `up` and
//! `probe_success` are 0 or 1) is the share of that step that was up. A missing step or a NaN
//! is "no data", shown apart and never counted as down.

use jiff::Timestamp;
use serde::Serialize;

use crate::sources::prometheus::{Data, PromError, Prometheus, Series};

/// Availability of one series.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SeriesAvailability {
    /// The series' labels as `{k="v", ...}`.
    pub labels: String,
    /// Samples present with a number.
    pub samples: u64,
    /// Steps without a sample (or NaN).
    pub missing: u64,
    /// Σ values (clamped to 0..1): up-steps.
    pub up: f64,
}

impl SeriesAvailability {
    /// `up / samples`; `None` without samples.
    pub fn availability(&self) -> Option<f64> {
        (self.samples > 0).then(|| self.up / self.samples as f64)
    }
}

/// Availability of a range query's matrix.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Availability {
    /// Steps expected per series: `floor((end − start) / step) + 1`.
    pub expected: u64,
    /// Each series.
    pub series: Vec<SeriesAvailability>,
}

impl Availability {
    /// All series' up-steps over all their samples (the average instance); `None` without
    /// samples.
    pub fn mean(&self) -> Option<f64> {
        let samples: u64 = self.series.iter().map(|s| s.samples).sum();
        let up: f64 = self.series.iter().map(|s| s.up).sum();
        (samples > 0).then(|| up / samples as f64)
    }

    /// The least available series.
    pub fn worst(&self) -> Option<f64> {
        self.series
            .iter()
            .filter_map(SeriesAvailability::availability)
            .reduce(f64::min)
    }

    /// Missing steps over expected steps, all series.
    pub fn missing_fraction(&self) -> f64 {
        let expected = self.expected * self.series.len() as u64;
        let missing: u64 = self.series.iter().map(|s| s.missing).sum();
        if expected == 0 {
            1.0
        } else {
            missing as f64 / expected as f64
        }
    }
}

/// Availability from the series of a range query from `start` to `end` every `step_secs`.
/// Samples outside `[start, end]` are ignored; a non-positive step expects one sample.
pub fn availability(
    series: &[Series],
    start: Timestamp,
    end: Timestamp,
    step_secs: f64,
) -> Availability {
    let span = end.duration_since(start).as_secs_f64().max(0.0);
    let expected = if step_secs > 0.0 {
        (span / step_secs + 1e-9).floor() as u64 + 1
    } else {
        1
    };
    let series = series
        .iter()
        .map(|s| {
            let mut samples = 0_u64;
            let mut up = 0.0;
            for p in &s.points {
                if p.time < start || p.time > end || p.value.is_nan() {
                    continue;
                }
                samples += 1;
                up += p.value.clamp(0.0, 1.0);
            }
            let samples = samples.min(expected);
            SeriesAvailability {
                labels: labels(s),
                samples,
                missing: expected - samples,
                up,
            }
        })
        .collect();
    Availability { expected, series }
}

fn labels(s: &Series) -> String {
    let inner: Vec<String> = s.labels.iter().map(|(k, v)| format!("{k}={v:?}")).collect();
    format!("{{{}}}", inner.join(", "))
}

/// Most steps a range query asks for: Prometheus refuses more than 11,000 points per series.
pub const MAX_STEPS: f64 = 10_000.0;

/// The step for a range query over `[start, end]`: a minute, or longer so the query stays
/// within [`MAX_STEPS`] (a 31-day month: 268 s).
///
/// ```
/// use instatus::uptime::internal::step_secs;
/// let t = |s: &str| s.parse::<instatus::jiff::Timestamp>().unwrap();
/// assert_eq!(step_secs(t("2026-12-01T00:00:00Z"), t("2027-01-01T00:00:00Z")), 268.0);
/// assert_eq!(step_secs(t("2026-12-01T00:00:00Z"), t("2026-12-02T00:00:00Z")), 60.0);
/// ```
pub fn step_secs(start: Timestamp, end: Timestamp) -> f64 {
    let span = end.duration_since(start).as_secs_f64().max(0.0);
    (span / MAX_STEPS).ceil().max(60.0)
}

/// Runs `query` as a range query over `[start, end]` (every [`step_secs`]) and gives its
/// availability. A failed query is an error, never an empty (all-up-looking) result; a query
/// that returns no series gives an availability without series, which reports show as no data.
pub fn measure(
    prometheus: &Prometheus,
    query: &str,
    start: Timestamp,
    end: Timestamp,
) -> Result<Availability, PromError> {
    let step = step_secs(start, end);
    let answer = prometheus.query_range(query, start, end, step)?;
    match answer.data {
        Data::Matrix(series) => Ok(availability(&series, start, end, step)),
        Data::Vector(_) | Data::Scalar(_) | Data::String(..) => Err(PromError::NotApi {
            status: 200,
            snippet: "a range query answered with a vector, scalar or string, not a matrix".into(),
        }),
    }
}
