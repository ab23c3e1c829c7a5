//! Throughput of simple authenticated GETs over keep-alive connections (run in release:
//! `cargo test --release -p instatus-emulator --test it throughput:: -- --ignored --nocapture`).

use std::time::{Duration, Instant};

use instatus_emulator::{Config, Emulator};

#[test]
#[ignore = "timing; run in release"]
fn simple_gets_per_second() {
    let emu = Emulator::start(Config::default()).unwrap();
    let page = emu.create_page("ephemery", "Ephemery");
    let url = format!("{}/v1/{page}/components", emu.url());
    let auth = format!("Bearer {}", emu.api_key());
    let run_for = Duration::from_secs(3);
    let threads = 4;
    let start = Instant::now();
    let total: u64 = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let agent: ureq::Agent = ureq::Agent::config_builder().build().into();
                    let mut n = 0u64;
                    while start.elapsed() < run_for {
                        let mut r = agent
                            .get(&url)
                            .header("Authorization", &auth)
                            .call()
                            .unwrap();
                        let _ = r.body_mut().read_to_string().unwrap();
                        n += 1;
                    }
                    n
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    });
    let rate = total as f64 / start.elapsed().as_secs_f64();
    println!("{total} GETs in {:?}: {rate:.0}/s", start.elapsed());
    assert_eq!(emu.requests().len() as u64, total);
    assert!(rate >= 5_000.0, "{rate:.0} GETs/s");
}
