//! Creating an object exactly once when the answer to the create is lost.
//!
//! A POST that timed out, lost its connection or got a 5xx may still land, seconds later. Sending
//! it again blindly leaves a duplicate; giving up reports a failure for a write that happened. So
//! every create in this crate and its modules goes through [`create_once`]: on an ambiguous
//! failure it looks the object up by what identifies it (a name path, a name and start time...),
//! and sends again only when it is still not there a request timeout later.

use std::time::Duration;

use serde::de::DeserializeOwned;

use crate::api::Call;
use crate::{Client, Error};

/// Added to the client's request timeout before the last look-up of an object whose create was
/// ambiguous: a request the client gave up on may still be running on the server, and lands at
/// most about a request timeout later.
pub const RECOVERY_MARGIN: Duration = Duration::from_secs(2);

/// How long [`create_once`] waits, after an ambiguous create, before its last look-up: the
/// client's request timeout plus [`RECOVERY_MARGIN`].
pub fn recovery_wait(client: &Client) -> Duration {
    client.timeout() + RECOVERY_MARGIN
}

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

/// Sends `create`; on an ambiguous failure looks the object up with `find` at once (it usually
/// landed), and if it is not there yet, again after [`recovery_wait`], so a request still running
/// on the server is never sent a second time. Only when both look-ups found nothing is the create
/// sent again. Unambiguous failures (4xx, or an error before anything was sent) are returned as
/// they are.
pub fn create_once<T, F>(
    client: &Client,
    create: impl Fn() -> Call<T>,
    find: F,
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
                let found = match find(client)? {
                    Some(value) => Some(value),
                    None => {
                        std::thread::sleep(recovery_wait(client));
                        find(client)?
                    }
                };
                if let Some(value) = found {
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
