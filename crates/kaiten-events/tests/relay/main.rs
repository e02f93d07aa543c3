//! The relay against real PostgreSQL (logical replication), RabbitMQ and NATS JetStream.

mod support;

use std::sync::Arc;
use std::time::Duration;

use kaiten_events::nats::NatsSink;
use kaiten_events::rabbitmq::RabbitSink;
use kaiten_events::{Metrics, Mode, Sinks};
use kaiten_testkit::brokers::{self, ids};
use support::{Collecting, Gate, NATS, RABBITMQ, db, distinct, eventually};

fn sinks(collecting: &Arc<Collecting>, rabbit_url: &str) -> Sinks {
    vec![collecting.clone(), Arc::new(RabbitSink::new(rabbit_url, false)), Arc::new(NatsSink::new(NATS))]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn committed_events_reach_every_sink_once_in_commit_order_and_rolled_back_ones_never() {
    let db = db().await;
    let (rabbit, nats) = (brokers::rabbitmq(db.org).await, brokers::nats(db.org).await);
    let collecting = Arc::new(Collecting::default());
    let metrics = Arc::new(Metrics::default());
    let relay = db.relay(Mode::Wal, sinks(&collecting, RABBITMQ), metrics.clone()).await;

    let mut committed = Vec::new();
    for n in 0..30 {
        committed.push(db.write(n).await);
        if n % 10 == 0 {
            let mut tx = db.pool.begin().await.unwrap();
            sqlx::query(
                "INSERT INTO outbox_events (organization_id, event_name, event_type, data)
                 VALUES ($1, 'CUSTOMER_DELETED', 'com.kaiten.customer.v1.deleted', '{}')",
            )
            .bind(db.org)
            .execute(&mut *tx)
            .await
            .unwrap();
            tx.rollback().await.unwrap();
        }
    }
    // Several events in one transaction keep their order too.
    let mut tx = db.pool.begin().await.unwrap();
    for n in 30..35 {
        committed.push(
            sqlx::query_scalar(
                "INSERT INTO outbox_events (organization_id, event_name, event_type, data)
                 VALUES ($1, 'CUSTOMER_UPDATED', 'com.kaiten.customer.v1.updated', jsonb_build_object('n', $2::int)) RETURNING id",
            )
            .bind(db.org)
            .bind(n)
            .fetch_one(&mut *tx)
            .await
            .unwrap(),
        );
    }
    tx.commit().await.unwrap();

    eventually(20, "every sink to receive all events", || {
        collecting.ids().len() >= 35 && rabbit.lock().unwrap().len() >= 35 && nats.lock().unwrap().len() >= 35
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(collecting.ids(), committed, "in-process: once each, in commit order");
    assert_eq!(ids(&rabbit), committed, "RabbitMQ: once each, in commit order");
    assert_eq!(ids(&nats), committed, "NATS: once each, in commit order");
    let first = collecting.events.lock().unwrap()[0].clone();
    assert_eq!((first.event_name.as_str(), first.data["n"].as_i64()), ("CUSTOMER_CREATED", Some(0)));
    assert_eq!(metrics.published_total("rabbitmq"), 35);
    assert!(metrics.render().contains("kaiten_outbox_relay_leader 1"));
    relay.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broker_outage_holds_the_position_and_everything_arrives_when_it_is_back() {
    let db = db().await;
    let rabbit = brokers::rabbitmq(db.org).await;
    let gate = Gate::closed("127.0.0.1:5672").await;
    let collecting = Arc::new(Collecting::default());
    let metrics = Arc::new(Metrics::default());
    let url = format!("amqp://guest:guest@127.0.0.1:{}/%2f", gate.port);
    let relay =
        db.relay(Mode::Wal, vec![collecting.clone(), Arc::new(RabbitSink::new(url, false))], metrics.clone()).await;
    // Let the relay start and confirm its starting point.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    // The relay's own heartbeats may move the slot, but never past this point while the first
    // event written after it is undelivered.
    let boundary = db.wal_end().await;
    let mut committed = Vec::new();
    for n in 0..20 {
        committed.push(db.write(n).await);
    }
    eventually(10, "the in-process sink to get the first batch", || !collecting.ids().is_empty()).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(collecting.ids().len() < 20, "the relay does not run ahead of a sink that has not accepted");
    assert!(!db.confirmed_beyond(&boundary).await, "nothing is confirmed while a sink has not accepted");
    assert!(rabbit.lock().unwrap().is_empty());
    assert!(metrics.render().contains("kaiten_outbox_retried_total{sink=\"rabbitmq\"}"));

    gate.open().await;
    for n in 20..25 {
        committed.push(db.write(n).await);
    }
    eventually(20, "RabbitMQ to receive everything", || rabbit.lock().unwrap().len() >= 25).await;
    assert_eq!(distinct(&ids(&rabbit)), distinct(&committed));
    eventually(5, "the in-process sink to catch up", || distinct(&collecting.ids()) == distinct(&committed)).await;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert!(db.confirmed_beyond(&boundary).await, "confirmed once delivered");
    relay.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restarts_resume_from_the_slot_and_skip_nothing() {
    let db = db().await;
    let collecting = Arc::new(Collecting::default());
    let metrics = Arc::new(Metrics::default());
    // The slot exists before the first write, as when the server starts.
    kaiten_events::relay::prepare(&db.pool, Mode::Wal).await.unwrap();
    let writer = {
        let (pool, org) = (db.pool.clone(), db.org);
        tokio::spawn(async move {
            let mut ids = Vec::new();
            for n in 0..400 {
                let id: uuid::Uuid = sqlx::query_scalar(
                    "INSERT INTO outbox_events (organization_id, event_name, event_type, data)
                     VALUES ($1, 'CUSTOMER_CREATED', 'com.kaiten.customer.v1.created', jsonb_build_object('n', $2::int))
                     RETURNING id",
                )
                .bind(org)
                .bind(n)
                .fetch_one(&pool)
                .await
                .unwrap();
                ids.push(id);
                if n % 50 == 0 {
                    tokio::time::sleep(Duration::from_millis(40)).await;
                }
            }
            ids
        })
    };
    for _ in 0..5 {
        let relay = db.relay(Mode::Wal, vec![collecting.clone()], metrics.clone()).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        relay.abort();
        let _ = relay.await;
    }
    let committed = writer.await.unwrap();
    let relay = db.relay(Mode::Wal, vec![collecting.clone()], metrics.clone()).await;
    let settled = tokio::time::timeout(Duration::from_secs(20), async {
        while distinct(&collecting.ids()).len() < committed.len() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    let got = distinct(&collecting.ids());
    assert!(
        settled.is_ok(),
        "{} of {} committed events arrived; first missing: {:?}",
        got.len(),
        committed.len(),
        committed.iter().position(|id| !got.contains(id))
    );
    assert_eq!(distinct(&collecting.ids()), distinct(&committed), "nothing skipped, nothing invented");
    relay.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_relay_publishes_at_a_time_and_a_standby_takes_over() {
    let db = db().await;
    let (first, second) = (Arc::new(Collecting::default()), Arc::new(Collecting::default()));
    let (first_metrics, second_metrics) = (Arc::new(Metrics::default()), Arc::new(Metrics::default()));
    let a = db.relay(Mode::Wal, vec![first.clone()], first_metrics.clone()).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let b = db.relay(Mode::Wal, vec![second.clone()], second_metrics.clone()).await;
    let mut committed = Vec::new();
    for n in 0..10 {
        committed.push(db.write(n).await);
    }
    eventually(10, "the leader to publish", || first.ids().len() >= 10).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(second.ids().is_empty(), "the standby publishes nothing");
    assert!(second_metrics.render().contains("kaiten_outbox_relay_leader 0"));

    a.abort();
    let _ = a.await;
    for n in 10..20 {
        committed.push(db.write(n).await);
    }
    eventually(15, "the standby to take over", || distinct(&second.ids()).len() >= 10).await;
    let mut all = first.ids();
    all.extend(second.ids());
    assert_eq!(distinct(&all), distinct(&committed));
    assert!(second_metrics.render().contains("kaiten_outbox_relay_leader 1"));
    b.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malformed_row_is_quarantined_and_the_pipeline_goes_on() {
    for mode in [Mode::Wal, Mode::Poll] {
        let db = db().await;
        let collecting = Arc::new(Collecting::default());
        let metrics = Arc::new(Metrics::default());
        let relay = db.relay(mode, vec![collecting.clone()], metrics.clone()).await;
        let before = db.write(0).await;
        sqlx::query(
            "INSERT INTO outbox_events (organization_id, event_name, event_type, data)
             VALUES ($1, 'CUSTOMER_CREATED', 'com.kaiten.customer.v1.created', '[1, 2]')",
        )
        .bind(db.org)
        .execute(&db.pool)
        .await
        .unwrap();
        let after = db.write(2).await;
        eventually(15, "the events around the bad row", || collecting.ids().len() >= 2).await;
        assert_eq!(collecting.ids(), [before, after], "{mode:?}");
        let reason: String =
            sqlx::query_scalar("SELECT reason FROM outbox_quarantine").fetch_one(&db.pool).await.unwrap();
        assert_eq!(reason, "data is not a JSON object but an array");
        assert_eq!(metrics.quarantined_total(), 1);
        assert!(metrics.render().contains("kaiten_outbox_quarantined_total 1"));
        relay.abort();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_polling_relay_publishes_and_marks_rows() {
    let db = db().await;
    let nats = brokers::nats(db.org).await;
    let collecting = Arc::new(Collecting::default());
    let relay = db
        .relay(Mode::Poll, vec![collecting.clone(), Arc::new(NatsSink::new(NATS))], Arc::new(Metrics::default()))
        .await;
    let mut committed = Vec::new();
    for n in 0..15 {
        committed.push(db.write(n).await);
    }
    eventually(10, "NATS to receive the events", || nats.lock().unwrap().len() >= 15).await;
    assert_eq!(collecting.ids(), committed);
    assert_eq!(ids(&nats), committed);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let unpublished: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox_events WHERE published_at IS NULL")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(unpublished, 0);
    relay.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_quiet_outbox_does_not_hold_back_the_wal_of_busy_tables() {
    let db = db().await;
    let relay = db.relay(Mode::Wal, vec![Arc::new(Collecting::default())], Arc::new(Metrics::default())).await;
    sqlx::raw_sql("CREATE TABLE busy (n int); INSERT INTO busy SELECT generate_series(1, 50000)")
        .execute(&db.pool)
        .await
        .unwrap();
    let written = db.wal_end().await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        if db.confirmed_beyond(&written).await {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "the slot never moved past WAL that carried no event");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    relay.abort();
}
