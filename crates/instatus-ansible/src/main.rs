//! The module binary: `instatus-ansible ARGS_FILE` runs a module the way Ansible calls it;
//! `--print-docs NAME`, `--write-docs DIR` and `--list` serve the docs and tests.

use std::process::ExitCode;

use instatus_ansible::{
    memory, module_of, modules, name_from_argv0, protocol, run_raw, sidecar, watchdog,
};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let argv0 = args.first().map(String::as_str).unwrap_or_default();
    match args.get(1).map(String::as_str) {
        Some("--list") => {
            for m in modules::MODULES {
                println!("{}", m.name);
            }
            ExitCode::SUCCESS
        }
        Some("--print-docs") => match args.get(2).and_then(|n| modules::find(n)) {
            Some(def) => {
                print!("{}", sidecar::options_block(&(def.spec)()));
                ExitCode::SUCCESS
            }
            None => {
                eprintln!("usage: {argv0} --print-docs NAME (one of: {})", names());
                ExitCode::from(2)
            }
        },
        Some("--write-docs") => write_docs(
            args.get(2)
                .map(String::as_str)
                .unwrap_or("ansible/plugins/modules"),
        ),
        Some(path) if !path.starts_with("--") => {
            protocol::silence_panics();
            // One place prints: the module's result, or the watchdog's failure if it comes first.
            let output = watchdog::Output::default();
            let failed = |msg: String| {
                output.print(&serde_json::json!({"failed": true, "changed": false, "msg": msg}));
                ExitCode::FAILURE
            };
            let text = match std::fs::read_to_string(path) {
                Ok(text) => text,
                Err(e) => {
                    return failed(format!("cannot read the module arguments file {path}: {e}"))
                }
            };
            let raw = match protocol::RawArgs::parse(&text) {
                Ok(raw) => raw,
                Err(e) => return failed(e.to_string()),
            };
            let fallback = name_from_argv0(argv0);
            let name = module_of(&raw, &fallback);
            let writes = modules::find(&name)
                .is_some_and(|def| !def.read_only && !raw.invocation.check_mode);
            // The memory ceiling: this process supervises a child that runs the module under it
            // (see memory.rs); the child, marked by the environment, runs it.
            let ceiling = match std::env::var(memory::SUPERVISED_ENV) {
                Ok(mib) => mib.parse().ok(),
                Err(_) => None,
            };
            let Some(mib) = ceiling else {
                let mib =
                    match memory::ceiling_mib(std::env::var(memory::CEILING_ENV).ok().as_deref()) {
                        Ok(mib) => mib,
                        Err(e) => return failed(e.to_string()),
                    };
                match memory::run_child(path, argv0, mib) {
                    Ok(end) => {
                        return match memory::result_of(&end, &name, &raw.params, mib, writes) {
                            None => {
                                memory::relay(&end);
                                match end.status.code() {
                                    Some(0) => ExitCode::SUCCESS,
                                    _ => ExitCode::FAILURE,
                                }
                            }
                            Some(failure) => {
                                let _ =
                                    std::io::Write::write_all(&mut std::io::stderr(), &end.stderr);
                                output.print(&failure);
                                ExitCode::FAILURE
                            }
                        };
                    }
                    // No child (no /proc, no memory to start one): run here, under the ceiling
                    // still; a run past it then aborts with Rust's message on stderr.
                    Err(_) => {
                        let _ = memory::apply(mib);
                        return run_here(output, raw, &fallback, name, writes);
                    }
                }
            };
            let _ = memory::apply(mib);
            run_here(output, raw, &fallback, name, writes)
        }
        _ => {
            eprintln!(
                "usage: {argv0} ARGS_FILE | --list | --print-docs NAME | --write-docs DIR\n\
                 Ansible runs this binary as a module ({}); see ansible-doc ephemery.instatus.NAME.",
                names()
            );
            ExitCode::from(2)
        }
    }
}

/// Runs the module in this process, bounded by the watchdog, and prints its one result.
fn run_here(
    output: watchdog::Output,
    raw: protocol::RawArgs,
    fallback: &str,
    name: String,
    writes: bool,
) -> ExitCode {
    watchdog::start(output.clone(), watchdog::deadline_of(&raw), name, writes);
    let result = run_raw(raw, fallback, &|name| std::env::var(name).ok());
    if !output.print(&result.json) {
        // The watchdog printed its failure and is ending the process.
        return ExitCode::FAILURE;
    }
    if result.failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn names() -> String {
    modules::MODULES
        .iter()
        .map(|m| m.name)
        .collect::<Vec<_>>()
        .join(", ")
}

fn write_docs(dir: &str) -> ExitCode {
    let mut status = ExitCode::SUCCESS;
    for def in modules::MODULES {
        let path = format!("{dir}/{}.yml", def.name);
        let block = sidecar::options_block(&(def.spec)());
        let result = std::fs::read_to_string(&path)
            .map_err(|e| e.to_string())
            .and_then(|text| {
                sidecar::splice(&text, &block).ok_or_else(|| {
                    format!(
                        "no generated-options markers ({:?} ... {:?})",
                        sidecar::BEGIN,
                        sidecar::END
                    )
                })
            })
            .and_then(|new| std::fs::write(&path, new).map_err(|e| e.to_string()));
        match result {
            Ok(()) => eprintln!("wrote the options of {path}"),
            Err(e) => {
                eprintln!("{path}: {e}");
                status = ExitCode::FAILURE;
            }
        }
    }
    status
}
