//! The API behaviour over HTTP: auth, errors, pagination, components, incidents, maintenances,
//! subscribers, metrics, public views.

use crate::common;

use common::Api;
use serde_json::{json, Value};

#[test]
fn auth_is_required_and_the_key_never_echoed() {
    let api = Api::start();
    let path = api.v1("/components");
    let missing = api.try_send("GET", &path, None, None, None).unwrap();
    assert_eq!(missing.status, 401);
    assert_eq!(missing.json["error"]["code"], "unauthorized");
    let wrong = api
        .try_send("GET", &path, None, Some("wrong-key-123456"), None)
        .unwrap();
    assert_eq!(wrong.status, 401);
    assert!(!wrong.text.contains("wrong-key-123456"));
    assert!(!wrong.text.contains(api.emu.api_key()));
    // Public views need no key.
    let public = api
        .try_send("GET", "/summary.json", None, None, None)
        .unwrap();
    assert_eq!(public.status, 200, "{}", public.text);
}

#[test]
fn not_found_uses_the_envelope_and_names_the_kind() {
    let api = Api::start();
    let a = api.send("GET", &api.v1("/components/cknope"), None);
    assert_eq!(a.status, 404);
    assert_eq!(a.json["error"]["code"], "not_found");
    assert_eq!(a.json["error"]["message"], "component cknope not found");
    let a = api.send("GET", "/v1/ckmissing/incidents", None);
    assert_eq!(a.status, 404);
    assert_eq!(a.json["error"]["message"], "page ckmissing not found");
    let a = api.send("GET", "/v9/nothing/here", None);
    assert_eq!(a.status, 404);
    assert_eq!(a.json["error"]["code"], "not_found");
    assert!(a.json["error"]["message"].is_string());
}

#[test]
fn bad_bodies_are_400_naming_the_field_and_values() {
    let api = Api::start();
    let a = api.send("POST", &api.v1("/components"), Some(json!({})));
    assert_eq!(a.status, 400);
    assert_eq!(a.json["error"]["code"], "invalid_request");
    assert!(a.json["error"]["message"]
        .as_str()
        .unwrap()
        .contains("'name'"));

    let a = api.send(
        "POST",
        &api.v1("/components"),
        Some(json!({"name": "x", "status": "DEGRADED"})),
    );
    assert_eq!(a.status, 400);
    let msg = a.json["error"]["message"].as_str().unwrap();
    assert!(
        msg.contains("'status'") && msg.contains("DEGRADEDPERFORMANCE"),
        "{msg}"
    );

    let url = format!("{}{}", api.emu.url(), api.v1("/components"));
    let mut resp = common::agent()
        .post(&url)
        .header("Authorization", format!("Bearer {}", api.emu.api_key()))
        .header("Content-Type", "application/json")
        .send("{not json")
        .unwrap();
    assert_eq!(resp.status().as_u16(), 400);
    let body: Value = serde_json::from_str(&resp.body_mut().read_to_string().unwrap()).unwrap();
    assert_eq!(body["error"]["code"], "invalid_request");

    let a = api.send(
        "POST",
        &api.v1("/maintenances"),
        Some(json!({"name": "m", "status": "NOTSTARTEDYET"})),
    );
    assert_eq!(a.status, 400);
    let msg = a.json["error"]["message"].as_str().unwrap();
    for field in ["components", "start", "end", "notifyStart", "autoEnd"] {
        assert!(msg.contains(field), "{msg}");
    }
}

#[test]
fn per_page_is_capped_at_100_and_pages_walk() {
    let api = Api::start();
    for i in 0..120 {
        api.component(&format!("c{i:03}"));
    }
    let all = api.get(&format!("{}?per_page=500", api.v1("/components")));
    assert_eq!(all.as_array().unwrap().len(), 100);
    let default = api.get(&api.v1("/components"));
    assert_eq!(default.as_array().unwrap().len(), 50);
    let second = api.get(&format!("{}?page=2&per_page=100", api.v1("/components")));
    assert_eq!(second.as_array().unwrap().len(), 20);
    assert_eq!(second[0]["name"], "c100", "stable creation order");
}

#[test]
fn v1_is_flat_v2_is_nested_and_group_becomes_group_id() {
    let api = Api::start();
    let group = api.component("Ethereum Services");
    let child = api.post(
        &api.v1("/components"),
        json!({"name": "Execution Client", "grouped": true, "group": group}),
    );
    assert_eq!(child["groupId"], group.as_str());
    assert_eq!(child["group"]["id"], group.as_str());
    assert!(
        child["group"].get("group").is_none(),
        "the parent has no group of its own"
    );
    let other = api.component("Network");

    let flat = api.get(&api.v1("/components"));
    let flat = flat.as_array().unwrap();
    assert_eq!(flat.len(), 3);
    let parent = flat.iter().find(|c| c["id"] == group.as_str()).unwrap();
    assert_eq!(parent["isParent"], true);
    assert!(parent["group"].is_null());

    let nested = api.get(&api.v2("/components"));
    let nested = nested.as_array().unwrap();
    assert_eq!(nested.len(), 2, "top level only");
    let parent = nested.iter().find(|c| c["id"] == group.as_str()).unwrap();
    assert_eq!(parent["children"][0]["id"], child["id"]);
    assert_eq!(parent["children"][0]["groupId"], group.as_str());

    // Re-parent with groupId, then back to top level; omitting status keeps the live one.
    api.put(
        &api.v1(&format!("/components/{other}")),
        json!({"status": "MAJOROUTAGE"}),
    );
    let moved = api.put(
        &api.v1(&format!("/components/{other}")),
        json!({"groupId": group, "grouped": true}),
    );
    assert_eq!(moved["groupId"], group.as_str());
    assert_eq!(moved["status"], "MAJOROUTAGE");
    let back = api.put(
        &api.v1(&format!("/components/{other}")),
        json!({"groupId": null, "grouped": false}),
    );
    assert!(back["groupId"].is_null());

    // Unknown parent.
    let a = api.send(
        "POST",
        &api.v1("/components"),
        Some(json!({"name": "x", "grouped": true, "group": "cknope"})),
    );
    assert_eq!(a.status, 400);

    // Deleting a group answers {id} and keeps the children at top level.
    let gone = api.delete(&api.v1(&format!("/components/{group}")));
    assert_eq!(gone, json!({"id": group}));
    let orphan = api.get(&api.v1(&format!("/components/{}", child["id"].as_str().unwrap())));
    assert!(orphan["groupId"].is_null());
}

#[test]
fn component_fields_and_archive() {
    let api = Api::start();
    let c = api.post(&api.v1("/components"), json!({"name": "Beacon Node"}));
    assert_eq!(c["status"], "OPERATIONAL");
    assert_eq!(c["showUptime"], true);
    assert_eq!(c["order"], 1);
    assert_eq!(c["description"], "");
    assert_eq!(c["translations"], json!({}));
    let email = c["uniqueEmail"].as_str().unwrap();
    assert!(
        email.starts_with("ephemery-beacon-node-") && email.ends_with("@automation.instatus.com"),
        "{email}"
    );
    let id = c["id"].as_str().unwrap();
    assert_eq!(id.len(), 25);
    let created = c["createdAt"].as_str().unwrap();
    assert_eq!(created.len(), 24, "{created}");
    assert!(created.ends_with('Z'));
    let archived = api.put(
        &api.v1(&format!("/components/{id}")),
        json!({"archived": true}),
    );
    assert!(archived["archivedAt"].is_string());
    let restored = api.put(
        &api.v1(&format!("/components/{id}")),
        json!({"archived": false}),
    );
    assert!(restored["archivedAt"].is_null());
    let second = api.post(&api.v1("/components"), json!({"name": "Second"}));
    assert_eq!(second["order"], 2);
}

#[test]
fn incident_statuses_drive_component_and_page_status() {
    let api = Api::start();
    let a = api.component("Execution Client");
    let b = api.component("Consensus Client");

    let bad = api.send(
        "POST",
        &api.v1("/incidents"),
        Some(
            json!({"name": "x", "status": "INVESTIGATING", "components": [a],
            "statuses": [{"id": b, "status": "MAJOROUTAGE"}]}),
        ),
    );
    assert_eq!(bad.status, 400, "statuses ids must be in components");
    let bad = api.send(
        "POST",
        &api.v1("/incidents"),
        Some(json!({"name": "x", "status": "INVESTIGATING", "components": ["cknope"]})),
    );
    assert_eq!(bad.status, 400, "unknown component");

    let inc = api.post(
        &api.v1("/incidents"),
        json!({
            "name": "Stalled", "status": "INVESTIGATING", "message": "Blocks <stuck> & late",
            "components": [a], "statuses": [{"id": a, "status": "PARTIALOUTAGE"}],
            "started": "2026-01-01 10:00:00.000",
        }),
    );
    assert_eq!(api.component_status(&a), "PARTIALOUTAGE");
    assert_eq!(inc["components"][0]["status"], "PARTIALOUTAGE");
    assert_eq!(inc["components"][0]["site"]["subdomain"], "ephemery");
    assert_eq!(inc["started"], "2026-01-01T10:00:00.000Z");
    assert!(inc["resolved"].is_null());
    assert_eq!(inc["updates"].as_array().unwrap().len(), 1);
    assert_eq!(
        inc["updates"][0]["messageHtml"],
        "<p>Blocks &lt;stuck&gt; &amp; late</p>"
    );
    let pages = api.get("/v2/pages");
    assert_eq!(pages[0]["status"], "ONEPARTIALOUTAGE");

    let id = inc["id"].as_str().unwrap();
    let open = api.get(&format!("{}?!status=RESOLVED", api.v1("/incidents")));
    assert_eq!(open.as_array().unwrap().len(), 1);

    let upd = api.post(
        &api.v1(&format!("/incidents/{id}/incident-updates")),
        json!({"status": "RESOLVED", "message": "Fixed", "components": [a],
            "statuses": [{"id": a, "status": "OPERATIONAL"}],
            "started": "2026-01-01T11:30:30.000Z"}),
    );
    assert_eq!(upd["incident"]["status"], "RESOLVED");
    assert_eq!(api.component_status(&a), "OPERATIONAL");
    let inc = api.get(&api.v1(&format!("/incidents/{id}")));
    assert_eq!(inc["resolved"], "2026-01-01T11:30:30.000Z");
    assert_eq!(inc["duration"], 90);
    assert_eq!(inc["updates"][0]["status"], "RESOLVED", "newest first");
    let resolved = api.get(&format!("{}?status=RESOLVED", api.v1("/incidents")));
    assert_eq!(resolved.as_array().unwrap().len(), 1);
    let open = api.get(&format!("{}?!status=RESOLVED", api.v1("/incidents")));
    assert!(open.as_array().unwrap().is_empty());
    assert_eq!(api.get("/v2/pages")[0]["status"], "UP");
    let gone = api.delete(&api.v1(&format!("/incidents/{id}")));
    assert_eq!(gone, json!({"id": id}));
}

#[test]
fn templates_create_and_resolve_incidents() {
    let api = Api::start();
    let a = api.component("Execution Client");
    let t = api.post(
        &api.v1("/templates"),
        json!({"type": "INCIDENT", "subdomain": "ephemery", "name": "Node down",
            "message": "Looking", "status": "INVESTIGATING", "notify": false,
            "components": [{"id": a, "status": "MAJOROUTAGE"}]}),
    );
    assert_eq!(t["components"][0]["componentId"], a.as_str());
    let missing = api.send("POST", &api.v1("/incidents/No%20such"), None);
    assert_eq!(missing.status, 404);
    let inc = api.post(&api.v1("/incidents/Node%20down"), json!(null));
    assert_eq!(inc["impact"], "MAJOROUTAGE");
    assert_eq!(api.component_status(&a), "MAJOROUTAGE");
    let id = inc["id"].as_str().unwrap();
    let tid = t["id"].as_str().unwrap();
    let up = api.post(
        &format!("/v2/{}/incidents/{id}/incident-updates/{tid}", api.page),
        json!(null),
    );
    assert_eq!(up["incidentId"], id);
    let deleted = api.delete(&api.v1(&format!("/templates/{tid}")));
    assert_eq!(deleted["id"], tid);
    assert_eq!(deleted["site"]["id"], api.page.as_str());
}

#[test]
fn maintenances_set_and_clear_maintenance_status() {
    let api = Api::start();
    let a = api.component("Execution Client");
    let m = api.post(
        &api.v1("/maintenances"),
        json!({"name": "Upgrade", "components": [a], "status": "NOTSTARTEDYET",
            "start": "2030-01-01T10:00:00Z", "end": "2030-01-01T11:30:00Z", "notify": false,
            "notifyStart": false, "notifyEnd": false, "notifyEarly": false,
            "autoStart": false, "autoEnd": false, "message": "Planned"}),
    );
    assert_eq!(m["duration"], 90);
    assert!(m.get("end").is_none(), "no end field");
    assert_eq!(m["start"], "2030-01-01T10:00:00.000Z");
    let id = m["id"].as_str().unwrap();
    let u = api.post(
        &api.v1(&format!("/maintenances/{id}/maintenance-updates")),
        json!({"status": "INPROGRESS", "message": "Started", "components": [a], "statuses": []}),
    );
    assert_eq!(u["maintenance"]["status"], "INPROGRESS");
    assert_eq!(api.component_status(&a), "UNDERMAINTENANCE");
    let summary = api.get("/summary.json");
    assert_eq!(summary["page"]["status"], "UNDERMAINTENANCE");
    assert_eq!(summary["activeMaintenances"][0]["duration"], 90);
    api.post(
        &api.v1(&format!("/maintenances/{id}/maintenance-updates")),
        json!({"status": "COMPLETED", "message": "Done"}),
    );
    assert_eq!(api.component_status(&a), "OPERATIONAL");
    let m = api.get(&api.v1(&format!("/maintenances/{id}")));
    assert_eq!(m["updates"].as_array().unwrap().len(), 3);
    assert_eq!(m["updates"][0]["status"], "COMPLETED");
}

#[test]
fn subscribers_need_exactly_one_channel_and_no_duplicates() {
    let api = Api::start();
    let two = api.send(
        "POST",
        &api.v1("/subscribers"),
        Some(json!({"email": "a@b.c", "phone": "+1555"})),
    );
    assert_eq!(two.status, 400);
    let none = api.send("POST", &api.v1("/subscribers"), Some(json!({})));
    assert_eq!(none.status, 400);
    let s = api.post(
        &api.v1("/subscribers"),
        json!({"email": "ops@ephemery.dev", "autoConfirm": true}),
    );
    assert_eq!(s["confirmed"], true);
    assert_eq!(s["all"], true);
    let dup = api.send(
        "POST",
        &api.v1("/subscribers"),
        Some(json!({"email": "ops@ephemery.dev"})),
    );
    assert_eq!(dup.status, 400);
    assert_eq!(dup.json["error"]["code"], "already_subscribed");
    api.post(&api.v1("/subscribers"), json!({"phone": "+15550100"}));
    let found = api.get(&format!("{}?search=ops%40", api.v2("/subscribers")));
    assert_eq!(found.as_array().unwrap().len(), 1);
    let found = api.get(&format!("{}?search=5550", api.v2("/subscribers")));
    assert_eq!(found.as_array().unwrap().len(), 1);
    let removed = api.delete(&api.v1(&format!("/subscribers/{}", s["id"].as_str().unwrap())));
    assert_eq!(removed["email"], "ops@ephemery.dev");
    assert_eq!(removed["site"]["id"], api.page.as_str());
}

#[test]
fn metrics_team_user_and_pages() {
    let api = Api::start();
    let m = api.post(
        &api.v1("/metrics"),
        json!({"name": "Block time", "suffix": "s"}),
    );
    let id = m["id"].as_str().unwrap();
    let p = api.post(
        &api.v1(&format!("/metrics/{id}")),
        json!({"timestamp": 1_000, "value": 12.5}),
    );
    assert_eq!(p["value"], 12.5);
    let bulk = api.post(
        &api.v1(&format!("/metrics/{id}/data")),
        json!({"data": [{"timestamp": 31_000, "value": 1}]}),
    );
    assert_eq!(bulk.as_array().unwrap().len(), 1);
    let bare = api.post(
        &api.v1(&format!("/metrics/{id}/data")),
        json!([{"timestamp": 61_000, "value": 2}]),
    );
    assert_eq!(bare.as_array().unwrap().len(), 1);
    assert_eq!(
        api.get(&api.v1(&format!("/metrics/{id}")))["data"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    let cleared = api.delete(&api.v1(&format!("/metrics/{id}/data")));
    assert_eq!(cleared["site"]["subdomain"], "ephemery");
    assert_eq!(
        api.delete(&api.v1(&format!("/metrics/{id}"))),
        json!({"id": id, "name": "Block time"})
    );

    let invited = api.post(
        &api.v1("/team"),
        json!({"email": "dev@ephemery.dev", "permission": "WRITE"}),
    );
    assert_eq!(invited, json!({"email": "dev@ephemery.dev"}));
    let team = api.get(&api.v1("/team"));
    let member = team
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["user"]["email"] == "dev@ephemery.dev")
        .unwrap();
    let mid = member["id"].as_str().unwrap();
    assert_eq!(
        api.delete(&api.v1(&format!("/team/{mid}"))),
        json!({"memberId": mid})
    );

    let user = api.get("/v1/user");
    for k in ["id", "email", "name", "slug", "avatar"] {
        assert!(user[k].is_string(), "{k}");
    }

    let page = api.post(
        "/v1/pages",
        json!({"email": "a@b.c", "name": "Scratch", "subdomain": "scratch",
            "components": ["One", "Two"]}),
    );
    assert_eq!(page["components"].as_array().unwrap().len(), 2);
    assert_eq!(page["status"], "UP");
    let dup = api.send(
        "POST",
        "/v1/pages",
        Some(json!({"email": "a@b.c", "name": "S", "subdomain": "scratch", "components": []})),
    );
    assert_eq!(dup.status, 400);
    let pid = page["id"].as_str().unwrap();
    let upd = api.put(
        &format!("/v2/{pid}"),
        json!({"name": "Renamed", "customDomain": "status.example.org"}),
    );
    assert_eq!(upd["name"], json!({"default": "Renamed", "en": "Renamed"}));
    assert_eq!(upd["customDomain"], "status.example.org");
    assert_eq!(api.delete(&format!("/v2/{pid}")), json!({"id": pid}));
}

#[test]
fn public_views_pick_the_page_by_host() {
    let api = Api::start();
    let other = api.emu.create_page("other", "Other Page");
    let group = api.component("Services");
    api.post(
        &api.v1("/components"),
        json!({"name": "RPC", "grouped": true, "group": group, "status": "MAJOROUTAGE"}),
    );
    let by_host = api
        .try_send(
            "GET",
            "/summary.json",
            None,
            None,
            Some("other.localhost:8788"),
        )
        .unwrap();
    assert_eq!(by_host.json["page"]["name"], "Other Page");
    let by_query = api.get(&format!("/summary.json?page={other}"));
    assert_eq!(by_query["page"]["name"], "Other Page");
    let first = api
        .try_send("GET", "/summary.json", None, None, None)
        .unwrap();
    assert_eq!(first.json["page"]["name"], "Ephemery");
    assert_eq!(first.json["page"]["status"], "HASISSUES");
    let comps = api
        .try_send(
            "GET",
            "/v2/components.json",
            None,
            None,
            Some("ephemery.localhost"),
        )
        .unwrap();
    let list = comps.json["components"].as_array().unwrap();
    let rpc = list.iter().find(|c| c["name"] == "RPC").unwrap();
    assert_eq!(rpc["group"], json!({"name": "Services"}));
    assert_eq!(rpc["status"], "MAJOROUTAGE");
}

#[test]
fn request_log_records_operations() {
    let api = Api::start();
    api.component("x");
    api.get(&api.v1("/components"));
    api.control("GET", "/health", None);
    let log = api.emu.requests();
    assert_eq!(log.len(), 2, "control calls are not logged");
    assert_eq!(log[0].operation.as_deref(), Some("CreateComponent"));
    assert!(log[0].write);
    assert_eq!(log[0].body.as_ref().unwrap()["name"], "x");
    assert_eq!(log[1].operation.as_deref(), Some("ListComponents"));
    assert_eq!(log[1].status, 200);
    assert!(log[1].seq > log[0].seq);
    let since = api.control("GET", &format!("/requests?since={}", log[0].seq), None);
    assert_eq!(since.json.as_array().unwrap().len(), 1);
    api.control("DELETE", "/requests", None);
    assert!(api.emu.requests().is_empty());
}
