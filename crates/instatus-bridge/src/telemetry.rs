//! The bridge's own `/metrics` (prometheus-client, OpenMetrics text).

use std::sync::atomic::AtomicU64;
use std::sync::Mutex;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

/// `reason` label.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct Reason {
    /// Why a webhook was refused.
    pub reason: String,
}

/// `result` label.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ResultLabel {
    /// `ok` or `failed`.
    pub result: String,
}

/// `kind` and `outcome` labels.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    /// `read` or `write`.
    pub kind: String,
    /// `ok`, `failed` or `ambiguous`.
    pub outcome: String,
}

/// `component` label.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ComponentLabel {
    /// The name path.
    pub component: String,
}

/// Every metric of the bridge.
pub struct Telemetry {
    registry: Registry,
    /// Webhooks received (every POST to /alertmanager).
    pub webhooks_received: Counter,
    /// Webhooks that brought nothing new.
    pub webhooks_deduplicated: Counter,
    /// Webhooks refused, by reason.
    pub webhooks_rejected: Family<Reason, Counter>,
    /// Evaluations by result.
    pub evaluations: Family<ResultLabel, Counter>,
    /// Evaluation time.
    pub evaluation_duration: Histogram,
    /// Instatus HTTP requests by kind and outcome.
    pub instatus_requests: Family<RequestLabels, Counter>,
    /// The component's status on the page after the last evaluation (0..3).
    pub component_level: Family<ComponentLabel, Gauge>,
    /// 1 while the component flaps.
    pub component_flapping: Family<ComponentLabel, Gauge>,
    /// 1 while an observation of the component is unknown.
    pub component_unknown: Family<ComponentLabel, Gauge>,
    /// The level the component's rules hold (0..3), written or not (observe mode).
    pub component_evaluated_level: Family<ComponentLabel, Gauge>,
    /// The component's mode as applied: 0 off, 1 observe, 2 automatic.
    pub component_mode: Family<ComponentLabel, Gauge>,
    /// Unix time of the last successful evaluation.
    pub last_success: Gauge<f64, AtomicU64>,
    encode_lock: Mutex<()>,
}

impl std::fmt::Debug for Telemetry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Telemetry").finish_non_exhaustive()
    }
}

impl Default for Telemetry {
    fn default() -> Self {
        Self::new()
    }
}

impl Telemetry {
    /// Registers every metric.
    pub fn new() -> Telemetry {
        let mut registry = Registry::with_prefix("instatus_bridge");
        let t = Telemetry {
            registry: Registry::default(),
            webhooks_received: Counter::default(),
            webhooks_deduplicated: Counter::default(),
            webhooks_rejected: Family::default(),
            evaluations: Family::default(),
            evaluation_duration: Histogram::new(exponential_buckets(0.0005, 2.0, 16)),
            instatus_requests: Family::default(),
            component_level: Family::default(),
            component_flapping: Family::default(),
            component_unknown: Family::default(),
            component_evaluated_level: Family::default(),
            component_mode: Family::default(),
            last_success: Gauge::default(),
            encode_lock: Mutex::new(()),
        };
        registry.register(
            "webhooks_received",
            "Webhooks received",
            t.webhooks_received.clone(),
        );
        registry.register(
            "webhooks_deduplicated",
            "Webhooks whose alerts were all seen before (no evaluation, no write)",
            t.webhooks_deduplicated.clone(),
        );
        registry.register(
            "webhooks_rejected",
            "Webhooks refused, by reason",
            t.webhooks_rejected.clone(),
        );
        registry.register(
            "evaluations",
            "Evaluations, by result",
            t.evaluations.clone(),
        );
        registry.register(
            "evaluation_duration_seconds",
            "Time of one evaluation, writes included",
            t.evaluation_duration.clone(),
        );
        registry.register(
            "instatus_requests",
            "Instatus HTTP requests, by kind and outcome",
            t.instatus_requests.clone(),
        );
        registry.register(
            "component_level",
            "The component's status on the page after the last evaluation: 0 operational, 1 degraded, 2 partial outage, 3 major outage",
            t.component_level.clone(),
        );
        registry.register(
            "component_flapping",
            "1 while the component is flapping",
            t.component_flapping.clone(),
        );
        registry.register(
            "component_unknown",
            "1 while an observation of the component is unknown",
            t.component_unknown.clone(),
        );
        registry.register(
            "component_evaluated_level",
            "The level the component's rules hold, written or not (observe mode): 0 operational, 1 degraded, 2 partial outage, 3 major outage",
            t.component_evaluated_level.clone(),
        );
        registry.register(
            "component_mode",
            "The component's mode as applied: 0 off, 1 observe (also until a source answers), 2 automatic",
            t.component_mode.clone(),
        );
        registry.register(
            "last_successful_evaluation_timestamp_seconds",
            "Unix time of the last successful evaluation",
            t.last_success.clone(),
        );
        Telemetry { registry, ..t }
    }

    /// Counts one refused webhook.
    pub fn reject(&self, reason: &str) {
        self.webhooks_rejected
            .get_or_create(&Reason {
                reason: reason.to_owned(),
            })
            .inc();
    }

    /// Counts Instatus requests.
    pub fn requests(&self, kind: &str, outcome: &str, n: u64) {
        if n > 0 {
            self.instatus_requests
                .get_or_create(&RequestLabels {
                    kind: kind.to_owned(),
                    outcome: outcome.to_owned(),
                })
                .inc_by(n);
        }
    }

    /// Sets one component's gauges.
    pub fn component(&self, path: &str, level: i64, flapping: bool, unknown: bool) {
        let label = ComponentLabel {
            component: path.to_owned(),
        };
        self.component_level.get_or_create(&label).set(level);
        self.component_flapping
            .get_or_create(&label)
            .set(flapping as i64);
        self.component_unknown
            .get_or_create(&label)
            .set(unknown as i64);
    }

    /// Sets the evaluated level and the mode of a component.
    pub fn component_mode(&self, path: &str, evaluated: i64, mode: i64) {
        let label = ComponentLabel {
            component: path.to_owned(),
        };
        self.component_evaluated_level
            .get_or_create(&label)
            .set(evaluated);
        self.component_mode.get_or_create(&label).set(mode);
    }

    /// The OpenMetrics text.
    pub fn encode(&self) -> String {
        let _guard = self.encode_lock.lock().unwrap_or_else(|e| e.into_inner());
        let mut out = String::new();
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}
