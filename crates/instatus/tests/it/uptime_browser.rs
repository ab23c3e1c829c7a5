//! The HTML report as a browser draws it: headless Chromium (Debian's `chromium`) takes a
//! screenshot of the standalone page, and the test reads the pixels of every day of every
//! 90-day bar: each must be the page colour of what happened that day (worked out by hand from
//! the history in `uptime_support`), not only be present.
//!
//! Ignored by plain `cargo test` (it needs Chromium): `cargo test -p instatus --test
//! uptime_browser -- --ignored`. The PNG stays under Cargo's target tmp dir.

use crate::uptime_support;

use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use instatus::uptime::report::{render, Format, Report};
use uptime_support::*;

const CHROMIUM: &str = "/usr/bin/chromium";
const WIDTH: usize = 1200;
const HEIGHT: usize = 1400;

fn rgb(hex: &str) -> [u8; 3] {
    let h = hex.trim_start_matches('#');
    let c = |i: usize| u8::from_str_radix(&h[i..i + 2], 16).expect("hex colour");
    [c(0), c(2), c(4)]
}

fn near(a: [u8; 3], b: [u8; 3]) -> bool {
    a.iter().zip(b).all(|(x, y)| x.abs_diff(y) <= 3)
}

struct Shot {
    width: usize,
    rgb: Vec<[u8; 3]>,
}

impl Shot {
    fn px(&self, x: usize, y: usize) -> [u8; 3] {
        self.rgb[y * self.width + x]
    }
}

fn screenshot(html: &str, name: &str) -> (PathBuf, Shot) {
    assert!(
        Path::new(CHROMIUM).exists(),
        "{CHROMIUM} not found: apt-get install -y chromium"
    );
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("uptime_browser");
    std::fs::create_dir_all(&dir).unwrap();
    let page = dir.join(format!("{name}.html"));
    std::fs::write(&page, html).unwrap();
    let png = dir.join(format!("{name}.png"));
    let _ = std::fs::remove_file(&png);
    let profile = dir.join(format!("profile-{}", std::process::id()));
    let mut child = Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--force-device-scale-factor=1",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--window-size={WIDTH},{HEIGHT}"))
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("run chromium");
    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium took over 120 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let _ = std::fs::remove_dir_all(&profile);
    assert!(
        status.success() && png.exists(),
        "chromium failed: {status}"
    );
    let mut decoder = png::Decoder::new(BufReader::new(std::fs::File::open(&png).unwrap()));
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = match info.color_type {
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
        other => panic!("colour type {other:?}"),
    };
    let width = info.width as usize;
    let rgb = buf[..info.buffer_size()]
        .chunks_exact(info.line_size)
        .flat_map(|line| {
            line[..width * channels]
                .chunks_exact(channels)
                .map(|p| [p[0], p[1], p[2]])
        })
        .collect();
    (png, Shot { width, rgb })
}

/// What each bar's day should show, by hand from `uptime_support::history()`.
fn expected(component: &str, date: &str) -> &'static str {
    match (component, date) {
        ("group" | "el", "2026-11-10" | "2026-11-30") => DOWN,
        ("group" | "cl", "2026-11-20") => PARTIAL,
        ("group" | "cl", "2026-11-25") => NOTICE,
        ("faucet", d) if d < "2026-11-16" => UNKNOWN,
        ("faucet", "2026-11-18") => DEGRADED,
        _ => OK,
    }
}

#[test]
#[ignore = "needs chromium"]
fn chromium_draws_each_day_of_the_bars_in_its_colour() {
    let report = Report::build("Ephemery", colors(), &history(), &options(90), now()).unwrap();
    let html = render(&report, Format::Html).unwrap();
    let (png, shot) = screenshot(&html, "report");
    let p = png.display();
    let palette: Vec<[u8; 3]> = [OK, DEGRADED, PARTIAL, DOWN, NOTICE, UNKNOWN]
        .map(rgb)
        .to_vec();
    let height = shot.rgb.len() / shot.width;
    // The brand colour fills the header.
    let brand = (0..shot.width)
        .filter(|&x| near(shot.px(x, 10), rgb(BRAND)))
        .count();
    assert!(
        brand * 10 >= shot.width * 9,
        "{p}: header row 10 is {brand} px {BRAND}"
    );
    // Rows of the bars: 90 bars × 6 px of palette colours.
    let bar_rows: Vec<usize> = (0..height)
        .filter(|&y| {
            (0..shot.width)
                .filter(|&x| palette.iter().any(|&c| near(shot.px(x, y), c)))
                .count()
                >= 480
        })
        .collect();
    let mut bands: Vec<(usize, usize)> = Vec::new();
    for y in bar_rows {
        match bands.last_mut() {
            Some(b) if b.1 + 1 == y => b.1 = y,
            _ => bands.push((y, y)),
        }
    }
    assert_eq!(
        bands.len(),
        4,
        "{p}: one bar per row (group, EL, CL, faucet): {bands:?}"
    );
    let dates: Vec<String> = report.rows[0].days.iter().map(|d| d.date.clone()).collect();
    assert_eq!(
        (dates[0].as_str(), dates[89].as_str()),
        ("2026-09-02", "2026-11-30")
    );
    for ((top, bottom), component) in bands.iter().zip(["group", "el", "cl", "faucet"]) {
        assert!(
            bottom - top + 1 >= 30,
            "{p}: the {component} bar is {} px high",
            bottom - top + 1
        );
        let y = (top + bottom) / 2;
        let x0 = (0..shot.width)
            .find(|&x| palette.iter().any(|&c| near(shot.px(x, y), c)))
            .unwrap();
        for (i, date) in dates.iter().enumerate() {
            let want = expected(component, date);
            let got = shot.px(x0 + i * 8 + 3, y);
            assert!(
                near(got, rgb(want)),
                "{p}: {component} {date} (bar {i}) is {got:?}, expected {want}"
            );
            // The 2 px gap after each bar is background, so the bars are really separate days.
            let gap = shot.px(x0 + i * 8 + 7, y);
            assert!(
                !palette.iter().any(|&c| near(gap, c)),
                "{p}: {component}: no gap after bar {i}"
            );
        }
    }
    eprintln!("{p}: 4 bars × 90 days checked");
}
