//! The server's connections: a bound on how many are open (below the process's open-file
//! limit), a deadline for each request's headers (which also closes idle keep-alive connections),
//! and an accept loop that backs off on errors instead of spinning.
//!
//! When the bound is reached, the oldest connection with no request in flight is closed to make
//! room (idle sockets, slowloris senders): a crowd of idle connections never locks out
//! Alertmanager or a health check. Only when every connection is busy does the accept loop wait
//! for one to finish (busy connections end within the body deadline).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Notify;

/// Descriptors kept free for everything else the process opens (state files, the journal,
/// connections to Instatus, Prometheus and Alertmanager).
pub const RESERVED_FILES: u64 = 64;

/// The longest pause of the accept loop after an error (too many open files...).
pub const MAX_ACCEPT_BACKOFF: Duration = Duration::from_secs(1);

/// The first pause after an accept error.
pub const MIN_ACCEPT_BACKOFF: Duration = Duration::from_millis(10);

/// The server's bounds (`server.*` in the config).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Connections open at most.
    pub max_connections: usize,
    /// From the moment the server waits for a request (a new connection, or a kept-alive one
    /// after its answer) to the end of that request's headers.
    pub idle_timeout: Duration,
    /// From the end of the headers to the end of the body.
    pub body_timeout: Duration,
    /// Largest body, bytes.
    pub max_body: usize,
    /// From the shutdown signal to the exit, at most ([`crate::server::SHUTDOWN_BUDGET`]).
    pub shutdown: Duration,
}

/// Why `max_connections` cannot work with the process's open-file limit.
#[derive(Debug, thiserror::Error)]
#[error("server.max_connections: {max} does not fit the open-file limit {limit} (LimitNOFILE); allowed: at most {allowed} (the limit minus {RESERVED_FILES} kept for files and outgoing connections), or raise the limit")]
pub struct FileLimitError {
    /// The configured bound.
    pub max: usize,
    /// The soft `RLIMIT_NOFILE`.
    pub limit: u64,
    /// The largest bound that fits.
    pub allowed: u64,
}

/// Checks `max_connections` against the process's soft open-file limit (unknown: accepted).
pub fn check_file_limit(max_connections: usize) -> Result<(), FileLimitError> {
    let Ok((soft, _)) = rlimit::getrlimit(rlimit::Resource::NOFILE) else {
        return Ok(());
    };
    let allowed = soft.saturating_sub(RESERVED_FILES);
    if max_connections as u64 > allowed {
        return Err(FileLimitError {
            max: max_connections,
            limit: soft,
            allowed,
        });
    }
    Ok(())
}

/// The next pause of the accept loop after an error: doubled, at most [`MAX_ACCEPT_BACKOFF`].
pub fn next_backoff(previous: Option<Duration>) -> Duration {
    previous.map_or(MIN_ACCEPT_BACKOFF, |d| {
        d.saturating_mul(2).min(MAX_ACCEPT_BACKOFF)
    })
}

/// One open connection, as the registry sees it.
#[derive(Debug, Default)]
pub struct Conn {
    /// Requests in flight (from the service call to the last byte of the answer).
    busy: AtomicUsize,
    /// Told to close: at once when idle, after the request in flight otherwise.
    close: Notify,
}

impl Conn {
    /// Whether a request is in flight.
    pub fn is_busy(&self) -> bool {
        self.busy.load(Ordering::SeqCst) > 0
    }

    /// Resolves when the registry wants this connection closed.
    pub async fn closing(&self) {
        self.close.notified().await
    }
}

/// Marks a request in flight until dropped (held by the answer's body, so it lasts until the
/// answer is written).
#[derive(Debug)]
pub struct Busy(Arc<Conn>);

impl Busy {
    /// Marks `conn` busy.
    pub fn new(conn: &Arc<Conn>) -> Busy {
        conn.busy.fetch_add(1, Ordering::SeqCst);
        Busy(conn.clone())
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.busy.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The open connections, oldest first.
#[derive(Debug, Default)]
pub struct Registry {
    inner: Mutex<Inner>,
    /// A connection ended.
    released: Notify,
}

#[derive(Debug, Default)]
struct Inner {
    next_id: u64,
    open: BTreeMap<u64, Arc<Conn>>,
    /// Connections evicted but whose task has not ended yet.
    closing: usize,
}

/// What [`Registry::admit`] decided.
#[derive(Debug)]
pub enum Admission {
    /// Serve it: an id and the connection's handle.
    Open(u64, Arc<Conn>),
    /// Every connection is busy: wait for [`Registry::released`] and try again.
    Full,
}

impl Registry {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Connections open (evicted ones still closing included).
    pub fn len(&self) -> usize {
        let inner = self.lock();
        inner.open.len() + inner.closing
    }

    /// Whether no connection is open.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Admits a new connection under `max`: when full, the oldest idle one is told to close and
    /// its place is taken at once.
    pub fn admit(&self, max: usize) -> Admission {
        let mut inner = self.lock();
        if inner.open.len() >= max {
            let idle = inner
                .open
                .iter()
                .find(|(_, c)| !c.is_busy())
                .map(|(id, _)| *id);
            match idle {
                Some(id) => {
                    if let Some(conn) = inner.open.remove(&id) {
                        inner.closing += 1;
                        conn.close.notify_one();
                    }
                }
                None => return Admission::Full,
            }
        }
        let id = inner.next_id;
        inner.next_id += 1;
        let conn = Arc::new(Conn::default());
        inner.open.insert(id, conn.clone());
        Admission::Open(id, conn)
    }

    /// The connection `id` ended (its task is done).
    pub fn release(&self, id: u64) {
        let mut inner = self.lock();
        if inner.open.remove(&id).is_none() {
            // It had been evicted.
            inner.closing = inner.closing.saturating_sub(1);
        }
        drop(inner);
        self.released.notify_waiters();
    }

    /// Resolves at the next [`release`](Self::release).
    pub async fn released(&self) {
        self.released.notified().await
    }

    /// Tells every connection to close (idle ones at once, busy ones after their answer).
    pub fn close_all(&self) {
        for conn in self.lock().open.values() {
            conn.close.notify_one();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_registry_evicts_the_oldest_idle_connection_and_waits_when_all_are_busy() {
        let r = Registry::default();
        let Admission::Open(a, ca) = r.admit(2) else {
            panic!()
        };
        let Admission::Open(_, cb) = r.admit(2) else {
            panic!()
        };
        let busy_b = Busy::new(&cb);
        // Full: the oldest idle one (a) makes room.
        let Admission::Open(c, cc) = r.admit(2) else {
            panic!("an idle connection should have been evicted")
        };
        assert_eq!(r.len(), 3, "a is still closing");
        r.release(a);
        assert_eq!(r.len(), 2);
        drop(ca);
        let _busy_c = Busy::new(&cc);
        assert!(matches!(r.admit(2), Admission::Full), "all busy: wait");
        drop(busy_b);
        assert!(matches!(r.admit(2), Admission::Open(..)));
        r.release(c);
    }

    #[test]
    fn the_accept_backoff_doubles_up_to_a_second() {
        let mut d = None;
        let mut seen = Vec::new();
        for _ in 0..10 {
            let next = next_backoff(d);
            seen.push(next);
            d = Some(next);
        }
        assert_eq!(seen[0], MIN_ACCEPT_BACKOFF);
        assert_eq!(seen[1], MIN_ACCEPT_BACKOFF * 2);
        assert_eq!(*seen.last().unwrap(), MAX_ACCEPT_BACKOFF);
    }

    #[test]
    fn max_connections_above_the_file_limit_is_refused() {
        let (soft, _) = rlimit::getrlimit(rlimit::Resource::NOFILE).unwrap();
        assert!(check_file_limit(8).is_ok());
        let e = check_file_limit(soft as usize).unwrap_err();
        assert!(e.to_string().contains("LimitNOFILE"), "{e}");
    }
}
