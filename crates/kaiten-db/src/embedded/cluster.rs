use std::fs::{self, OpenOptions};
use std::io::Write;
use std::net::TcpListener;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use rand::RngCore;

use super::{binaries, sys};

const ROLE: &str = "kaiten";
pub const DATABASE: &str = "kaiten";

#[derive(Debug, Clone)]
pub struct ClusterOptions {
    pub data_dir: PathBuf,
    pub bindir: Option<PathBuf>,
    /// Trade durability for speed (fsync off): for throwaway test clusters only.
    pub ephemeral: bool,
}

/// A running private cluster. Stopped on drop if we started it.
pub struct EmbeddedCluster {
    port: u16,
    password: String,
    /// Present when this process started the postmaster (and must stop it).
    postmaster: Option<Postmaster>,
}

struct Postmaster {
    pid: u32,
    exited: mpsc::Receiver<()>,
}

impl EmbeddedCluster {
    /// Initializes the cluster on first use, then starts it — or attaches to the one already
    /// running on this data directory (e.g. `serve`, when the CLI is used beside it).
    pub fn start(options: &ClusterOptions) -> anyhow::Result<Self> {
        let bindir = binaries::find(options.bindir.as_deref())?;
        let owner = if sys::is_root() {
            Some(sys::account("postgres").context("running as root needs a `postgres` account to run PostgreSQL as")?)
        } else {
            None
        };
        fs::create_dir_all(&options.data_dir)
            .with_context(|| format!("cannot create KAITEN_DATA_DIR {}", options.data_dir.display()))?;
        let data_dir = options.data_dir.canonicalize()?;
        let pgdata = data_dir.join("pg");
        let password = read_or_create_password(&data_dir)?;

        if !pgdata.join("PG_VERSION").exists() {
            init(&bindir, &data_dir, &pgdata, &password, owner, options.ephemeral)?;
        }
        if let Some(port) = running_port(&pgdata)? {
            tracing::info!(port, "attached to the embedded PostgreSQL already running on this data directory");
            return Ok(Self { port, password, postmaster: None });
        }
        let port = free_port()?;
        let postmaster = spawn(&bindir, &data_dir, &pgdata, port, owner, options.ephemeral)?;
        let cluster = Self { port, password, postmaster: Some(postmaster) };
        cluster.wait_ready(&pgdata, &data_dir.join("pg.log"))?;
        tracing::info!(port, data_dir = %data_dir.display(), "embedded PostgreSQL started");
        Ok(cluster)
    }

    /// The URL of the `kaiten` database (create it with `ensure_database(admin_url, ..)`).
    pub fn url(&self) -> String {
        self.url_for(DATABASE)
    }

    /// The URL of the maintenance database, for creating others.
    pub fn admin_url(&self) -> String {
        self.url_for("postgres")
    }

    pub fn url_for(&self, database: &str) -> String {
        format!("postgres://{ROLE}:{}@127.0.0.1:{}/{database}", self.password, self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Fast shutdown (SIGINT), escalating to immediate (SIGQUIT) after 30 s.
    pub fn stop(&mut self) {
        let Some(postmaster) = self.postmaster.take() else { return };
        sys::signal(postmaster.pid, sys::SIGINT);
        if postmaster.exited.recv_timeout(Duration::from_secs(30)).is_err() {
            tracing::warn!("embedded PostgreSQL did not stop in 30 s; forcing an immediate shutdown");
            sys::signal(postmaster.pid, sys::SIGQUIT);
            let _ = postmaster.exited.recv_timeout(Duration::from_secs(10));
        }
        tracing::info!("embedded PostgreSQL stopped");
    }

    fn wait_ready(&self, pgdata: &Path, log: &Path) -> anyhow::Result<()> {
        let deadline = Instant::now() + Duration::from_secs(60);
        let postmaster = self.postmaster.as_ref().expect("wait_ready is called on a cluster we started");
        loop {
            if postmaster.exited.try_recv().is_ok() {
                bail!("embedded PostgreSQL exited during start-up:\n{}", tail(log));
            }
            // PostgreSQL writes its status as the 8th line of postmaster.pid.
            if let Ok(pid_file) = fs::read_to_string(pgdata.join("postmaster.pid"))
                && pid_file.lines().nth(7).is_some_and(|s| s.trim() == "ready")
            {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!("embedded PostgreSQL was not ready after 60 s:\n{}", tail(log));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for EmbeddedCluster {
    fn drop(&mut self) {
        self.stop();
    }
}

fn read_or_create_password(data_dir: &Path) -> anyhow::Result<String> {
    let path = data_dir.join("pg-password");
    if let Ok(existing) = fs::read_to_string(&path) {
        return Ok(existing.trim().to_owned());
    }
    let mut bytes = [0u8; 24];
    rand::rng().fill_bytes(&mut bytes);
    let password = hex::encode(bytes);
    let mut file = OpenOptions::new().write(true).create_new(true).mode(0o600).open(&path)?;
    file.write_all(password.as_bytes())?;
    Ok(password)
}

fn init(
    bindir: &Path,
    data_dir: &Path,
    pgdata: &Path,
    password: &str,
    owner: Option<(u32, u32)>,
    ephemeral: bool,
) -> anyhow::Result<()> {
    fs::create_dir_all(pgdata)?;
    fs::set_permissions(pgdata, fs::Permissions::from_mode(0o700))?;
    // initdb reads the password from a file that the server's account must be able to read.
    let pwfile = pgdata.with_file_name(".initdb-password");
    fs::write(&pwfile, password)?;
    fs::set_permissions(&pwfile, fs::Permissions::from_mode(0o600))?;
    if let Some((uid, gid)) = owner {
        // The server's account must reach the cluster through the data directory.
        fs::set_permissions(data_dir, fs::Permissions::from_mode(0o711))?;
        sys::chown(pgdata, uid, gid)?;
        sys::chown(&pwfile, uid, gid)?;
    }
    let mut command = Command::new(bindir.join("initdb"));
    command
        .arg("-D")
        .arg(pgdata)
        .args(["-U", ROLE, "-E", "UTF8", "--locale=C", "--auth-local=scram-sha-256", "--auth-host=scram-sha-256"])
        .arg(format!("--pwfile={}", pwfile.display()))
        .current_dir(data_dir);
    if ephemeral {
        command.arg("--no-sync");
    }
    as_owner(&mut command, owner);
    let output = command.output().context("cannot run initdb")?;
    let _ = fs::remove_file(&pwfile);
    if !output.status.success() {
        let _ = fs::remove_dir_all(pgdata);
        bail!(
            "initdb failed{}:\n{}",
            if owner.is_some() {
                " (as root, PostgreSQL runs as `postgres`, which must be able to reach KAITEN_DATA_DIR)"
            } else {
                ""
            },
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(())
}

/// The port of a postmaster already running on `pgdata`; a stale pid file is removed.
fn running_port(pgdata: &Path) -> anyhow::Result<Option<u16>> {
    let pid_path = pgdata.join("postmaster.pid");
    let Ok(pid_file) = fs::read_to_string(&pid_path) else { return Ok(None) };
    let mut lines = pid_file.lines();
    let pid: Option<i32> = lines.next().and_then(|l| l.trim().parse().ok());
    let port: Option<u16> = pid_file.lines().nth(3).and_then(|l| l.trim().parse().ok());
    let alive = |pid: i32| {
        sys::process_exists(pid)
            && fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|comm| comm.trim() == "postgres")
    };
    // A postmaster still shutting down (its server was just killed and took it along) cannot
    // be attached to: wait for it to go, then start a new one.
    let stopping = pid_file.lines().nth(7).is_some_and(|status| status.trim() == "stopping");
    if let Some(pid) = pid.filter(|pid| alive(*pid)) {
        if !stopping {
            return Ok(port);
        }
        tracing::info!(pid, "the embedded PostgreSQL is shutting down; waiting for it before starting anew");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while alive(pid) {
            if std::time::Instant::now() > deadline {
                bail!("the embedded PostgreSQL (pid {pid}) did not finish shutting down within 60 s");
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        if !pid_path.exists() {
            return Ok(None);
        }
    }
    tracing::warn!(path = %pid_path.display(), "removing a stale postmaster.pid left by a cluster that is gone");
    fs::remove_file(&pid_path)?;
    Ok(None)
}

fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn spawn(
    bindir: &Path,
    data_dir: &Path,
    pgdata: &Path,
    port: u16,
    owner: Option<(u32, u32)>,
    ephemeral: bool,
) -> anyhow::Result<Postmaster> {
    let log = OpenOptions::new().create(true).append(true).open(data_dir.join("pg.log"))?;
    let mut command = Command::new(bindir.join("postgres"));
    command
        .arg("-D")
        .arg(pgdata)
        .args(["-c", "listen_addresses=127.0.0.1", "-c", &format!("port={port}")])
        .args(["-c", "unix_socket_directories=", "-c", "wal_level=logical"])
        .args(["-c", "max_wal_senders=32", "-c", "max_replication_slots=32", "-c", "max_connections=200"])
        .current_dir(data_dir)
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log);
    if ephemeral {
        command.args(["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]);
    }
    as_owner(&mut command, owner);
    sys::die_with_parent(&mut command);

    // The death signal follows the spawning *thread*, so a thread that lives exactly as long
    // as the child spawns and reaps it.
    let (pid_tx, pid_rx) = mpsc::channel();
    let (exit_tx, exit_rx) = mpsc::channel();
    std::thread::Builder::new().name("postgres-supervisor".into()).spawn(move || match command.spawn() {
        Ok(mut child) => {
            let _ = pid_tx.send(Ok(child.id()));
            let status = child.wait();
            tracing::debug!(?status, "embedded PostgreSQL exited");
            let _ = exit_tx.send(());
        }
        Err(err) => {
            let _ = pid_tx.send(Err(err));
        }
    })?;
    let pid = pid_rx.recv()?.context("cannot start postgres")?;
    Ok(Postmaster { pid, exited: exit_rx })
}

fn as_owner(command: &mut Command, owner: Option<(u32, u32)>) {
    if let Some((uid, gid)) = owner {
        command.uid(uid).gid(gid);
    }
}

fn tail(log: &Path) -> String {
    let text = fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(15)..].join("\n")
}
