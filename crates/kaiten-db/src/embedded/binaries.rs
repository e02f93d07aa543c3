//! Finding `initdb` and `postgres`.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::bail;

/// `KAITEN_PG_BINDIR`, then `pg_config --bindir`, then the newest `/usr/lib/postgresql/*/bin`,
/// then `PATH`: the first directory holding both `initdb` and `postgres`.
pub fn find(explicit: Option<&Path>) -> anyhow::Result<PathBuf> {
    if let Some(dir) = explicit {
        if has_binaries(dir) {
            return Ok(dir.to_path_buf());
        }
        bail!("KAITEN_PG_BINDIR={} holds no initdb and postgres binaries", dir.display());
    }
    let candidates = pg_config_bindir().into_iter().chain(debian_bindirs()).chain(path_dirs());
    for dir in candidates {
        if has_binaries(&dir) {
            return Ok(dir);
        }
    }
    bail!(
        "no PostgreSQL server binaries (initdb, postgres) found: install PostgreSQL 15 or newer \
         (Debian: apt-get install postgresql), set KAITEN_PG_BINDIR, or set DATABASE_URL to use an existing server"
    )
}

fn has_binaries(dir: &Path) -> bool {
    dir.join("initdb").is_file() && dir.join("postgres").is_file()
}

fn pg_config_bindir() -> Option<PathBuf> {
    let out = Command::new("pg_config").arg("--bindir").output().ok()?;
    out.status.success().then(|| PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
}

fn debian_bindirs() -> Vec<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            Some((version, entry.path().join("bin")))
        })
        .collect();
    versions.sort_by_key(|(version, _)| std::cmp::Reverse(*version));
    versions.into_iter().map(|(_, dir)| dir).collect()
}

fn path_dirs() -> Vec<PathBuf> {
    std::env::var_os("PATH").map(|p| std::env::split_paths(&p).collect()).unwrap_or_default()
}
