//! What incidents and maintenances share: affected components, updates and their rendering.

use super::*;

pub(super) fn live_status(pg: &Page, id: &str) -> String {
    pg.components
        .iter()
        .find(|c| c.id == id)
        .map_or_else(|| "OPERATIONAL".to_owned(), |c| c.status.clone())
}

/// Sets the affected components: the listed ones keep their incident status, new ones take the
/// live status; then applies `statuses` to both the record and the live components.
pub(super) fn apply_statuses(
    pg: &mut Page,
    affected: &mut Vec<(String, String)>,
    components: Option<&[String]>,
    statuses: &[(String, String)],
    now: &str,
) {
    if let Some(list) = components {
        let old = std::mem::take(affected);
        for id in list {
            let st = old
                .iter()
                .find(|(c, _)| c == id)
                .map_or_else(|| live_status(pg, id), |(_, s)| s.clone());
            if !affected.iter().any(|(c, _)| c == id) {
                affected.push((id.clone(), st));
            }
        }
    }
    for (id, status) in statuses {
        set_component_status(pg, id, status, now);
        match affected.iter_mut().find(|(c, _)| c == id) {
            Some(e) => e.1 = status.clone(),
            None => affected.push((id.clone(), status.clone())),
        }
    }
}

/// [`apply_statuses`] for a notice being created: its affected components are `components`.
pub(super) fn new_affected(
    pg: &mut Page,
    components: &[String],
    statuses: &[(String, String)],
    now: &str,
) -> Vec<(String, String)> {
    let mut affected = Vec::new();
    apply_statuses(pg, &mut affected, Some(components), statuses, now);
    affected
}

/// The body fields incidents, maintenances and their updates share, each `None` when absent.
/// `message` is not among them: updating an incident does not take one.
pub(super) struct NoticeFields {
    pub(super) components: Option<Vec<String>>,
    pub(super) started: Option<String>,
    pub(super) status: Option<String>,
    pub(super) notify: Option<bool>,
    /// Empty when absent.
    pub(super) statuses: Vec<(String, String)>,
    pub(super) translations: Option<Value>,
}

impl NoticeFields {
    /// Reads the fields, `status` checked against `allowed`; the start time is under
    /// `started_key` (`start` on a maintenance itself, `started` elsewhere).
    pub(super) fn parse(
        m: &Obj,
        allowed: &[&str],
        started_key: &str,
    ) -> Result<NoticeFields, ApiError> {
        Ok(NoticeFields {
            components: opt_str_list(m, "components")?,
            started: opt_ts(m, started_key)?,
            status: opt_enum(m, "status", allowed)?,
            notify: opt_bool(m, "notify")?,
            statuses: opt_statuses(m, "statuses")?.unwrap_or_default(),
            translations: opt_translations(m)?,
        })
    }
}

/// [`NoticeFields`] of a request that must give a status and sets the rest in full: absent
/// `components` are none and an absent `notify` is false.
pub(super) struct FullNoticeFields {
    pub(super) components: Vec<String>,
    pub(super) started: Option<String>,
    pub(super) status: String,
    pub(super) notify: bool,
    pub(super) statuses: Vec<(String, String)>,
    pub(super) translations: Option<Value>,
}

impl FullNoticeFields {
    /// As [`NoticeFields::parse`], then requires `status`.
    pub(super) fn parse(
        m: &Obj,
        allowed: &[&str],
        started_key: &str,
    ) -> Result<FullNoticeFields, ApiError> {
        let given = NoticeFields::parse(m, allowed, started_key)?;
        Ok(FullNoticeFields {
            status: required_enum("status", given.status, allowed)?,
            components: given.components.unwrap_or_default(),
            started: given.started,
            notify: given.notify.unwrap_or(false),
            statuses: given.statuses,
            translations: given.translations,
        })
    }
}

/// Writes the fields a request gave onto an existing update.
pub(super) fn edit_update(
    u: &mut NoticeUpdate,
    message: Option<String>,
    fields: NoticeFields,
    now: &str,
) {
    if let Some(x) = message {
        u.message = x;
    }
    if let Some(x) = fields.started {
        u.started = x;
    }
    if let Some(x) = fields.status {
        u.status = x;
    }
    if let Some(x) = fields.notify {
        u.notify = x;
    }
    if let Some(t) = fields.translations {
        u.translations = t;
    }
    u.updated_at = now.to_owned();
}

/// An existing incident or maintenance of a page, by index: the notices that record the
/// components they affect.
#[derive(Clone, Copy)]
pub(super) enum Notice {
    Incident(usize),
    Maintenance(usize),
}

impl Notice {
    pub(super) fn affected(self, pg: &Page) -> &Vec<(String, String)> {
        match self {
            Notice::Incident(i) => &pg.incidents[i].components,
            Notice::Maintenance(i) => &pg.maintenances[i].components,
        }
    }

    pub(super) fn affected_mut(self, pg: &mut Page) -> &mut Vec<(String, String)> {
        match self {
            Notice::Incident(i) => &mut pg.incidents[i].components,
            Notice::Maintenance(i) => &mut pg.maintenances[i].components,
        }
    }

    /// `components` when a request lists them, else the ones this notice already affects.
    pub(super) fn listed(self, pg: &Page, components: Option<&[String]>) -> Vec<String> {
        components.map_or_else(
            || self.affected(pg).iter().map(|(c, _)| c.clone()).collect(),
            <[String]>::to_vec,
        )
    }

    /// Checks an edit's `components` and `statuses` against the page, then applies them.
    pub(super) fn edit_affected(
        self,
        pg: &mut Page,
        fields: &NoticeFields,
        now: &str,
    ) -> Result<(), ApiError> {
        let listed = self.listed(pg, fields.components.as_deref());
        check_affected(pg, &listed, &fields.statuses)?;
        self.apply_statuses(pg, fields.components.as_deref(), &fields.statuses, now);
        Ok(())
    }

    /// [`apply_statuses`] on this notice's affected components.
    pub(super) fn apply_statuses(
        self,
        pg: &mut Page,
        components: Option<&[String]>,
        statuses: &[(String, String)],
        now: &str,
    ) {
        // Taken out while the page's live components change, then put back.
        let mut affected = std::mem::take(self.affected_mut(pg));
        apply_statuses(pg, &mut affected, components, statuses, now);
        *self.affected_mut(pg) = affected;
    }
}

pub(super) fn site_brief(pg: &Page) -> Value {
    json!({
        "id": pg.id,
        "name": pg.name,
        "subdomain": pg.subdomain,
        "color": null,
        "logoUrl": setting(pg, "logoUrl"),
        "publicEmail": setting(pg, "publicEmail"),
    })
}

pub(super) fn component_briefs(pg: &Page, affected: &[(String, String)]) -> Value {
    Value::Array(
        affected
            .iter()
            .filter_map(|(id, status)| {
                let c = pg.components.iter().find(|c| &c.id == id)?;
                Some(json!({
                    "id": c.id,
                    "name": c.name,
                    "status": status,
                    "showUptime": c.show_uptime,
                    "site": site_brief(pg),
                }))
            })
            .collect(),
    )
}

pub(super) fn render_update(u: &NoticeUpdate) -> Value {
    json!({
        "id": u.id,
        "message": u.message,
        "messageHtml": message_html(&u.message),
        "status": u.status,
        "notify": u.notify,
        "started": u.started,
        "ended": u.ended,
        "duration": u.duration,
        "createdAt": u.created_at,
    })
}
