//! A client-side request rate: at most N requests per second, spaced evenly.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Spaces requests at least `1 / rate` apart. Shared by every request of one client.
#[derive(Debug)]
pub(crate) struct Throttle {
    interval: Duration,
    next: Mutex<Option<Instant>>,
}

impl Throttle {
    /// A throttle for `per_second` requests per second.
    pub(crate) fn new(per_second: f64) -> Self {
        Self {
            interval: Duration::from_secs_f64(1.0 / per_second),
            next: Mutex::new(None),
        }
    }

    /// Waits until the next slot is free, without taking it.
    pub(crate) fn wait_free(&self) {
        let wait = {
            let next = self.next.lock().unwrap_or_else(|e| e.into_inner());
            next.map_or(Duration::ZERO, |n| {
                n.saturating_duration_since(Instant::now())
            })
        };
        if !wait.is_zero() {
            std::thread::sleep(wait);
        }
    }

    /// Waits for the next free slot, and takes it.
    pub(crate) fn acquire(&self) {
        let wait = {
            let mut next = self.next.lock().unwrap_or_else(|e| e.into_inner());
            let now = Instant::now();
            let slot = next.map_or(now, |n| n.max(now));
            *next = Some(slot + self.interval);
            slot.saturating_duration_since(now)
        };
        if !wait.is_zero() {
            std::thread::sleep(wait);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spaces_requests() {
        let t = Throttle::new(100.0);
        let start = Instant::now();
        for _ in 0..5 {
            t.acquire();
        }
        // five slots at 10 ms spacing: the fifth starts 40 ms after the first
        assert!(start.elapsed() >= Duration::from_millis(40));
    }

    #[test]
    fn waiting_for_a_free_slot_does_not_take_it() {
        let t = Throttle::new(20.0);
        t.acquire();
        let start = Instant::now();
        t.wait_free();
        // the slot after the first is 50 ms away
        t.wait_free();
        t.wait_free();
        let waited = start.elapsed();
        assert!(waited >= Duration::from_millis(40), "{waited:?}");
        // and the slot is still free: acquiring it does not wait another interval
        let before = Instant::now();
        t.acquire();
        assert!(before.elapsed() < Duration::from_millis(40));
    }
}
