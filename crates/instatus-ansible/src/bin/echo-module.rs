//! The smallest useful binary Ansible module: it reads the args file and echoes the user's options
//! back, unchanged. `scripts/bench-ansible.sh` runs it as the per-task floor of any binary module.

fn main() {
    let path = std::env::args().nth(1).unwrap_or_default();
    let text = std::fs::read_to_string(&path).unwrap_or_else(|_| "{}".into());
    let mut args: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&text).unwrap_or_default();
    args.retain(|k, _| !k.starts_with("_ansible_"));
    println!(
        "{}",
        serde_json::json!({"changed": false, "failed": false, "args": args})
    );
}
