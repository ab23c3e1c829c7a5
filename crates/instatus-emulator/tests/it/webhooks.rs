//! The whole webhook loop: a receiver subscribes as a webhook subscriber, changes are made
//! through the typed client, the emulator posts signed payloads, and the receiver verifies and
//! parses them with `instatus::webhook`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use instatus::api::components::{CreateComponentRequest, UpdateComponentRequest};
use instatus::api::incidents::{CreateIncidentRequest, CreateIncidentUpdateRequest};
use instatus::api::maintenances::CreateMaintenanceRequest;
use instatus::api::subscribers::AddSubscriberRequest;
use instatus::api::{self, ComponentStatusEntry};
use instatus::jiff::{SignedDuration, Timestamp};
use instatus::model::{ComponentStatus, IncidentStatus, MaintenanceStatus, PageId};
use instatus::webhook::{Event, Verifier, SIGNATURE_HEADER};
use instatus::{Client, Secret};
use instatus_emulator::{Config, Emulator};

/// One request the receiver got: its path, signature header and raw body.
struct Received {
    path: String,
    signature: Option<String>,
    body: Vec<u8>,
}

/// A tiny HTTP receiver on an ephemeral port; every request goes to the channel, answered 200.
fn receiver() -> (String, mpsc::Receiver<Received>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            let path = line.split_whitespace().nth(1).unwrap_or("").to_owned();
            let (mut length, mut signature) = (0usize, None);
            loop {
                let mut header = String::new();
                reader.read_line(&mut header).unwrap();
                let header = header.trim_end();
                if header.is_empty() {
                    break;
                }
                let (name, value) = header.split_once(':').unwrap();
                let name = name.to_ascii_lowercase();
                if name == "content-length" {
                    length = value.trim().parse().unwrap();
                } else if name == SIGNATURE_HEADER {
                    signature = Some(value.trim().to_owned());
                }
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            let _ = stream
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
            if tx
                .send(Received {
                    path,
                    signature,
                    body,
                })
                .is_err()
            {
                return;
            }
        }
    });
    (url, rx)
}

fn next(rx: &mpsc::Receiver<Received>) -> Received {
    rx.recv_timeout(Duration::from_secs(10))
        .expect("a webhook within 10 s")
}

fn setup(secret: &str) -> (Emulator, Client, PageId) {
    let emu = Emulator::start(Config {
        webhook_secret: Secret::new(secret),
        ..Config::default()
    })
    .unwrap();
    let page = PageId::new(emu.create_page("ephemery", "Ephemery"));
    let client = Client::builder(emu.api_key())
        .base_url(emu.url())
        .build()
        .unwrap();
    (emu, client, page)
}

#[test]
fn changes_reach_a_webhook_subscriber_signed_and_parse() {
    let secret = "loop-test-secret-7f3a";
    let (emu, client, page) = setup(secret);
    let exec = client
        .send(api::components::create(
            &page,
            &CreateComponentRequest::new("Execution Client"),
        ))
        .unwrap();
    let (url, rx) = receiver();
    client
        .send(api::subscribers::add(
            &page,
            &AddSubscriberRequest::webhook(format!("{url}/hook?token=t0k")).all(true),
        ))
        .unwrap();
    // An email subscriber gets no webhook.
    client
        .send(api::subscribers::add(
            &page,
            &AddSubscriberRequest::email("ops@example.org"),
        ))
        .unwrap();
    let verifier = Verifier::new(&Secret::new(secret));

    // 1. An incident that takes the component down: an incident payload and a component update.
    let incident = client
        .send(api::incidents::create(
            &page,
            &CreateIncidentRequest::new("Execution client down", IncidentStatus::Investigating)
                .message("Geth stopped syncing.")
                .affect(ComponentStatusEntry::new(
                    exec.id.clone(),
                    ComponentStatus::MajorOutage,
                )),
        ))
        .unwrap();
    let mut got = [next(&rx), next(&rx)];
    got.sort_by_key(|r| r.body.starts_with(b"{\"component") as u8);
    for r in &got {
        assert_eq!(r.path, "/hook?token=t0k");
    }
    let events: Vec<Event> = got
        .iter()
        .map(|r| {
            verifier
                .verify_and_parse(&r.body, r.signature.as_deref())
                .unwrap()
        })
        .collect();
    let kinds: Vec<&str> = events.iter().map(Event::kind).collect();
    assert!(
        kinds.contains(&"incident") && kinds.contains(&"component_update"),
        "{kinds:?}"
    );
    for event in &events {
        assert_eq!(event.page().id, page);
        match event {
            Event::Incident(e) => {
                assert_eq!(e.incident.id, incident.id);
                assert_eq!(e.incident.name, "Execution client down");
                assert_eq!(e.incident.status, IncidentStatus::Investigating);
                assert_eq!(e.incident.updates.len(), 1);
                assert_eq!(
                    e.incident.updates[0].markdown.as_deref(),
                    Some("Geth stopped syncing.")
                );
                assert_eq!(e.incident.affected_components[0].id, exec.id);
                assert_eq!(
                    e.incident.affected_components[0].status,
                    Some(ComponentStatus::MajorOutage)
                );
                assert_eq!(e.incident.resolved_at, None);
            }
            Event::ComponentUpdate(e) => {
                assert_eq!(e.component_id, exec.id);
                assert_eq!(e.new_status, ComponentStatus::MajorOutage);
                assert_eq!(e.old_status, Some(ComponentStatus::Operational));
                assert_eq!(e.component_name.as_deref(), Some("Execution Client"));
            }
            other => panic!("{other:?}"),
        }
    }

    // 2. Resolving it: the incident again (whole history), and the component back up.
    client
        .send(api::incidents::create_update(
            &page,
            &incident.id,
            &CreateIncidentUpdateRequest::new(IncidentStatus::Resolved)
                .message("Synced again.")
                .affect(ComponentStatusEntry::new(
                    exec.id.clone(),
                    ComponentStatus::Operational,
                )),
        ))
        .unwrap();
    let mut resolved = None;
    let mut recovered = None;
    for _ in 0..2 {
        let r = next(&rx);
        match verifier
            .verify_and_parse(&r.body, r.signature.as_deref())
            .unwrap()
        {
            Event::Incident(e) => resolved = Some(e),
            Event::ComponentUpdate(e) => recovered = Some(e),
            other => panic!("{other:?}"),
        }
    }
    let resolved = resolved.expect("an incident payload");
    assert_eq!(resolved.incident.status, IncidentStatus::Resolved);
    assert!(resolved.incident.resolved_at.is_some());
    assert_eq!(resolved.incident.updates.len(), 2);
    assert_eq!(
        resolved.incident.updates[1].status,
        IncidentStatus::Resolved
    );
    assert_eq!(
        recovered.expect("a component update").new_status,
        ComponentStatus::Operational
    );

    // 3. A maintenance.
    let start = Timestamp::now() + SignedDuration::from_hours(2);
    let m = client
        .send(api::maintenances::create(
            &page,
            &CreateMaintenanceRequest::new(
                "Geth upgrade",
                start,
                start + SignedDuration::from_hours(1),
            )
            .message("Upgrading geth.")
            .components([exec.id.clone()]),
        ))
        .unwrap();
    let r = next(&rx);
    let Event::Maintenance(e) = verifier
        .verify_and_parse(&r.body, r.signature.as_deref())
        .unwrap()
    else {
        panic!("a maintenance payload")
    };
    assert_eq!(e.maintenance.id, m.id);
    assert_eq!(e.maintenance.name, "Geth upgrade");
    assert_eq!(e.maintenance.status, MaintenanceStatus::NotStartedYet);
    assert_eq!(e.maintenance.duration_minutes, Some(60));

    // 4. A status set directly on the component.
    client
        .send(api::components::update(
            &page,
            &exec.id,
            &UpdateComponentRequest::status(ComponentStatus::DegradedPerformance),
        ))
        .unwrap();
    let r = next(&rx);
    let Event::ComponentUpdate(e) = verifier
        .verify_and_parse(&r.body, r.signature.as_deref())
        .unwrap()
    else {
        panic!("a component update")
    };
    assert_eq!(e.new_status, ComponentStatus::DegradedPerformance);

    // 5. A write that changes nothing the webhooks report (a rename) sends nothing; the
    //    signature is the configured secret's, not another's.
    client
        .send(api::components::update(
            &page,
            &exec.id,
            &UpdateComponentRequest::new().name("Geth"),
        ))
        .unwrap();
    assert!(
        rx.recv_timeout(Duration::from_millis(500)).is_err(),
        "no webhook for a rename"
    );
    let other = Verifier::new(&Secret::new("emulator-webhook-secret"));
    assert!(other.verify(&r.body, r.signature.as_deref()).is_err());

    let deliveries = emu.webhook_deliveries();
    assert_eq!(deliveries.len(), 6, "{deliveries:?}");
    assert!(
        deliveries.iter().all(|d| d.status == Some(200)),
        "{deliveries:?}"
    );
    assert!(
        !format!("{deliveries:?}").contains("t0k"),
        "the URL's token is not kept"
    );
}

#[test]
fn only_followers_of_the_component_get_it_and_a_dead_receiver_never_fails_the_api() {
    let (emu, client, page) = setup("s");
    let exec = client
        .send(api::components::create(
            &page,
            &CreateComponentRequest::new("Execution Client"),
        ))
        .unwrap();
    let beacon = client
        .send(api::components::create(
            &page,
            &CreateComponentRequest::new("Beacon Node"),
        ))
        .unwrap();
    let (url, rx) = receiver();
    client
        .send(api::subscribers::add(
            &page,
            &AddSubscriberRequest::webhook(format!("{url}/beacon")).components([beacon.id.clone()]),
        ))
        .unwrap();
    // A receiver that is not listening: a port that was just free.
    let dead = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    client
        .send(api::subscribers::add(
            &page,
            &AddSubscriberRequest::webhook(format!("http://{dead}/gone")).all(true),
        ))
        .unwrap();

    let began = Instant::now();
    client
        .send(api::components::update(
            &page,
            &exec.id,
            &UpdateComponentRequest::status(ComponentStatus::MajorOutage),
        ))
        .unwrap();
    client
        .send(api::components::update(
            &page,
            &beacon.id,
            &UpdateComponentRequest::status(ComponentStatus::PartialOutage),
        ))
        .unwrap();
    assert!(
        began.elapsed() < Duration::from_secs(2),
        "{:?}",
        began.elapsed()
    );
    // The beacon follower gets the beacon change only.
    let r = next(&rx);
    assert_eq!(r.path, "/beacon");
    let Event::ComponentUpdate(e) = Verifier::new(&Secret::new("s"))
        .verify_and_parse(&r.body, r.signature.as_deref())
        .unwrap()
    else {
        panic!()
    };
    assert_eq!(e.component_id, beacon.id);
    assert!(rx.recv_timeout(Duration::from_millis(300)).is_err());
    // The dead receiver's two deliveries failed, recorded without the URL.
    let deadline = Instant::now() + Duration::from_secs(10);
    let failed = loop {
        let failed: Vec<_> = emu
            .webhook_deliveries()
            .into_iter()
            .filter(|d| d.status.is_none())
            .collect();
        if failed.len() == 2 || Instant::now() > deadline {
            break failed;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(failed.len(), 2, "{failed:?}");
    assert!(failed
        .iter()
        .all(|d| d.error.as_deref().is_some_and(|e| !e.contains("gone"))));
}
