//! The heartbeat: a dead bridge no longer leaves the page green.

use crate::common;

use std::time::Duration;

use common::*;
use instatus::api;

#[test]
fn a_dead_bridge_no_longer_leaves_the_page_green() {
    let dir = temp_dir("heartbeat");
    let page = Page::start();
    let cfg = write(
        &dir,
        "bridge.yml",
        &format!(
            "prometheus: {{url: \"http://127.0.0.1:9\", interval_secs: 1}}\nheartbeat: {{name: Status automation, period_secs: 2, grace_secs: 1, ping_url: \"{}/cron\"}}\nstatus:\n  components:\n    - path: Network\n      rules:\n        - alert: {{matchers: ['alertname=\"NetDown\"'], level: major_outage}}\n",
            page.emu.url()
        ),
    );
    let monitors = || {
        page.client
            .send(api::monitors::list(&page.page, 1))
            .unwrap()
            .cron_monitors
    };
    let status = || page.status("Status automation");
    let pings = || {
        page.emu
            .requests()
            .iter()
            .filter(|r| r.operation.as_deref() == Some("CronPing") && r.status == 200)
            .count()
    };
    let served = Served::start(&cfg, &page.env());
    wait_until("the monitor and its pings", Duration::from_secs(10), || {
        monitors().len() == 1 && pings() >= 2
    });
    let monitor = monitors().remove(0);
    assert_eq!(monitor.period, Some(2));
    assert_eq!(status(), "OPERATIONAL");

    // The bridge dies (as with a crash or a lost host: no goodbye).
    served.kill();
    wait_until(
        "the heartbeat's component turns red",
        Duration::from_secs(10),
        || status() == "MAJOROUTAGE",
    );

    // Back: the same monitor is found (not a second one), and the next ping turns it green.
    let served = Served::start(&cfg, &page.env());
    wait_until("green again", Duration::from_secs(10), || {
        status() == "OPERATIONAL"
    });
    let now = monitors();
    assert_eq!(now.len(), 1, "{now:?}");
    assert_eq!(now[0].id, monitor.id);
    assert_eq!(served.terminate(), Some(0));
}

#[test]
fn once_pings_the_heartbeat_after_its_evaluation() {
    let dir = temp_dir("heartbeat-once");
    let page = Page::start();
    let cfg = write(
        &dir,
        "bridge.yml",
        &format!(
            "heartbeat: {{name: Status automation, period_secs: 600, grace_secs: 300, ping_url: \"{}/cron\"}}\nstatus:\n  components: []\n",
            page.emu.url()
        ),
    );
    let o = run(&cfg, &["once"], &page.env());
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{err}");
    assert!(
        err.contains("heartbeat: created cron monitor \"Status automation\""),
        "{err}"
    );
    let o = run(&cfg, &["once"], &page.env());
    assert!(!text(&o).1.contains("created"), "found the second time");
    let pings = page
        .emu
        .requests()
        .iter()
        .filter(|r| r.operation.as_deref() == Some("CronPing") && r.status == 200)
        .count();
    assert_eq!(pings, 2);
    let list = page
        .client
        .send(api::monitors::list(&page.page, 1))
        .unwrap();
    assert_eq!(list.cron_monitors.len(), 1);
}
