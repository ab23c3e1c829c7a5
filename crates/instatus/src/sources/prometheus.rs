//! The Prometheus HTTP API: `/api/v1/query` and `/api/v1/query_range`, its envelope
//! (`{"status":"success"|"error","data","errorType","error","warnings"}`) and result types
//! (vector, matrix, scalar, string; values are strings, `"NaN"` and `"+Inf"` included).

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::Deserialize;

use crate::status::{QueryResult, Sample};
use crate::Client;

/// Why a query gave no data.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PromError {
    /// Prometheus answered with its error envelope (`bad_data` 400, `execution` 422, `timeout`
    /// 503...).
    #[error("Prometheus error {error_type} (HTTP {status}): {message}")]
    Api {
        /// HTTP status.
        status: u16,
        /// `errorType`.
        error_type: String,
        /// `error`.
        message: String,
    },
    /// The body is not the API's envelope (a 404 page, a proxy's HTML).
    #[error("not a Prometheus API answer (HTTP {status}): {snippet:?}")]
    NotApi {
        /// HTTP status.
        status: u16,
        /// The start of the body.
        snippet: String,
    },
    /// No answer (connection refused, timeout) after the retries.
    #[error("Prometheus unreachable: {0}")]
    Transport(#[source] crate::ForeignError),
}

/// A sample value at a time.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Point {
    /// The sample time.
    pub time: Timestamp,
    /// The value (NaN and infinities kept).
    pub value: f64,
}

/// One series of a vector (one point) or a matrix (many).
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    /// The labels, `__name__` included.
    pub labels: BTreeMap<String, String>,
    /// The points, oldest first.
    pub points: Vec<Point>,
}

/// The `data` of a successful answer.
#[derive(Clone, Debug, PartialEq)]
pub enum Data {
    /// An instant vector: one point per series.
    Vector(Vec<Series>),
    /// A range vector.
    Matrix(Vec<Series>),
    /// A scalar.
    Scalar(Point),
    /// A string.
    String(Timestamp, String),
}

/// A successful answer with its warnings.
#[derive(Clone, Debug, PartialEq)]
pub struct Answer {
    /// The result.
    pub data: Data,
    /// Warnings Prometheus attached.
    pub warnings: Vec<String>,
}

impl Answer {
    /// The answer as the status engine's instant-query result: vector samples, or a scalar as
    /// one sample without labels. Matrices and strings are not instant readings.
    pub fn into_query_result(self) -> QueryResult {
        let sample = |labels, p: Point| Sample {
            labels,
            value: p.value,
            timestamp: p.time,
        };
        match self.data {
            Data::Vector(series) => QueryResult::Samples(
                series
                    .into_iter()
                    .filter_map(|s| s.points.last().copied().map(|p| sample(s.labels, p)))
                    .collect(),
            ),
            Data::Scalar(p) => QueryResult::Samples(vec![sample(BTreeMap::new(), p)]),
            Data::Matrix(_) => {
                QueryResult::Failed("the query returned a matrix, not an instant vector".into())
            }
            Data::String(..) => {
                QueryResult::Failed("the query returned a string, not a number".into())
            }
        }
    }
}

#[derive(Deserialize)]
struct Envelope {
    status: String,
    #[serde(default)]
    data: Option<RawData>,
    #[serde(default, rename = "errorType")]
    error_type: Option<String>,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    warnings: Vec<String>,
}

#[derive(Deserialize)]
#[serde(tag = "resultType", content = "result", rename_all = "lowercase")]
enum RawData {
    Vector(Vec<RawSeries>),
    Matrix(Vec<RawSeries>),
    Scalar((f64, String)),
    String((f64, String)),
}

#[derive(Deserialize)]
struct RawSeries {
    #[serde(default)]
    metric: BTreeMap<String, String>,
    #[serde(default)]
    value: Option<(f64, String)>,
    #[serde(default)]
    values: Vec<(f64, String)>,
}

/// Parses an answer from its HTTP status and body.
pub fn parse(status: u16, body: &[u8]) -> Result<Answer, PromError> {
    let not_api = || PromError::NotApi {
        status,
        snippet: String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned(),
    };
    let envelope: Envelope = serde_json::from_slice(body).map_err(|_| not_api())?;
    if envelope.status != "success" {
        return Err(PromError::Api {
            status,
            error_type: envelope.error_type.unwrap_or_else(|| "unknown".into()),
            message: envelope.error.unwrap_or_default(),
        });
    }
    let data = match envelope.data.ok_or_else(not_api)? {
        RawData::Vector(s) => Data::Vector(series(s)?),
        RawData::Matrix(s) => Data::Matrix(series(s)?),
        RawData::Scalar(p) => Data::Scalar(point(p)?),
        RawData::String((t, s)) => Data::String(time(t)?, s),
    };
    Ok(Answer {
        data,
        warnings: envelope.warnings,
    })
}

fn series(raw: Vec<RawSeries>) -> Result<Vec<Series>, PromError> {
    raw.into_iter()
        .map(|s| {
            let points = s
                .value
                .into_iter()
                .chain(s.values)
                .map(point)
                .collect::<Result<_, _>>()?;
            Ok(Series {
                labels: s.metric,
                points,
            })
        })
        .collect()
}

fn point((t, v): (f64, String)) -> Result<Point, PromError> {
    // Go's strconv spellings: "NaN", "+Inf", "-Inf"; Rust parses "inf", "+inf", "NaN".
    let value = match v.as_str() {
        "+Inf" => f64::INFINITY,
        "-Inf" => f64::NEG_INFINITY,
        other => other
            .parse()
            .map_err(|_| bad(format!("sample value {other:?} is not a number")))?,
    };
    Ok(Point {
        time: time(t)?,
        value,
    })
}

fn time(t: f64) -> Result<Timestamp, PromError> {
    // Prometheus times have millisecond precision; rounding undoes the float's noise.
    let ms = (t * 1e3).round();
    if !ms.is_finite() {
        return Err(bad(format!("time {t} is not a number")));
    }
    Timestamp::from_millisecond(ms as i64).map_err(|_| bad(format!("time {t} is out of range")))
}

fn bad(message: String) -> PromError {
    PromError::NotApi {
        status: 200,
        snippet: message,
    }
}

/// A Prometheus server, queried through the crate's HTTP executor.
#[derive(Clone, Debug)]
pub struct Prometheus {
    client: Client,
    base_url: String,
}

impl Prometheus {
    /// A server at `base_url` (e.g. `http://127.0.0.1:9090`). Build `client` for this use (its
    /// key is never sent to Prometheus; give it no throttle).
    pub fn new(client: Client, base_url: impl Into<String>) -> Self {
        Self {
            client,
            base_url: base_url.into().trim_end_matches('/').to_owned(),
        }
    }

    /// `GET /api/v1/query`: an instant query at `time` (default: now, as Prometheus decides).
    pub fn query(&self, query: &str, time: Option<Timestamp>) -> Result<Answer, PromError> {
        let time = time.map(|t| t.to_string());
        let mut params = vec![("query", query)];
        if let Some(t) = &time {
            params.push(("time", t));
        }
        self.get("/api/v1/query", &params)
    }

    /// `GET /api/v1/query_range` from `start` to `end` every `step_secs`.
    pub fn query_range(
        &self,
        query: &str,
        start: Timestamp,
        end: Timestamp,
        step_secs: f64,
    ) -> Result<Answer, PromError> {
        let (start, end, step) = (start.to_string(), end.to_string(), step_secs.to_string());
        self.get(
            "/api/v1/query_range",
            &[
                ("query", query),
                ("start", &start),
                ("end", &end),
                ("step", &step),
            ],
        )
    }

    /// An instant query as the status engine's result: a failure becomes
    /// [`QueryResult::Failed`] (unknown), never an empty (healthy-looking) vector.
    pub fn observe(&self, query: &str, time: Option<Timestamp>) -> QueryResult {
        match self.query(query, time) {
            Ok(answer) => answer.into_query_result(),
            Err(e) => QueryResult::Failed(e.to_string()),
        }
    }

    fn get(&self, path: &str, params: &[(&str, &str)]) -> Result<Answer, PromError> {
        let url = format!("{}{path}", self.base_url);
        let (status, body) = self
            .client
            .get_foreign(&url, params)
            .map_err(PromError::Transport)?;
        parse(status, &body)
    }
}
