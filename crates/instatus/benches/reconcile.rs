//! `cargo bench -p instatus --bench reconcile`: declaring pages of 10, 100 and 1,000 components
//! against the emulator: requests for the first apply and for a no-op apply, and the planner's
//! own time per component.
//!
//! The page has N components in all: N/10 groups of 9 components each. The targets (issue 4):
//! reads = 1 page list + ceil(N/100) component lists; writes = exactly one per difference;
//! planning under 50 µs per component.

use std::time::Instant;

use instatus::desired::{self, ComponentSpec, PageSpec, PlanOptions};
use instatus::Client;
use instatus_emulator::{Config, Emulator};

fn spec(n: usize) -> PageSpec {
    let mut spec = PageSpec::default();
    for g in 0..n / 10 {
        let mut group = ComponentSpec::new(format!("Group {g:03}"));
        for c in 0..9 {
            let mut child = ComponentSpec::new(format!("Component {g:03}-{c}"));
            child.description = Some(format!("node {g}-{c}"));
            group.components.push(child);
        }
        spec.components.push(group);
    }
    spec
}

struct Run {
    reads: usize,
    writes: usize,
    planned: usize,
}

fn converge(client: &Client, emulator: &Emulator, spec: &PageSpec) -> Run {
    emulator.clear_requests();
    let current = desired::read(client, "bench").unwrap();
    let plan = desired::plan(spec, &current, PlanOptions::default()).unwrap();
    let planned = plan.write_count();
    desired::apply(client, &current.page.id, &plan).unwrap();
    let log = emulator.requests();
    Run {
        reads: log.iter().filter(|r| !r.write).count(),
        writes: log.iter().filter(|r| r.write).count(),
        planned,
    }
}

fn main() {
    println!("declarative reconcile against the emulator (loopback)");
    println!(
        "{:>6} | {:>21} | {:>21} | {:>13} | {:>20}",
        "N", "first apply r/w", "no-op apply r/w", "target reads", "plan µs/component"
    );
    for n in [10usize, 100, 1000] {
        let emulator = Emulator::start(Config::default()).unwrap();
        emulator.create_page("bench", "Bench");
        let client = Client::builder(emulator.api_key())
            .base_url(emulator.url())
            .build()
            .unwrap();
        let spec = spec(n);

        let first = converge(&client, &emulator, &spec);
        assert_eq!(first.writes, n, "one write per component");
        assert_eq!(first.writes, first.planned);
        let noop = converge(&client, &emulator, &spec);
        assert_eq!(noop.writes, 0);

        // The planner alone, on the converged page.
        let current = desired::read(&client, "bench").unwrap();
        let rounds = (20_000 / n).max(5);
        let start = Instant::now();
        for _ in 0..rounds {
            let plan = desired::plan(&spec, &current, PlanOptions::default()).unwrap();
            assert!(plan.is_empty());
        }
        let per_component = start.elapsed().as_secs_f64() * 1e6 / (rounds * n) as f64;
        let target_reads = 1 + n.div_ceil(100);
        println!(
            "{n:>6} | {:>9} r {:>6} w  | {:>9} r {:>6} w  | {target_reads:>13} | {per_component:>17.2} µs",
            first.reads, first.writes, noop.reads, noop.writes
        );
    }
    println!("targets: reads = 1 page list + ceil(N/100) component lists; writes = one per difference; plan < 50 µs/component");
}
