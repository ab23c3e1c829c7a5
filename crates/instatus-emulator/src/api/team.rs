//! Team members and the current user.

use super::*;

pub(super) fn list_team(st: &State, page_id: &str, query: &str) -> R {
    let pg = page(st, page_id)?;
    let mut items = vec![json!({
        "id": format!("{}-owner", pg.id),
        "user": {"id": st.user.id, "name": st.user.name, "email": st.user.email, "avatar": null},
    })];
    items.extend(pg.team.iter().map(|t| {
        json!({
            "id": t.id,
            "user": {"id": t.user_id, "name": null, "email": t.email, "avatar": null},
        })
    }));
    Ok(Value::Array(paginate(items, query)))
}

pub(super) fn add_teammate(st: &mut State, page_id: &str, body: &[u8]) -> R {
    let i = page_idx(st, page_id)?;
    let m = parse_obj(body)?;
    missing(&["email", "permission"], &m)?;
    let email = req_str(&m, "email")?;
    check_form("email", &email, instatus::validate::email)?;
    let permission = req_enum(&m, "permission", TEAMMATE_PERMISSION)?;
    if st.pages[i]
        .team
        .iter()
        .any(|t| t.email.eq_ignore_ascii_case(&email))
    {
        return Err(bad(format!("{email} is already a member of this page")));
    }
    let id = st.new_id();
    let user_id = st.new_id();
    st.pages[i].team.push(Teammate {
        id,
        user_id,
        email: email.clone(),
        permission,
    });
    Ok(json!({"email": email}))
}

pub(super) fn remove_teammate(st: &mut State, page_id: &str, id: &str) -> R {
    let i = page_idx(st, page_id)?;
    let pg = &mut st.pages[i];
    let ti = pg
        .team
        .iter()
        .position(|t| t.id == id)
        .ok_or_else(|| not_found("team member", id))?;
    pg.team.remove(ti);
    Ok(json!({"memberId": id}))
}

/// The avatar URL of the emulated user.
pub(super) const DEFAULT_AVATAR: &str =
    "https://www.gravatar.com/avatar/00000000000000000000000000000000?d=mp";

pub(super) fn get_user(st: &State) -> Value {
    json!({
        "id": st.user.id,
        "email": st.user.email,
        "name": st.user.name,
        "slug": st.user.slug,
        // The spec gives `avatar` `format: uri`; Gravatar's "mystery person" stands in for a photo.
        "avatar": DEFAULT_AVATAR,
    })
}
