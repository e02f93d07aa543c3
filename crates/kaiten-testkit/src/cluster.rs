use std::sync::OnceLock;

use kaiten_db::{ClusterOptions, EmbeddedCluster};
use tokio::sync::OnceCell;

const TEMPLATE: &str = "kaiten_template";

struct Server {
    admin_url: String,
    url_for: Box<dyn Fn(&str) -> String + Send + Sync>,
}

/// Kept for the life of the test binary; its postmaster dies with the process.
static CLUSTER: OnceLock<std::sync::Mutex<EmbeddedCluster>> = OnceLock::new();
static SERVER: OnceCell<Server> = OnceCell::const_new();

/// The URL of a new, migrated, empty database.
pub async fn fresh_database() -> String {
    let server = SERVER.get_or_init(init).await;
    let name = format!("test_{}", uuid::Uuid::new_v4().simple());
    let mut conn =
        <sqlx::PgConnection as sqlx::Connection>::connect(&server.admin_url).await.expect("admin connection");
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name} TEMPLATE {TEMPLATE}")))
        .execute(&mut conn)
        .await
        .expect("create the test database");
    (server.url_for)(&name)
}

async fn init() -> Server {
    let server = match std::env::var("KAITEN_TEST_DATABASE_URL") {
        Ok(url) => external(url),
        Err(_) => private_cluster().await,
    };
    // The template is rebuilt once per test binary so that it always has the current migrations.
    let mut conn =
        <sqlx::PgConnection as sqlx::Connection>::connect(&server.admin_url).await.expect("admin connection");
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {TEMPLATE} WITH (FORCE)")))
        .execute(&mut conn)
        .await
        .expect("drop the old template");
    kaiten_db::ensure_database(&server.admin_url, TEMPLATE).await.expect("create the template");
    let pool = kaiten_db::connect(&(server.url_for)(TEMPLATE), 2).await.expect("connect to the template");
    kaiten_db::migrate(&pool).await.expect("migrate the template");
    pool.close().await;
    server
}

async fn private_cluster() -> Server {
    let dir = std::env::temp_dir().join(format!("kaiten-test-{}", std::process::id()));
    let options =
        ClusterOptions { data_dir: dir, bindir: std::env::var_os("KAITEN_PG_BINDIR").map(Into::into), ephemeral: true };
    let cluster =
        tokio::task::spawn_blocking(move || EmbeddedCluster::start(&options).expect("start the test cluster"))
            .await
            .expect("cluster thread");
    let base = cluster.url_for("");
    let admin_url = cluster.admin_url();
    CLUSTER.get_or_init(|| std::sync::Mutex::new(cluster));
    Server { admin_url, url_for: Box::new(move |db| format!("{base}{db}")) }
}

fn external(url: String) -> Server {
    let (base, _) = url.rsplit_once('/').expect("KAITEN_TEST_DATABASE_URL ends with /database");
    let base = format!("{base}/");
    Server { admin_url: url, url_for: Box::new(move |db| format!("{base}{db}")) }
}
