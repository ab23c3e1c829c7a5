//! Creating an object exactly once when the answer to the create is lost.
//!
//! A POST that timed out, lost its connection or got a 5xx may still land, seconds later. Sending
//! it again blindly leaves a duplicate; giving up reports a failure for a write that happened. So
//! every create in this crate and its modules goes through [`create_once`]: on an ambiguous
//! failure it waits, looks the object up by what identifies it (a name path, a name and start
//! time...), and only sends again when it is not there.

use std::time::Duration;

use serde::de::DeserializeOwned;

use crate::api::Call;
use crate::{Client, Error};

/// How long [`create_once`] waits before looking up an object whose create was ambiguous: long
/// enough for a request that was still in flight to land.
pub const DEFAULT_RECOVERY_WAIT: Duration = Duration::from_secs(1);

/// How many times a create is sent at most (the first try plus resends after a lookup found
/// nothing).
const MAX_SENDS: usize = 3;

/// What [`create_once`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Created<T> {
    /// The object, as the create answered or as the lookup found it.
    pub value: T,
    /// Whether the object was found by a lookup after an ambiguous failure (the create had landed).
    pub recovered: bool,
    /// How many create requests were sent.
    pub sends: usize,
}

/// Sends `create`; on an ambiguous failure waits `wait`, calls `find`, and sends again only when
/// `find` found nothing. Unambiguous failures (4xx, or an error before anything was sent) are
/// returned as they are.
pub fn create_once<T, F>(
    client: &Client,
    create: impl Fn() -> Call<T>,
    find: F,
    wait: Duration,
) -> Result<Created<T>, Error>
where
    T: DeserializeOwned,
    F: Fn(&Client) -> Result<Option<T>, Error>,
{
    let mut sends = 0;
    loop {
        sends += 1;
        match client.send(create()) {
            Ok(value) => {
                return Ok(Created {
                    value,
                    recovered: false,
                    sends,
                })
            }
            Err(e) if e.is_ambiguous() => {
                std::thread::sleep(wait);
                if let Some(value) = find(client)? {
                    return Ok(Created {
                        value,
                        recovered: true,
                        sends,
                    });
                }
                if sends >= MAX_SENDS {
                    return Err(e);
                }
            }
            Err(e) => return Err(e),
        }
    }
}
