//! The committed sidecar docs and collection metadata match the Rust option types.

use std::path::PathBuf;

use instatus_ansible::{modules::MODULES, sidecar};

fn collection() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../ansible")
}

#[test]
fn sidecar_options_match_the_rust_option_types() {
    let mut problems = Vec::new();
    for def in MODULES {
        let path = collection().join(format!("plugins/modules/{}.yml", def.name));
        let generated = sidecar::options_block(&(def.spec)());
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        match sidecar::committed_block(&text) {
            None => problems.push(format!(
                "{}: missing, or without the generated-options markers",
                path.display()
            )),
            Some(committed) if committed != generated => problems.push(format!(
                "{}: the options drifted from the Rust types (- committed, + generated):\n{}",
                path.display(),
                sidecar::line_diff(&committed, &generated)
            )),
            Some(_) => {}
        }
    }
    assert!(
        problems.is_empty(),
        "{}\nRegenerate with: cargo run -p instatus-ansible -- --write-docs ansible/plugins/modules",
        problems.join("\n")
    );
}

#[test]
fn every_module_is_in_the_action_group_and_the_sanity_ignores() {
    let runtime = std::fs::read_to_string(collection().join("meta/runtime.yml")).unwrap();
    let ignores =
        std::fs::read_to_string(collection().join("tests/sanity/ignore-2.19.txt")).unwrap();
    for def in MODULES {
        assert!(
            runtime.contains(&format!("    - {}\n", def.name)),
            "meta/runtime.yml: add `- {}` to action_groups.instatus",
            def.name
        );
        let line = format!(
            "plugins/modules/{}.yml validate-modules:missing-gplv3-license",
            def.name
        );
        assert!(
            ignores.contains(&line),
            "tests/sanity/ignore-2.19.txt: add `{line}`"
        );
    }
}
