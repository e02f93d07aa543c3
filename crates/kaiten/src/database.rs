//! Opening the database: the server named by DATABASE_URL, or the embedded cluster.

use anyhow::Context;
use kaiten_db::{ClusterOptions, EmbeddedCluster};
use sqlx::PgPool;

use crate::cli::DatabaseArgs;

/// A migrated pool, and the embedded cluster behind it if there is one (stopped on drop).
pub struct Database {
    pub pool: PgPool,
    /// What the pool connects to; the WAL relay opens its replication session there.
    pub url: String,
    pub cluster: Option<EmbeddedCluster>,
}

pub async fn open(args: &DatabaseArgs) -> anyhow::Result<Database> {
    let (url, cluster) = match &args.database_url {
        Some(url) => (url.clone(), None),
        None => {
            let options =
                ClusterOptions { data_dir: args.data_dir.clone(), bindir: args.pg_bindir.clone(), ephemeral: false };
            let cluster = tokio::task::spawn_blocking(move || EmbeddedCluster::start(&options)).await??;
            kaiten_db::ensure_database(&cluster.admin_url(), kaiten_db::embedded::DATABASE)
                .await
                .context("cannot create the kaiten database in the embedded cluster")?;
            (cluster.url(), Some(cluster))
        }
    };
    let pool = kaiten_db::connect(&url, args.max_connections).await.context("cannot connect to PostgreSQL")?;
    kaiten_db::migrate(&pool).await.context("cannot apply the migrations")?;
    Ok(Database { pool, url, cluster })
}

pub async fn migrate_only(args: &DatabaseArgs) -> anyhow::Result<()> {
    let database = open(args).await?;
    tracing::info!(applied = kaiten_db::MIGRATOR.iter().count(), "migrations are up to date");
    database.close().await;
    Ok(())
}

impl Database {
    pub async fn close(mut self) {
        self.pool.close().await;
        if let Some(mut cluster) = self.cluster.take() {
            let _ = tokio::task::spawn_blocking(move || cluster.stop()).await;
        }
    }
}
