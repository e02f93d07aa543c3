//! The replication session's connection settings, taken from the database URL.

use pgwire_replication::{ReplicationConfig, TlsConfig};

pub fn replication_config(url: &str, slot: &str, publication: &str) -> anyhow::Result<ReplicationConfig> {
    let parsed = url::Url::parse(url)?;
    let query = |key: &str| parsed.query_pairs().find(|(k, _)| k == key).map(|(_, v)| v.into_owned());
    let decode = |s: &str| percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned();
    let user = query("user").unwrap_or_else(|| decode(parsed.username()));
    let password = query("password").or_else(|| parsed.password().map(decode)).unwrap_or_default();
    let database = query("dbname").unwrap_or_else(|| parsed.path().trim_start_matches('/').to_owned());
    let host = query("host").unwrap_or_else(|| parsed.host_str().unwrap_or("localhost").to_owned());
    let port = query("port").and_then(|p| p.parse().ok()).or(parsed.port()).unwrap_or(5432);
    let tls = match query("sslmode").as_deref() {
        Some("require" | "verify-ca" | "verify-full") => TlsConfig::require(),
        _ => TlsConfig::disabled(),
    };
    Ok(ReplicationConfig::new(host, user, password, database, slot, publication).with_port(port).with_tls(tls))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_parts_become_the_sessions_settings() {
        let config = replication_config("postgres://kai%40ten:p%2Fw@127.0.0.1:6543/kaiten", "s", "p").unwrap();
        assert_eq!((config.host.as_str(), config.port, config.user.as_str()), ("127.0.0.1", 6543, "kai@ten"));
        assert_eq!((config.password.as_str(), config.database.as_str()), ("p/w", "kaiten"));
    }
}
