//! The clients for Prometheus and Alertmanager: the library's one HTTP executor, with the
//! server's own credentials and TLS ([`crate::config::ForeignHttp`]) and no Instatus key.

use std::time::Duration;

use instatus::{Client, RetryPolicy};

use crate::config::ForeignHttp;

/// A client for [`Client::get_foreign`] to one server: no retries within an evaluation (the next
/// one comes soon), the server's credentials and TLS.
pub fn client(
    timeout: Duration,
    http: &ForeignHttp,
    user_agent: String,
) -> Result<Client, instatus::Error> {
    // The Instatus key is never sent by `get_foreign`; the builder only wants a non-empty one.
    let mut builder = Client::builder("unused")
        .timeout(timeout)
        .retry(RetryPolicy::none())
        .user_agent(user_agent)
        .foreign_tls(http.tls.clone());
    if let Some(auth) = &http.auth {
        builder = builder.foreign_auth(auth.clone());
    }
    builder.build()
}
