//! Settings the API accepts but does not apply (the custom domain: not in the spec's page update,
//! and a lenient Instatus answers 200 and keeps the old value). Once a read-back showed a write
//! ignored, sending the same value again to the same page changes nothing but the request count:
//! the write is left out of the next plans and the setting reported as not applied, with no
//! request.
//!
//! What was seen is an [`IgnoredWrite`]; [`super::cache`] keeps the list between runs in a small
//! file (the Ansible modules and `instatus-bridge page` share it). Losing it changes no result,
//! only costs the one write again.

use serde::{Deserialize, Serialize};

use super::plan::Plan;
use super::settings::SETTINGS;
use super::verify::Verified;
use crate::model::StatusPage;

/// A write of one setting that the API accepted and did not apply, as a read-back showed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IgnoredWrite {
    /// The page's id.
    pub page: String,
    /// The setting, as declared (`custom_domain`).
    pub setting: String,
    /// The value sent.
    pub sent: String,
    /// The value the page showed before and after the write (`None`: unset).
    pub shown: Option<String>,
    /// When it was seen (RFC 3339), so a keeper can forget old facts and try again.
    pub seen: jiff::Timestamp,
}

impl Plan {
    /// Leaves out the writes of settings sent alone (the custom domain) that `known` records as
    /// ignored by the API for this page, this value and what the page shows now: a change of
    /// either sends the write again. Returns the names left out, to report as not applied
    /// (with no request).
    pub fn skip_known_ignored(&mut self, page: &StatusPage, known: &[IgnoredWrite]) -> Vec<String> {
        let mut skipped = Vec::new();
        self.settings.retain(|change| {
            let [field] = change.fields.as_slice() else {
                return true;
            };
            let Some(setting) = SETTINGS
                .iter()
                .find(|s| s.uncertain && s.name == field.field)
            else {
                return true;
            };
            let shown = (setting.current)(page).map(|v| v.shown());
            let ignored = known.iter().any(|k| {
                k.page == page.id.as_str()
                    && k.setting == field.field
                    && Some(&k.sent) == field.after.as_ref()
                    && k.shown == shown
            });
            if ignored {
                skipped.push(field.field.clone());
            }
            !ignored
        });
        skipped
    }

    /// The writes of settings sent alone that the read-back `verified` shows not applied, as
    /// facts to keep: the page `after` still shows what it showed before.
    pub fn ignored_writes(
        &self,
        before: &StatusPage,
        verified: &Verified,
        after: &StatusPage,
        seen: jiff::Timestamp,
    ) -> Vec<IgnoredWrite> {
        let mut out = Vec::new();
        for change in &self.settings {
            let [field] = change.fields.as_slice() else {
                continue;
            };
            let Some(setting) = SETTINGS
                .iter()
                .find(|s| s.uncertain && s.name == field.field)
            else {
                continue;
            };
            let shown_before = (setting.current)(before).map(|v| v.shown());
            let shown_after = (setting.current)(after).map(|v| v.shown());
            let (true, Some(sent)) = (
                verified.not_applied.contains(&field.field) && shown_before == shown_after,
                field.after.clone(),
            ) else {
                continue;
            };
            out.push(IgnoredWrite {
                page: before.id.as_str().to_owned(),
                setting: field.field.clone(),
                sent,
                shown: shown_after,
                seen,
            });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::desired::{plan, verify, Current, PageSpec, PlanOptions};
    use crate::model::StatusPage;

    fn page(v: serde_json::Value) -> StatusPage {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn a_domain_the_api_ignored_is_not_sent_again_until_the_value_or_the_page_changes() {
        let spec: PageSpec = serde_json::from_value(json!({"settings": {
            "custom_domain": "status.ephemery.xyz", "brand_color": "#111827"
        }}))
        .unwrap();
        let before = page(json!({"id": "ckpage", "brandColor": "#000000"}));
        let current = Current {
            page: before.clone(),
            components: vec![],
        };
        let first = plan(&spec, &current, PlanOptions::default()).unwrap();
        assert_eq!(first.write_count(), 2);
        // The API applied the colour and ignored the domain.
        let after = page(json!({"id": "ckpage", "brandColor": "#111827"}));
        let read_back = Current {
            page: after.clone(),
            components: vec![],
        };
        let verified = verify(&spec, PlanOptions::default(), &first, &read_back).unwrap();
        let seen = jiff::Timestamp::UNIX_EPOCH;
        let known = first.ignored_writes(&before, &verified, &after, seen);
        assert_eq!(known.len(), 1);
        assert_eq!(
            (
                known[0].setting.as_str(),
                known[0].sent.as_str(),
                &known[0].shown
            ),
            ("custom_domain", "status.ephemery.xyz", &None)
        );

        // The next run: nothing to write, the domain reported without a request.
        let mut again = plan(&spec, &read_back, PlanOptions::default()).unwrap();
        assert_eq!(again.write_count(), 1);
        assert_eq!(again.skip_known_ignored(&after, &known), ["custom_domain"]);
        assert!(again.is_empty());

        // Another declared value, or a page that now shows something else: sent again.
        let other: PageSpec =
            serde_json::from_value(json!({"settings": {"custom_domain": "status.other.xyz"}}))
                .unwrap();
        let mut p = plan(&other, &read_back, PlanOptions::default()).unwrap();
        assert!(p.skip_known_ignored(&after, &known).is_empty());
        assert_eq!(p.write_count(), 1);
        let moved = page(json!({"id": "ckpage", "customDomain": "old.example.org"}));
        let mut p = plan(
            &spec,
            &Current {
                page: moved.clone(),
                components: vec![],
            },
            PlanOptions::default(),
        )
        .unwrap();
        assert!(p.skip_known_ignored(&moved, &known).is_empty());
        // Another page: sent.
        let elsewhere = page(json!({"id": "ckother"}));
        let mut p = plan(
            &spec,
            &Current {
                page: elsewhere.clone(),
                components: vec![],
            },
            PlanOptions::default(),
        )
        .unwrap();
        assert!(p.skip_known_ignored(&elsewhere, &known).is_empty());
    }

    #[test]
    fn an_applied_domain_is_no_ignored_write() {
        let spec: PageSpec =
            serde_json::from_value(json!({"settings": {"custom_domain": "status.ephemery.xyz"}}))
                .unwrap();
        let before = page(json!({"id": "ckpage"}));
        let p = plan(
            &spec,
            &Current {
                page: before.clone(),
                components: vec![],
            },
            PlanOptions::default(),
        )
        .unwrap();
        let after = page(json!({"id": "ckpage", "customDomain": "status.ephemery.xyz"}));
        let read_back = Current {
            page: after.clone(),
            components: vec![],
        };
        let verified = verify(&spec, PlanOptions::default(), &p, &read_back).unwrap();
        assert!(p
            .ignored_writes(&before, &verified, &after, jiff::Timestamp::UNIX_EPOCH)
            .is_empty());
    }
}
