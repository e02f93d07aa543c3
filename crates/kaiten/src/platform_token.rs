use anyhow::bail;
use kaiten_api::modules::platform::{credentials, go_duration};

use crate::cli::PlatformTokenCommand;
use crate::database;

pub async fn run(command: PlatformTokenCommand) -> anyhow::Result<()> {
    match command {
        PlatformTokenCommand::Create { database, name, scopes, ttl } => {
            let ttl = match ttl.as_deref() {
                None => None,
                Some(text) => match go_duration::parse(text) {
                    Some(d) if !d.is_zero() => Some(d),
                    _ => bail!("--ttl {text:?} is not a positive Go duration such as 24h or 90m"),
                },
            };
            let db = database::open(&database).await?;
            let scopes = (!scopes.is_empty()).then_some(scopes);
            let created = credentials::create(&db.pool, &name, scopes, ttl).await;
            db.close().await;
            let (credential, plaintext) = created.map_err(|e| anyhow::anyhow!("{}: {}", e.code(), e.detail()))?;
            println!("created platform token {} ({})", credential.name, credential.slug);
            println!("scopes: {}", credential.scopes.unwrap_or_default().join(" "));
            match credential.expires_at {
                Some(at) => println!("expires: {}", at.to_rfc3339()),
                None => println!("expires: never"),
            }
            println!("store it now; it is not shown again:");
            println!("{plaintext}");
        }
        PlatformTokenCommand::List { database } => {
            let db = database::open(&database).await?;
            let listed = credentials::list(&db.pool).await;
            db.close().await;
            let listed = listed.map_err(|e| anyhow::anyhow!("{}: {}", e.code(), e.detail()))?;
            println!("{:<24} {:<32} {:<26} SCOPES", "NAME", "SLUG", "EXPIRES");
            for c in listed {
                let expires = c.expires_at.map_or_else(|| "never".to_owned(), |at| at.to_rfc3339());
                println!("{:<24} {:<32} {:<26} {}", c.name, c.slug, expires, c.scopes.unwrap_or_default().join(" "));
            }
        }
        PlatformTokenCommand::Revoke { database, name } => {
            let db = database::open(&database).await?;
            let revoked = credentials::revoke(&db.pool, &name).await;
            db.close().await;
            let count = revoked.map_err(|e| anyhow::anyhow!("{}: {}", e.code(), e.detail()))?;
            println!("revoked platform token {name} and {} token(s) it minted", count.saturating_sub(1));
        }
    }
    Ok(())
}
