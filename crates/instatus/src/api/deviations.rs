//! Where this crate (and the emulator) deliberately follow the real API instead of the spec.
//!
//! Instatus's OpenAPI spec is the contract, but it lags the live API in a few documented places.
//! Each entry names the operation, the JSON location and where the behaviour is known from. The
//! conformance tests allow exactly these and nothing else; operations missing from the spec
//! altogether are marked in [`operations`](super::operations) with `not_in_spec`.

use super::Op;

/// Which side of an operation a deviation is on.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Side {
    /// The request body the client sends.
    Request,
    /// The response body the API returns.
    Response,
}

/// One deliberate difference from the spec.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Deviation {
    /// The operation.
    pub op: Op,
    /// Request or response.
    pub side: Side,
    /// The JSON location, `*` for every array item (e.g. `components.*.status`).
    pub location: &'static str,
    /// What differs and why.
    pub reason: &'static str,
}

/// Every deliberate difference from the spec.
pub const DEVIATIONS: &[Deviation] = &[
    Deviation {
        op: Op::UpdateComponent,
        side: Side::Request,
        location: "groupId",
        reason: "re-parenting: the spec's UpdateComponentRequest has no parent field; clients of \
                 the live API send `groupId` with `grouped` (the Terraform provider \
                 AshleyJackson/terraform-provider-instatus, the scroll-sdk CLI)",
    },
    Deviation {
        op: Op::UpdatePage,
        side: Side::Request,
        location: "customDomain",
        reason: "the custom domain is not in the spec's UpdateStatusPageRequest; the Terraform \
                 provider (AshleyJackson/terraform-provider-instatus) sends it on update",
    },
    Deviation {
        op: Op::UpdatePage,
        side: Side::Response,
        location: "name",
        reason: "the page update answers `name` as a translations object \
                 `{\"en\":…,\"default\":…}`, not a string (as the Terraform provider AshleyJackson/terraform-provider-instatus \
                 decodes it)",
    },
    Deviation {
        op: Op::ListIncidents,
        side: Side::Response,
        location: "*.components.*.status",
        reason: "the spec types an incident's component status as IncidentStatus; the API sends \
                 component statuses, as the spec's own examples show (a spec bug)",
    },
    Deviation {
        op: Op::GetIncident,
        side: Side::Response,
        location: "components.*.status",
        reason: "as for ListIncidents",
    },
    Deviation {
        op: Op::CreateIncident,
        side: Side::Response,
        location: "components.*.status",
        reason: "as for ListIncidents",
    },
    Deviation {
        op: Op::UpdateIncident,
        side: Side::Response,
        location: "components.*.status",
        reason: "as for ListIncidents",
    },
];

/// Whether `location` (a path like `3.components.0.status`) on `op`'s `side` is a listed deviation.
pub fn is_deviation(op: Op, side: Side, location: &str) -> bool {
    DEVIATIONS.iter().any(|d| {
        d.op == op && d.side == side && {
            let want: Vec<&str> = d.location.split('.').collect();
            let got: Vec<&str> = location.split('.').collect();
            want.len() == got.len()
                && want
                    .iter()
                    .zip(&got)
                    .all(|(w, g)| *w == "*" && g.parse::<usize>().is_ok() || w == g)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_match_array_indexes_only() {
        assert!(is_deviation(
            Op::ListIncidents,
            Side::Response,
            "2.components.0.status"
        ));
        assert!(!is_deviation(
            Op::ListIncidents,
            Side::Response,
            "x.components.0.status"
        ));
        assert!(!is_deviation(
            Op::ListIncidents,
            Side::Request,
            "2.components.0.status"
        ));
    }
}
