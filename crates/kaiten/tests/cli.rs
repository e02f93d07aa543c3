//! The binary as a user runs it: embedded PostgreSQL, `platform-token`, `serve`, the
//! first-token walkthrough of the README, graceful shutdown and a restart that keeps the data.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const KAITEN: &str = env!("CARGO_BIN_EXE_kaiten");

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn kaiten(data_dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(KAITEN).args(args).env("KAITEN_DATA_DIR", data_dir).env_remove("DATABASE_URL").output().unwrap()
}

fn create_platform_token(data_dir: &Path, name: &str) -> String {
    let out = kaiten(data_dir, &["platform-token", "create", "--name", name]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let token = stdout.lines().last().unwrap().to_owned();
    assert!(token.starts_with("ksm_"), "{stdout}");
    token
}

struct Server {
    child: Child,
    core: String,
    platform: String,
}

fn serve(data_dir: &Path) -> (Server, Duration) {
    serve_with(data_dir, &[])
}

fn serve_with(data_dir: &Path, env: &[(&str, &str)]) -> (Server, Duration) {
    let (port, platform_port) = (free_port(), free_port());
    let started = Instant::now();
    let child = Command::new(KAITEN)
        .arg("serve")
        .envs(env.iter().copied())
        .env("KAITEN_DATA_DIR", data_dir)
        .env("KAITEN_PORT", port.to_string())
        .env("KAITEN_PLATFORM_PORT", platform_port.to_string())
        .env("KAITEN_HOST", "127.0.0.1")
        .env_remove("DATABASE_URL")
        .stdout(Stdio::null())
        .stderr(std::fs::File::options().create(true).append(true).open(data_dir.join("serve.log")).unwrap())
        .spawn()
        .unwrap();
    let server = Server {
        child,
        core: format!("http://127.0.0.1:{port}"),
        platform: format!("http://127.0.0.1:{platform_port}"),
    };
    let client = reqwest::blocking::Client::new();
    loop {
        if client.get(format!("{}/api/healthz", server.core)).send().is_ok_and(|r| r.status().is_success()) {
            return (server, started.elapsed());
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "serve did not become healthy:\n{}",
            std::fs::read_to_string(data_dir.join("serve.log")).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(25));
    }
}

impl Server {
    fn stop(mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "serve did not stop after SIGTERM");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

fn call(method: reqwest::Method, url: String, token: &str, body: Option<Value>) -> (u16, Value) {
    let mut request = reqwest::blocking::Client::new().request(method, url).bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().unwrap();
    let status = response.status().as_u16();
    (status, response.json().unwrap_or(Value::Null))
}

fn data_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kaiten-cli-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn first_token_walkthrough_on_the_embedded_database_survives_a_restart() {
    let dir = data_dir();
    let platform_token = create_platform_token(&dir, "admin");

    let (server, cold) = serve(&dir);
    eprintln!("serve became healthy in {} ms (initialized data dir)", cold.as_millis());
    // The CLI works beside a running server, on the same data directory.
    let second = create_platform_token(&dir, "second");
    let listed = String::from_utf8(kaiten(&dir, &["platform-token", "list"]).stdout).unwrap();
    assert!(listed.contains("admin") && listed.contains("second") && !listed.contains(&second[4..]), "{listed}");

    let (status, org) = call(
        reqwest::Method::POST,
        format!("{}/api/platform/organizations", server.platform),
        &platform_token,
        Some(json!({"externalId": "org_acme", "name": "Acme"})),
    );
    assert_eq!(status, 200, "{org}");
    let org_id = org["id"].as_str().unwrap();
    let (status, minted) = call(
        reqwest::Method::POST,
        format!("{}/api/platform/organizations/{org_id}/tokens", server.platform),
        &second,
        Some(json!({"name": "first-token"})),
    );
    assert_eq!(status, 201, "{minted}");
    let token = minted["token"].as_str().unwrap().to_owned();
    let (status, _) = call(
        reqwest::Method::POST,
        format!("{}/api/customers", server.core),
        &token,
        Some(json!({"name": "Awesome Customer", "slug": "awesome"})),
    );
    assert_eq!(status, 201);
    let (status, _) = call(reqwest::Method::GET, format!("{}/api/platform/me", server.core), &platform_token, None);
    assert_eq!(status, 404, "the public listener has no platform route");

    let exit = server.stop();
    assert!(exit.success(), "graceful shutdown exits 0: {exit:?}");
    assert!(!dir.join("pg/postmaster.pid").exists(), "the embedded cluster stopped with the server");
    // Operators alert on warnings: an orderly stop logs none (the relay used to warn that its
    // lock connection stopped answering, because the database stopped before it did).
    let log = std::fs::read_to_string(dir.join("serve.log")).unwrap();
    let warnings: Vec<&str> = log.lines().filter(|l| l.contains(" WARN ") || l.contains("ERROR")).collect();
    assert!(warnings.is_empty(), "a clean start and stop logs no warning:\n{}", warnings.join("\n"));

    let (server, warm) = serve(&dir);
    eprintln!("serve became healthy in {} ms (existing data dir)", warm.as_millis());
    let (status, list) = call(reqwest::Method::GET, format!("{}/api/customers", server.core), &token, None);
    assert_eq!(status, 200);
    assert_eq!(list["items"][0]["slug"], "awesome", "rows survive a restart");

    // Revoking the minting credential revokes the token it minted, even while serving.
    let out = kaiten(&dir, &["platform-token", "revoke", "--name", "second"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    std::thread::sleep(Duration::from_millis(300));
    let (status, _) = call(reqwest::Method::GET, format!("{}/api/customers", server.core), &token, None);
    assert_eq!(status, 401);
    assert!(server.stop().success());
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn blank_or_short_secrets_stop_the_start() {
    let dir = data_dir();
    for (name, value, says) in [
        ("KAITEN_JWT_SECRET", "", "KAITEN_JWT_SECRET cannot be used: it is set but empty"),
        ("KAITEN_JWT_SECRET", "   ", "KAITEN_JWT_SECRET cannot be used: it is set but empty"),
        ("KAITEN_JWT_SECRET", "too-short", "KAITEN_JWT_SECRET cannot be used: it has 9 bytes; it needs 32"),
        ("KAITEN_SECRET_KEY", "", "KAITEN_SECRET_KEY cannot be used: it is set but empty"),
        ("KAITEN_SECRET_KEY", "0123456789", "KAITEN_SECRET_KEY cannot be used: it has 10 bytes"),
        ("KAITEN_JWKS_URL", " ", "KAITEN_JWKS_URL is set but empty"),
        ("KAITEN_CLERK_WEBHOOK_SECRET", "", "KAITEN_CLERK_WEBHOOK_SECRET is set but empty"),
    ] {
        let out = Command::new(KAITEN)
            .arg("serve")
            .env("KAITEN_DATA_DIR", &dir)
            .env(name, value)
            .env("KAITEN_PORT", free_port().to_string())
            .env("KAITEN_PLATFORM_PORT", free_port().to_string())
            .env_remove("DATABASE_URL")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{name}={value:?} must not start");
        assert!(stderr.contains(says), "{name}={value:?}: {stderr}");
        assert!(!stderr.contains("kaiten is serving"), "{stderr}");
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_stale_postmaster_pid_is_recovered() {
    let dir = data_dir();
    create_platform_token(&dir, "first");
    // A pid file left by a cluster that is gone (pid 999999 does not exist).
    let pid_file = dir.join("pg/postmaster.pid");
    std::fs::write(&pid_file, "999999\n/x\n0\n5432\n\n127.0.0.1\n0 0\nready\n").unwrap();
    create_platform_token(&dir, "second");
    assert!(!pid_file.exists());
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn bad_invocations_fail_with_a_message() {
    let dir = data_dir();
    let out = kaiten(&dir, &["platform-token", "create", "--name", "x", "--ttl", "forever"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("Go duration"));
    let out = Command::new(KAITEN)
        .args(["migrate"])
        .env("KAITEN_DATA_DIR", &dir)
        .env("KAITEN_PG_BINDIR", "/nonexistent")
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("KAITEN_PG_BINDIR") && stderr.lines().count() <= 2, "{stderr}");
    let out = kaiten(&dir, &["openapi", "--platform"]);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["info"]["title"], "Kaiten Platform API");
    let _ = std::fs::remove_dir_all(dir);
}

/// Ensures the organization through the platform listener and mints it a full token.
fn organization(server: &Server, platform_token: &str, external_id: &str) -> (uuid::Uuid, String) {
    let (_, org) = call(
        reqwest::Method::POST,
        format!("{}/api/platform/organizations", server.platform),
        platform_token,
        Some(json!({"externalId": external_id})),
    );
    let org_id: uuid::Uuid = org["id"].as_str().unwrap().parse().unwrap();
    let (_, minted) = call(
        reqwest::Method::POST,
        format!("{}/api/platform/organizations/{org_id}/tokens", server.platform),
        platform_token,
        Some(json!({"name": "writer"})),
    );
    (org_id, minted["token"].as_str().unwrap().to_owned())
}

/// Four writers create customers as fast as they can; the server is killed (SIGKILL) in the
/// middle of it.
fn kill_during_a_burst(server: &mut Server, token: &str) {
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let (core, token) = (server.core.clone(), token.to_owned());
            std::thread::spawn(move || {
                let client = reqwest::blocking::Client::new();
                for i in 0.. {
                    let sent = client
                        .post(format!("{core}/api/customers"))
                        .bearer_auth(&token)
                        .json(&json!({"name": format!("w{w} c{i}")}))
                        .send();
                    if sent.is_err() {
                        return i;
                    }
                }
                unreachable!()
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(700));
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    let attempted: usize = writers.into_iter().map(|w| w.join().unwrap()).sum();
    assert!(attempted > 20, "the burst was under way when the server died ({attempted} writes)");
}

#[test]
fn every_committed_event_reaches_both_brokers_across_a_killed_server() {
    use kaiten_testkit::brokers;
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let dir = data_dir();
    let platform_token = create_platform_token(&dir, "admin");
    let env = [("KAITEN_RABBITMQ_URL", brokers::RABBITMQ_URL), ("KAITEN_NATS_URL", brokers::NATS_URL)];
    let (mut server, _) = serve_with(&dir, &env);
    let (org_id, token) = organization(&server, &platform_token, "org_crash");
    let (rabbit, nats) = runtime.block_on(async { (brokers::rabbitmq(org_id).await, brokers::nats(org_id).await) });

    kill_during_a_burst(&mut server, &token);

    let (server, _) = serve_with(&dir, &env);
    for i in 0..10 {
        let (status, _) = call(
            reqwest::Method::POST,
            format!("{}/api/customers", server.core),
            &token,
            Some(json!({"name": format!("after {i}")})),
        );
        assert_eq!(status, 201);
    }
    // What was committed is what the API lists now: one CUSTOMER_CREATED each.
    let committed = all_customers(&server.core, &token);
    let bodies = |received: &brokers::Received| -> Vec<Value> {
        received.lock().unwrap().iter().map(|m| m.body.clone()).collect()
    };
    until_each_has(&committed, 30, &[("RabbitMQ", &|| bodies(&rabbit)), ("NATS", &|| bodies(&nats))]);
    assert!(server.stop().success());
}

/// Waits until each source has received a `CUSTOMER_CREATED` for exactly the committed
/// customers (duplicates allowed: at least once).
fn until_each_has(
    committed: &std::collections::HashSet<String>,
    secs: u64,
    sources: &[(&str, &dyn Fn() -> Vec<Value>)],
) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let arrived: Vec<(&str, std::collections::HashSet<String>)> = sources
            .iter()
            .map(|(name, read)| {
                let created = read()
                    .iter()
                    .filter(|body| body["name"] == "CUSTOMER_CREATED")
                    .map(|body| body["data"]["id"].as_str().unwrap_or_default().to_owned())
                    .collect();
                (*name, created)
            })
            .collect();
        if arrived.iter().all(|(_, created)| created == committed) {
            return;
        }
        let counts: Vec<String> = arrived.iter().map(|(name, created)| format!("{name}: {}", created.len())).collect();
        assert!(Instant::now() < deadline, "after the crash: {} committed; {}", committed.len(), counts.join(", "));
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Every customer the API lists, following the cursor.
fn all_customers(core: &str, token: &str) -> std::collections::HashSet<String> {
    let mut committed = std::collections::HashSet::new();
    let mut cursor = String::new();
    loop {
        let (_, page) =
            call(reqwest::Method::GET, format!("{core}/api/customers?limit=200&cursor={cursor}"), token, None);
        committed.extend(page["items"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap().to_owned()));
        match page["nextCursor"].as_str() {
            Some(next) => cursor = next.to_owned(),
            None => return committed,
        }
    }
}

#[test]
fn every_committed_event_is_delivered_to_every_matching_webhook_across_a_killed_server() {
    use kaiten_testkit::webhooks::Receiver;
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let dir = data_dir();
    let platform_token = create_platform_token(&dir, "admin");
    let env = [("KAITEN_WEBHOOK_ALLOW_PRIVATE", "true"), ("KAITEN_LOG", "debug")];
    let (mut server, _) = serve_with(&dir, &env);
    let (_, token) = organization(&server, &platform_token, "org_webhook_crash");
    let (everything, customers, licenses) = runtime
        .block_on(async { (Receiver::accepting().await, Receiver::accepting().await, Receiver::accepting().await) });
    let mut secrets = Vec::new();
    for (receiver, types) in
        [(&everything, json!([])), (&customers, json!(["CUSTOMER_CREATED"])), (&licenses, json!(["LICENSE_CREATED"]))]
    {
        let (status, created) = call(
            reqwest::Method::POST,
            format!("{}/api/webhooks/endpoints", server.core),
            &token,
            Some(json!({"url": receiver.url, "eventTypes": types})),
        );
        assert_eq!(status, 201, "{created}");
        secrets.push(created["secret"].as_str().unwrap().to_owned());
    }

    kill_during_a_burst(&mut server, &token);

    let (server, _) = serve_with(&dir, &env);
    let committed = all_customers(&server.core, &token);
    let bodies = |receiver: &Receiver| -> Vec<Value> { receiver.received().iter().map(|d| d.json()).collect() };
    let sources: [(&str, &dyn Fn() -> Vec<Value>); 2] =
        [("every event", &|| bodies(&everything)), ("customers only", &|| bodies(&customers))];
    until_each_has(&committed, 60, &sources);
    assert!(licenses.received().is_empty(), "a filtered endpoint receives only its events");
    assert!(server.stop().success());

    // Neither the endpoints' secrets nor the server key ever reach the logs, even at debug.
    let log = std::fs::read_to_string(dir.join("serve.log")).unwrap();
    let server_key = std::fs::read_to_string(dir.join("secret.key")).unwrap();
    assert!(log.len() > 10_000, "the debug log was written");
    for secret in secrets.iter().map(String::as_str).chain([server_key.trim()]) {
        assert!(!log.contains(secret), "a secret is in the log");
        assert!(!log.contains(secret.trim_start_matches("whsec_")), "a secret's key is in the log");
    }
    let _ = std::fs::remove_dir_all(dir);
}
