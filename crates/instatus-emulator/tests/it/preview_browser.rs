//! The page preview as a browser draws it: headless Chromium (Debian's `chromium`) takes a
//! screenshot of `/_emulator/preview/{page}`, and the test checks the pixels — the brand colour
//! fills the header, the down colour marks the MAJOROUTAGE component, the ok colour the
//! OPERATIONAL one — then fixes the component through the API and checks the down colour is gone.
//!
//! Ignored by plain `cargo test` (it needs Chromium); `scripts/test.sh` runs it with `--ignored`.
//! Screenshots are kept under Cargo's target tmp dir so a failure can be looked at.

use crate::common;

use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::Api;
use serde_json::json;

const CHROMIUM: &str = "/usr/bin/chromium";
const WIDTH: u32 = 1200;
const HEIGHT: u32 = 1600;
const BRAND: &str = "#7c3aed";
const DOWN: &str = "#dc2626";
const OK: &str = "#16a34a";

/// A decoded screenshot: RGB pixels, row by row.
struct Shot {
    path: PathBuf,
    width: usize,
    height: usize,
    rgb: Vec<[u8; 3]>,
}

impl Shot {
    fn pixel(&self, x: usize, y: usize) -> [u8; 3] {
        self.rgb[y * self.width + x]
    }

    /// Pixels in rows `rows` within 3 of `color` in each channel.
    fn count(&self, color: [u8; 3], rows: std::ops::Range<usize>) -> usize {
        rows.flat_map(|y| (0..self.width).map(move |x| (x, y)))
            .filter(|&(x, y)| near(self.pixel(x, y), color))
            .count()
    }

    /// Rows in `rows` whose pixels are at least 90% `color`.
    fn full_rows(&self, color: [u8; 3], rows: std::ops::Range<usize>) -> usize {
        rows.filter(|&y| self.count(color, y..y + 1) * 10 >= self.width * 9)
            .count()
    }

    /// Pixels of `color` in rows where it covers under 30% of the width: small things such as
    /// status pills, not the full-width banner or header.
    fn count_small(&self, color: [u8; 3]) -> usize {
        (0..self.height)
            .map(|y| self.count(color, y..y + 1))
            .filter(|&n| n * 10 < self.width * 3)
            .sum()
    }

    fn distinct_colors(&self) -> usize {
        let mut seen: Vec<[u8; 3]> = self.rgb.clone();
        seen.sort_unstable();
        seen.dedup();
        seen.len()
    }
}

fn near(a: [u8; 3], b: [u8; 3]) -> bool {
    a.iter().zip(b).all(|(x, y)| x.abs_diff(y) <= 3)
}

fn rgb(hex: &str) -> [u8; 3] {
    let h = hex.trim_start_matches('#');
    let c = |i: usize| u8::from_str_radix(&h[i..i + 2], 16).expect("hex colour");
    [c(0), c(2), c(4)]
}

fn out_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("preview_browser");
    std::fs::create_dir_all(&dir).expect("screenshot dir");
    dir
}

/// Runs headless Chromium on `url` and decodes the screenshot it writes to `<out_dir>/<name>`.
fn screenshot(url: &str, name: &str) -> Shot {
    assert!(
        Path::new(CHROMIUM).exists(),
        "{CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium)"
    );
    let dir = out_dir();
    let path = dir.join(name);
    let _ = std::fs::remove_file(&path);
    // A fresh profile per run, so no state leaks between screenshots.
    let profile = dir.join(format!("profile-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&profile);
    let mut child = Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--hide-scrollbars")
        .arg(format!("--window-size={WIDTH},{HEIGHT}"))
        .arg(format!("--screenshot={}", path.display()))
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("cannot run {CHROMIUM}: {e}; install Debian's chromium (apt-get install -y chromium)")
        });
    let mut stderr = child.stderr.take().expect("stderr");
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for chromium") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium took over 120 s to screenshot {url}");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let log = reader.join().unwrap_or_default();
    let _ = std::fs::remove_dir_all(&profile);
    assert!(
        status.success() && path.exists(),
        "chromium failed ({status}) to screenshot {url} into {}:\n{log}",
        path.display()
    );
    decode(&path)
}

fn decode(path: &Path) -> Shot {
    let file = std::fs::File::open(path).expect("open screenshot");
    let mut decoder = png::Decoder::new(BufReader::new(file));
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder
        .read_info()
        .unwrap_or_else(|e| panic!("{}: not a PNG: {e}", path.display()));
    let mut buf = vec![0; reader.output_buffer_size().expect("buffer size")];
    let info = reader
        .next_frame(&mut buf)
        .unwrap_or_else(|e| panic!("{}: bad PNG: {e}", path.display()));
    let channels = match info.color_type {
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
        other => panic!("{}: unexpected colour type {other:?}", path.display()),
    };
    let (width, height) = (info.width as usize, info.height as usize);
    let rgb = buf[..info.buffer_size()]
        .chunks_exact(info.line_size)
        .flat_map(|line| {
            line[..width * channels]
                .chunks_exact(channels)
                .map(|p| [p[0], p[1], p[2]])
        })
        .collect::<Vec<_>>();
    assert_eq!(rgb.len(), width * height);
    Shot {
        path: path.to_owned(),
        width,
        height,
        rgb,
    }
}

#[test]
#[ignore = "needs chromium; run by scripts/test.sh"]
fn chromium_draws_the_branding_and_the_statuses() {
    let api = Api::start();
    api.put(
        &api.v2(""),
        json!({"brandColor": BRAND, "downColor": DOWN, "okColor": OK, "useLargeHeader": true}),
    );
    let group = api.component("Ethereum Services");
    let comp = |name: &str| {
        api.post(
            &api.v1("/components"),
            json!({"name": name, "grouped": true, "group": group,
                "description": "Dashboard: [Grafana](https://grafana.example/d/x)"}),
        )["id"]
            .as_str()
            .expect("id")
            .to_owned()
    };
    let el = comp("Execution Client");
    comp("Consensus Client");
    api.put(
        &api.v1(&format!("/components/{el}")),
        json!({"status": "MAJOROUTAGE"}),
    );
    let url = format!("{}/_emulator/preview/{}", api.emu.url(), api.page);

    let shot = screenshot(&url, "outage.png");
    let (brand, down, ok) = (rgb(BRAND), rgb(DOWN), rgb(OK));
    let p = shot.path.display();
    assert_eq!(
        (shot.width, shot.height),
        (WIDTH as usize, HEIGHT as usize),
        "{p}: screenshot size"
    );
    assert!(
        shot.distinct_colors() > 50,
        "{p}: the screenshot looks blank ({} colours)",
        shot.distinct_colors()
    );
    let top = 0..400.min(shot.height);
    let brand_px = shot.count(brand, top.clone());
    assert!(
        brand_px * 100 >= shot.width * 400 * 30,
        "{p}: the brand colour {BRAND} should fill the header at the top; {brand_px} pixels \
         in the top 400 rows"
    );
    let full = shot.full_rows(brand, top);
    assert!(
        full >= 150,
        "{p}: the large header should span the width in {BRAND} for 150+ rows; {full} do"
    );
    let down_px = shot.count(down, 0..shot.height);
    assert!(
        down_px >= 1000,
        "{p}: the down colour {DOWN} (MAJOROUTAGE pill and banner) should show; {down_px} pixels"
    );
    let pill_px = shot.count_small(down);
    assert!(
        pill_px >= 300,
        "{p}: the MAJOROUTAGE pills should be {DOWN}; {pill_px} such pixels outside the banner"
    );
    let ok_px = shot.count(ok, 0..shot.height);
    eprintln!(
        "{p}: {brand_px} brand pixels in the top 400 rows ({full} full rows), {down_px} down, \
         {pill_px} of them in pills, {ok_px} ok, {} colours",
        shot.distinct_colors()
    );
    assert!(
        ok_px >= 300,
        "{p}: the ok colour {OK} (OPERATIONAL pill) should show; {ok_px} pixels"
    );

    // Fix the component through the API; the re-rendered page has no down colour left.
    api.put(
        &api.v1(&format!("/components/{el}")),
        json!({"status": "OPERATIONAL"}),
    );
    let fixed = screenshot(&url, "operational.png");
    let p = fixed.path.display();
    let down_px = fixed.count(down, 0..fixed.height);
    assert!(
        down_px < 20,
        "{p}: after the fix the down colour {DOWN} should be gone; {down_px} pixels left"
    );
    let ok_after = fixed.count(ok, 0..fixed.height);
    eprintln!("{p}: {down_px} down pixels, {ok_after} ok");
    assert!(
        ok_after > ok_px * 3,
        "{p}: the banner and every pill should now be {OK}: {ok_after} pixels (was {ok_px})"
    );
    assert!(
        fixed.count(brand, 0..400.min(fixed.height)) * 100 >= fixed.width * 400 * 30,
        "{p}: the brand colour {BRAND} should still fill the header"
    );
}

/// Starts an emulator on `api`'s state with every component created 100 days ago, so the bars
/// have history to show.
fn aged(api: &Api) -> (instatus_emulator::Emulator, PathBuf) {
    let mut state = api.control("GET", "/state", None).json;
    let at = jiff::Timestamp::now()
        .checked_sub(jiff::SignedDuration::from_hours(24 * 100))
        .unwrap();
    for c in state["pages"][0]["components"].as_array_mut().unwrap() {
        c["createdAt"] = json!(format!("{at:.3}"));
    }
    let file = out_dir().join(format!("aged-state-{}.json", std::process::id()));
    std::fs::write(&file, state.to_string()).unwrap();
    let emu = instatus_emulator::Emulator::start(instatus_emulator::Config {
        state_file: Some(file.clone()),
        ..instatus_emulator::Config::default()
    })
    .unwrap();
    (emu, file)
}

#[test]
#[ignore = "needs chromium; run by scripts/test.sh"]
fn chromium_draws_the_uptime_bars_day_by_day() {
    let api = Api::start();
    api.put(
        &api.v2(""),
        json!({"downColor": DOWN, "okColor": OK, "disruptedColor": "#f97316"}),
    );
    let el = api.component("Execution Client");
    let day = common::days_ago;
    // A major outage 3 days ago and a partial one 10 days ago, 10:00-12:00 UTC each.
    for (n, status) in [(3, "MAJOROUTAGE"), (10, "PARTIALOUTAGE")] {
        let inc = api.post(
            &api.v1("/incidents"),
            json!({"name": "outage", "status": "INVESTIGATING", "components": [el],
                   "statuses": [{"id": el, "status": status}], "started": format!("{}T10:00:00Z", day(n)), "notify": false}),
        );
        let id = inc["id"].as_str().unwrap();
        api.post(
            &api.v1(&format!("/incidents/{id}/incident-updates")),
            json!({"status": "RESOLVED", "components": [el], "statuses": [],
                   "started": format!("{}T12:00:00Z", day(n)), "notify": false}),
        );
    }
    api.put(
        &api.v1(&format!("/components/{el}")),
        json!({"status": "OPERATIONAL"}),
    );
    let (emu, state_file) = aged(&api);
    let shot = screenshot(
        &format!("{}/_emulator/preview", emu.url()),
        "uptime-bars.png",
    );
    let _ = std::fs::remove_file(state_file);
    let p = shot.path.display();
    let (ok, down, partial) = (rgb(OK), rgb(DOWN), rgb("#f97316"));
    // The bar's rows: 50+ separate runs of the ok colour (90 bars with gaps), which neither the
    // banner nor the status pill (one run each) has.
    let runs = |y: usize| {
        (0..shot.width)
            .filter(|&x| near(shot.pixel(x, y), ok) && (x == 0 || !near(shot.pixel(x - 1, y), ok)))
            .count()
    };
    let bar_rows: Vec<usize> = (0..shot.height).filter(|&y| runs(y) >= 50).collect();
    assert!(
        bar_rows.len() >= 20,
        "{p}: the bar should be 20+ rows of {OK}; {} rows",
        bar_rows.len()
    );
    let y = bar_rows[bar_rows.len() / 2];
    let coloured = |x: usize| {
        [ok, down, partial]
            .iter()
            .any(|&c| near(shot.pixel(x, y), c))
    };
    let x0 = (0..shot.width).find(|&x| coloured(x)).unwrap();
    let x1 = (0..shot.width).rev().find(|&x| coloured(x)).unwrap();
    // 90 bars over [x0, x1]: 8 units each, 6 drawn and 2 of gap, the last without its gap.
    let unit = (x1 + 1 - x0) as f64 / (90.0 * 8.0 - 2.0);
    let at = |i: usize| shot.pixel(x0 + ((i as f64 * 8.0 + 3.0) * unit) as usize, y);
    for i in 0..90 {
        let days_ago = 89 - i;
        let want = match days_ago {
            3 => down,
            10 => partial,
            _ => ok,
        };
        assert!(
            near(at(i), want),
            "{p}: bar {i} ({days_ago} days ago) is {:?}, expected {want:?}",
            at(i)
        );
    }
    eprintln!("{p}: 90 bars at y={y}, x {x0}..{x1}: 3 days ago {DOWN}, 10 days ago partial, the rest {OK}");
}
