//! Webhook authentication as Alertmanager's `http_config` sends it (`Authorization: Bearer ...`
//! or `Authorization: Basic ...`), compared in constant time.

use base64::Engine as _;
use subtle::ConstantTimeEq;

use crate::config::WebhookAuth;

/// Checks the `Authorization` header of a webhook.
pub struct Authorizer {
    /// The whole expected header value; `None` accepts every request.
    expected: Option<Vec<u8>>,
    scheme: &'static str,
}

impl std::fmt::Debug for Authorizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authorizer")
            .field("scheme", &self.scheme)
            .field("expected", &self.expected.as_ref().map(|_| "***"))
            .finish()
    }
}

impl Authorizer {
    /// An authorizer for the configured credentials.
    pub fn new(auth: Option<&WebhookAuth>) -> Authorizer {
        match auth {
            None => Authorizer {
                expected: None,
                scheme: "none",
            },
            Some(WebhookAuth::Bearer(token)) => Authorizer {
                expected: Some(format!("Bearer {}", token.expose()).into_bytes()),
                scheme: "Bearer",
            },
            Some(WebhookAuth::Basic { username, password }) => {
                let pair = format!("{username}:{}", password.expose());
                let encoded = base64::engine::general_purpose::STANDARD.encode(pair);
                Authorizer {
                    expected: Some(format!("Basic {encoded}").into_bytes()),
                    scheme: "Basic",
                }
            }
        }
    }

    /// The scheme for `WWW-Authenticate`.
    pub fn scheme(&self) -> &'static str {
        self.scheme
    }

    /// Whether the header value is right. The comparison takes the same time for every value of
    /// the expected length (only the length can be learned, as with any such check).
    pub fn check(&self, header: Option<&[u8]>) -> bool {
        match (&self.expected, header) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(expected), Some(given)) => bool::from(expected.as_slice().ct_eq(given)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use instatus::Secret;

    #[test]
    fn bearer_and_basic_accept_only_the_right_header() {
        let bearer = Authorizer::new(Some(&WebhookAuth::Bearer(Secret::new("s3cret"))));
        assert!(bearer.check(Some(b"Bearer s3cret")));
        assert!(!bearer.check(Some(b"Bearer s3creT")));
        assert!(!bearer.check(Some(b"Bearer s3cret ")));
        assert!(!bearer.check(None));
        let basic = Authorizer::new(Some(&WebhookAuth::Basic {
            username: "am".into(),
            password: Secret::new("pw"),
        }));
        // base64("am:pw") = YW06cHc=
        assert!(basic.check(Some(b"Basic YW06cHc=")));
        assert!(!basic.check(Some(b"Basic YW06cHd=")));
        assert!(Authorizer::new(None).check(None));
        assert!(!format!("{bearer:?}").contains("s3cret"));
    }
}
