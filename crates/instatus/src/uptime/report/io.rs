//! Writing a rendered report to a file: only when it changed, and never half.

/// Writes `text` to `path` unless the file already holds exactly `text`; returns whether it
/// wrote. The write goes through a temporary file in the same directory and a rename, so a
/// reader never sees half a report. What the Ansible module and `instatus-bridge report` write
/// with.
pub fn write_if_changed(path: &std::path::Path, text: &str) -> std::io::Result<bool> {
    match std::fs::read(path) {
        Ok(old) if old == text.as_bytes() => return Ok(false),
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    write_atomically(path, text)?;
    Ok(true)
}

/// Writes `text` to `path` through a temporary file in the same directory, then renames it.
pub fn write_atomically(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}
