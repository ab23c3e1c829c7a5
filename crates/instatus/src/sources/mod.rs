//! Observation sources: Prometheus and Alertmanager.
