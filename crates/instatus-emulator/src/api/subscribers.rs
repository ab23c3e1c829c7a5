//! Subscribers: list, add, remove.

use instatus::validate;

use super::*;

pub(super) fn list_subscribers(st: &State, page_id: &str, query: &str) -> R {
    let pg = page(st, page_id)?;
    let search = query_param(query, "search")
        .map(|s| s.to_lowercase())
        .filter(|s| !s.is_empty());
    let matches = |s: &Subscriber| {
        search.as_ref().is_none_or(|q| {
            [&s.email, &s.phone]
                .iter()
                .any(|f| f.as_ref().is_some_and(|v| v.to_lowercase().contains(q)))
        })
    };
    let items = pg
        .subscribers
        .iter()
        .filter(|s| matches(s))
        .map(|s| {
            json!({
                "id": s.id,
                "email": s.email,
                "phone": s.phone,
                "webhook": s.webhook,
                "webhookEmail": s.webhook_email,
                "confirmed": s.confirmed,
                "all": s.all,
                "components": s.components,
            })
        })
        .collect();
    Ok(Value::Array(paginate(items, query)))
}

pub(super) fn add_subscriber(st: &mut State, page_id: &str, body: &[u8]) -> R {
    let i = page_idx(st, page_id)?;
    let m = parse_obj(body)?;
    // Empty strings mean "not this channel", as the real form posts them.
    let email = opt_str(&m, "email")?.filter(|s| !s.is_empty());
    let phone = opt_str(&m, "phone")?.filter(|s| !s.is_empty());
    let webhook = opt_str(&m, "webhook")?.filter(|s| !s.is_empty());
    let webhook_email = opt_str(&m, "webhookEmail")?;
    let checks: [(&str, Option<&String>, Check); 4] = [
        ("email", email.as_ref(), validate::email),
        ("phone", phone.as_ref(), validate::phone_e164),
        ("webhook", webhook.as_ref(), validate::http_url),
        (
            "webhookEmail",
            webhook_email.as_ref().filter(|s| !s.is_empty()),
            validate::email,
        ),
    ];
    for (key, value, check) in checks {
        if let Some(value) = value {
            check_form(key, value, check)?;
        }
    }
    let all = opt_bool(&m, "all")?;
    let auto_confirm = opt_bool(&m, "autoConfirm")?.unwrap_or(false);
    let components = opt_str_list(&m, "components")?.unwrap_or_default();
    let language = opt_checked(&m, "language", validate::language)?.unwrap_or_else(|| "en".into());
    let given = [email.is_some(), phone.is_some(), webhook.is_some()]
        .iter()
        .filter(|b| **b)
        .count();
    if given != 1 {
        return Err(bad(
            "exactly one of the fields 'email', 'phone' or 'webhook' is required",
        ));
    }
    if let Some(e) = &email {
        if !e.contains('@') {
            return Err(bad(format!(
                "invalid value '{e}' for field 'email': not an email address"
            )));
        }
    }
    let pg = &st.pages[i];
    for c in &components {
        if !pg.components.iter().any(|x| &x.id == c) {
            return Err(bad(format!(
                "invalid value '{c}' in field 'components': no such component on this page"
            )));
        }
    }
    let dup = pg.subscribers.iter().any(|s| {
        (email.is_some()
            && s.email.as_deref().map(str::to_lowercase) == email.as_deref().map(str::to_lowercase))
            || (phone.is_some() && s.phone == phone)
            || (webhook.is_some() && s.webhook == webhook)
    });
    if dup {
        let what = email
            .as_deref()
            .or(phone.as_deref())
            .or(webhook.as_deref())
            .unwrap_or("");
        return Err(ApiError::new(
            400,
            "already_subscribed",
            format!("{what} is already subscribed to this page"),
        ));
    }
    let id = st.new_id();
    let token = b36_noise(mix(st.next_id ^ 0x5eed), 24);
    let now = time::now_str();
    let all = all.unwrap_or(components.is_empty());
    let s = Subscriber {
        id,
        email,
        phone,
        webhook,
        webhook_email,
        confirmed: auto_confirm,
        all,
        components: if all { Vec::new() } else { components },
        language,
        unsubscribe_token: token,
        created_at: now.clone(),
        updated_at: now,
    };
    let pg = &mut st.pages[i];
    let v = json!({
        "id": s.id,
        "name": null,
        "email": s.email,
        "phone": s.phone,
        "confirmed": s.confirmed,
        "all": s.all,
        "createdAt": s.created_at,
        "updatedAt": s.updated_at,
        "siteId": pg.id,
        "unsubscribeToken": s.unsubscribe_token,
        "webhook": s.webhook,
        "webhookEmail": s.webhook_email,
        "discord": null,
        "discordTeam": null,
        "slack": null,
        "slackTeam": null,
        "language": s.language,
        "company": null,
        "microsoftTeamsWebhook": null,
        "googleChatWebhook": null,
        "googleChatSpace": null,
        "failedAttempts": 0,
        "approved": true,
        "importedFromStatuspage": false,
        "hideUnsubLink": false,
        "webhookIncidentBody": null,
        "webhookMaintenanceBody": null,
        "webhookComponentBody": null,
        "webhookHttpMethod": "POST",
        "webhookHeaders": null,
        "webhookQueryParams": null,
        "site": {"id": pg.id},
    });
    pg.subscribers.push(s);
    Ok(v)
}

pub(super) fn remove_subscriber(st: &mut State, page_id: &str, id: &str) -> R {
    let i = page_idx(st, page_id)?;
    let pg = &mut st.pages[i];
    let si = pg
        .subscribers
        .iter()
        .position(|s| s.id == id)
        .ok_or_else(|| not_found("subscriber", id))?;
    let s = pg.subscribers.remove(si);
    Ok(json!({
        "id": s.id,
        "name": null,
        "email": s.email.unwrap_or_default(),
        "phone": s.phone,
        "webhook": s.webhook,
        "webhookEmail": s.webhook_email,
        "discord": null,
        "microsoftTeamsWebhook": null,
        "company": null,
        "site": {"id": pg.id},
    }))
}
