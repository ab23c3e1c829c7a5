//! When and how long to wait before trying a request again (pure: no I/O, no clock).

use std::time::Duration;

use jiff::Timestamp;

/// How failed requests are retried.
///
/// GET, PUT and DELETE are retried on 429, 5xx, timeouts and broken connections. A POST is retried
/// only when the server cannot have acted on it (429, or the connection was never made).
/// Waits grow exponentially with jitter, a `Retry-After` from the API wins when present, and the
/// whole attempt (waits included) is bounded by `max_elapsed`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (1 = no retry).
    pub max_attempts: u32,
    /// The first backoff step.
    pub base_delay: Duration,
    /// The largest single wait (also caps `Retry-After`).
    pub max_delay: Duration,
    /// The total time budget for one call, waits included.
    pub max_elapsed: Duration,
}

impl Default for RetryPolicy {
    /// 5 attempts, 500 ms doubling to 30 s at most, 2 minutes in all.
    fn default() -> Self {
        Self {
            max_attempts: 5,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            max_elapsed: Duration::from_secs(120),
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// The wait before retry number `retry` (1 for the first retry): "equal jitter", half of the
    /// exponential step fixed and half random, so replicas do not retry in lock step but a wait is
    /// never near zero. `unit` is a random number in `[0, 1)`.
    pub fn backoff(&self, retry: u32, unit: f64) -> Duration {
        let exp = self
            .base_delay
            .saturating_mul(
                1u32.checked_shl(retry.saturating_sub(1))
                    .unwrap_or(u32::MAX),
            )
            .min(self.max_delay);
        let half = exp / 2;
        // Not `mul_f64`: it panics when f64 rounding lands past Duration::MAX.
        let jitter =
            Duration::try_from_secs_f64(half.as_secs_f64() * unit.clamp(0.0, 1.0)).unwrap_or(half);
        half.saturating_add(jitter.min(half))
    }
}

/// Reads a `Retry-After` header: delay seconds or an HTTP date (RFC 9110 §10.2.3).
///
/// Any number of seconds up to 2^64-1 is read as given; the client then compares it with
/// [`RetryPolicy::max_delay`] and gives up with [`Error::RateLimited`](crate::Error::RateLimited)
/// instead of sleeping when it is longer, so a hostile value ends the call at once.
pub fn parse_retry_after(value: &str, now: Timestamp) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = jiff::fmt::rfc2822::parse(value).ok()?.timestamp();
    let wait = when.duration_since(now);
    Some(Duration::try_from(wait).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        let p = RetryPolicy {
            max_attempts: 10,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(1000),
            max_elapsed: Duration::from_secs(10),
        };
        assert_eq!(p.backoff(1, 0.0), Duration::from_millis(50));
        assert_eq!(p.backoff(1, 1.0), Duration::from_millis(100));
        assert_eq!(p.backoff(3, 0.0), Duration::from_millis(200));
        assert_eq!(p.backoff(30, 1.0), Duration::from_millis(1000));
    }

    #[test]
    fn backoff_with_duration_max_limits_panicked() {
        let p = RetryPolicy {
            max_attempts: u32::MAX,
            base_delay: Duration::MAX,
            max_delay: Duration::MAX,
            max_elapsed: Duration::MAX,
        };
        for retry in [0, 1, 2, 64, u32::MAX] {
            for unit in [0.0, 0.5, 0.999_999, 1.0, f64::NAN] {
                let wait = p.backoff(retry, unit);
                assert!(
                    wait >= Duration::MAX / 2 && wait <= Duration::MAX,
                    "{retry} {unit}"
                );
            }
        }
    }

    #[test]
    fn retry_after_of_2_64_minus_1_seconds_is_read_as_given() {
        let now: Timestamp = "2026-11-25T12:00:00Z".parse().unwrap();
        assert_eq!(
            parse_retry_after(&u64::MAX.to_string(), now),
            Some(Duration::from_secs(u64::MAX))
        );
        // One more than fits: not a number of seconds this side can hold, so ignored.
        assert_eq!(parse_retry_after("18446744073709551616", now), None);
        let far = parse_retry_after("Wed, 01 Dec 9999 00:00:00 GMT", now).unwrap();
        assert!(far > Duration::from_secs(7_900 * 365 * 86_400), "{far:?}");
        // Past the largest date jiff holds: unreadable, so the client backs off instead.
        assert_eq!(
            parse_retry_after("Fri, 31 Dec 9999 23:59:59 GMT", now),
            None
        );
    }

    #[test]
    fn retry_after_seconds_and_dates() {
        let now: Timestamp = "2026-11-25T12:00:00Z".parse().unwrap();
        assert_eq!(parse_retry_after("7", now), Some(Duration::from_secs(7)));
        assert_eq!(
            parse_retry_after("Wed, 25 Nov 2026 12:00:30 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse_retry_after("Wed, 25 Nov 2026 11:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
    }
}
