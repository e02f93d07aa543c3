//! RabbitMQ: a durable topic exchange `kaiten.events`, routing key = event type, persistent
//! messages, `message_id` = event id, publisher confirms awaited before a batch counts as
//! accepted. The connection is made on first use and remade after any failure, so a broker
//! that is down at start or goes away only delays events.

use futures_util::future::{BoxFuture, try_join_all};
use lapin::options::{
    BasicPublishOptions, ConfirmSelectOptions, ExchangeDeclareOptions, QueueBindOptions, QueueDeclareOptions,
};
use lapin::types::{AMQPValue, FieldTable, LongString};
use lapin::{BasicProperties, Channel, Confirmation, Connection, ConnectionProperties, ExchangeKind};
use tokio::sync::Mutex;

use crate::event::OutboxEvent;
use crate::sink::Sink;

pub const EXCHANGE: &str = "kaiten.events";
/// Where messages no queue is bound for go (for an exchange this sink created).
pub const UNROUTED: &str = "kaiten.events.unrouted";

pub struct RabbitSink {
    url: String,
    /// Bodies as Debezium's outbox pipeline shaped them, for the original's consumers.
    debezium: bool,
    link: Mutex<Option<(Connection, Channel)>>,
}

impl RabbitSink {
    pub fn new(url: impl Into<String>, debezium: bool) -> Self {
        Self { url: url.into(), debezium, link: Mutex::new(None) }
    }

    async fn channel(&self) -> anyhow::Result<Channel> {
        let mut link = self.link.lock().await;
        if let Some((connection, channel)) = link.as_ref()
            && connection.status().connected()
            && channel.status().connected()
        {
            return Ok(channel.clone());
        }
        *link = None;
        let connection = Connection::connect(&self.url, ConnectionProperties::default()).await?;
        declare_topology(&connection).await?;
        let channel = connection.create_channel().await?;
        channel.confirm_select(ConfirmSelectOptions::default()).await?;
        *link = Some((connection, channel.clone()));
        Ok(channel)
    }

    async fn send(&self, events: &[OutboxEvent]) -> anyhow::Result<()> {
        let channel = self.channel().await?;
        let mut confirms = Vec::with_capacity(events.len());
        for event in events {
            let body = if self.debezium { event.debezium_body().into() } else { event.body() };
            let confirm = channel
                .basic_publish(
                    EXCHANGE.into(),
                    event.routing_key().into(),
                    BasicPublishOptions::default(),
                    &body,
                    properties(event),
                )
                .await?;
            confirms.push(confirm);
        }
        for confirmation in try_join_all(confirms).await? {
            if !matches!(confirmation, Confirmation::Ack(_)) {
                anyhow::bail!("the broker did not acknowledge a message: {confirmation:?}");
            }
        }
        Ok(())
    }
}

/// The exchange, unless it exists already (then it is used as configured). A new one gets an
/// alternate exchange, so a message no queue is bound for yet is kept in the durable queue
/// `kaiten.events.unrouted` instead of being dropped while the broker still confirms it.
pub async fn declare_topology(connection: &Connection) -> anyhow::Result<()> {
    let probe = connection.create_channel().await?;
    let passive = ExchangeDeclareOptions { passive: true, ..Default::default() };
    if probe.exchange_declare(EXCHANGE.into(), ExchangeKind::Topic, passive, FieldTable::default()).await.is_ok() {
        let _ = probe.close(200, "ok".into()).await;
        return Ok(());
    }
    // The failed passive declare closed the probe channel.
    let channel = connection.create_channel().await?;
    let durable = ExchangeDeclareOptions { durable: true, ..Default::default() };
    channel.exchange_declare(UNROUTED.into(), ExchangeKind::Fanout, durable, FieldTable::default()).await?;
    let queue = QueueDeclareOptions { durable: true, ..Default::default() };
    channel.queue_declare(UNROUTED.into(), queue, FieldTable::default()).await?;
    channel
        .queue_bind(UNROUTED.into(), UNROUTED.into(), "".into(), QueueBindOptions::default(), FieldTable::default())
        .await?;
    let mut arguments = FieldTable::default();
    arguments
        .insert("alternate-exchange".into(), AMQPValue::LongString(LongString::from(UNROUTED.as_bytes().to_vec())));
    channel.exchange_declare(EXCHANGE.into(), ExchangeKind::Topic, durable, arguments).await?;
    let _ = channel.close(200, "ok".into()).await;
    Ok(())
}

fn properties(event: &OutboxEvent) -> BasicProperties {
    let mut headers = FieldTable::default();
    let text = |s: String| AMQPValue::LongString(LongString::from(s.into_bytes()));
    headers.insert("event_name".into(), text(event.event_name.clone()));
    headers.insert("organization_id".into(), text(event.organization_id.to_string()));
    if let Some(instance) = event.instance_id {
        headers.insert("instance_id".into(), text(instance.to_string()));
    }
    BasicProperties::default()
        .with_delivery_mode(2)
        .with_content_type("application/json".into())
        .with_message_id(event.id.to_string().into())
        .with_type(event.event_type.clone().into())
        .with_timestamp(event.occurred_at.timestamp().max(0) as u64)
        .with_headers(headers)
}

impl Sink for RabbitSink {
    fn name(&self) -> &str {
        "rabbitmq"
    }

    fn publish<'a>(&'a self, events: &'a [OutboxEvent]) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            let result = self.send(events).await;
            if result.is_err() {
                // Whatever state the link is in, the next attempt starts a fresh one.
                *self.link.lock().await = None;
            }
            result
        })
    }
}
