//! Consumers on the machine's RabbitMQ and NATS JetStream, for tests of the event pipeline:
//! each collects the messages of one organization, in arrival order, from the moment it is
//! made.

use std::sync::{Arc, Mutex};

use futures_util::StreamExt;
use serde_json::Value;
use uuid::Uuid;

pub const RABBITMQ_URL: &str = "amqp://guest:guest@127.0.0.1:5672/%2f";
pub const NATS_URL: &str = "nats://127.0.0.1:4222";
use kaiten_events::rabbitmq::EXCHANGE;

/// One message as a consumer got it.
#[derive(Debug, Clone)]
pub struct Message {
    pub id: Uuid,
    pub body: Value,
    pub received_at: chrono::DateTime<chrono::Utc>,
}

/// The messages received so far, in arrival order.
pub type Received = Arc<Mutex<Vec<Message>>>;

/// An exclusive queue bound to every routing key of the exchange.
pub async fn rabbitmq(organization_id: Uuid) -> Received {
    use lapin::options::{BasicAckOptions, BasicConsumeOptions, QueueBindOptions, QueueDeclareOptions};
    use lapin::types::FieldTable;
    let connection = lapin::Connection::connect(RABBITMQ_URL, lapin::ConnectionProperties::default()).await.unwrap();
    kaiten_events::rabbitmq::declare_topology(&connection).await.unwrap();
    let channel = connection.create_channel().await.unwrap();
    let exclusive = QueueDeclareOptions { exclusive: true, auto_delete: true, ..Default::default() };
    let queue = channel.queue_declare("".into(), exclusive, FieldTable::default()).await.unwrap();
    channel
        .queue_bind(
            queue.name().clone(),
            EXCHANGE.into(),
            "#".into(),
            QueueBindOptions::default(),
            FieldTable::default(),
        )
        .await
        .unwrap();
    let mut consumer = channel
        .basic_consume(queue.name().clone(), "".into(), BasicConsumeOptions::default(), FieldTable::default())
        .await
        .unwrap();
    let received = Received::default();
    let sink = received.clone();
    tokio::spawn(async move {
        let _connection = connection;
        while let Some(Ok(delivery)) = consumer.next().await {
            let body: Value = serde_json::from_slice(&delivery.data).unwrap_or_default();
            let id = delivery.properties.message_id().as_ref().and_then(|m| m.as_str().parse::<Uuid>().ok());
            if body["organization_id"] == organization_id.to_string()
                && let Some(id) = id
            {
                sink.lock().unwrap().push(Message { id, body, received_at: chrono::Utc::now() });
            }
            let _ = delivery.ack(BasicAckOptions::default()).await;
        }
    });
    received
}

/// An ordered push consumer on the stream, delivering what arrives from now on.
pub async fn nats(organization_id: Uuid) -> Received {
    use async_nats::jetstream::{self, consumer};
    let js = jetstream::new(async_nats::connect(NATS_URL).await.unwrap());
    let stream = js.get_or_create_stream(kaiten_events::nats::stream_config()).await.unwrap();
    let consumer = stream
        .create_consumer(consumer::push::OrderedConfig {
            deliver_subject: format!("_test.{}", Uuid::new_v4().simple()),
            deliver_policy: consumer::DeliverPolicy::New,
            ..Default::default()
        })
        .await
        .unwrap();
    let mut messages = consumer.messages().await.unwrap();
    let received = Received::default();
    let sink = received.clone();
    tokio::spawn(async move {
        while let Some(Ok(message)) = messages.next().await {
            let headers = message.headers.clone().unwrap_or_default();
            let org = headers.get("Kaiten-Organization-Id").map(|v| v.as_str().to_owned());
            let id = headers.get("Nats-Msg-Id").and_then(|v| v.as_str().parse::<Uuid>().ok());
            if org.as_deref() == Some(organization_id.to_string().as_str())
                && let Some(id) = id
            {
                let body: Value = serde_json::from_slice(&message.payload).unwrap_or_default();
                sink.lock().unwrap().push(Message { id, body, received_at: chrono::Utc::now() });
            }
        }
    });
    received
}

/// The message ids received so far.
pub fn ids(received: &Received) -> Vec<Uuid> {
    received.lock().unwrap().iter().map(|m| m.id).collect()
}
