-- The event pipeline. The WAL relay needs nothing here but the publication, which it creates
-- (with its slot) when it starts, so a database without wal_level=logical can still migrate.

-- The polling relay's work list: rows it has not published yet. The WAL relay never sets
-- `published_at`; its position is the replication slot.
ALTER TABLE outbox_events ADD COLUMN published_at timestamptz;
-- What exists before the pipeline does is history, not a backlog: a first start in polling mode
-- must not send it all.
UPDATE outbox_events SET published_at = occurred_at;
CREATE INDEX outbox_events_unpublished ON outbox_events (seq) WHERE published_at IS NULL;

-- What each sink last accepted, for `kaiten outbox status` and the lag gauges. One row per
-- sink, updated once per published batch.
CREATE TABLE outbox_sink_progress (
    sink            text PRIMARY KEY,
    last_seq        bigint NOT NULL,
    last_event_id   uuid NOT NULL,
    published_at    timestamptz NOT NULL DEFAULT now(),
    published_total bigint NOT NULL DEFAULT 0
);

-- Rows the relay could not turn into an event (a payload that is not a JSON object, a blank
-- name or type): kept here with the reason instead of stalling the pipeline.
CREATE TABLE outbox_quarantine (
    seq            bigint PRIMARY KEY,
    raw            jsonb NOT NULL,
    reason         text NOT NULL,
    quarantined_at timestamptz NOT NULL DEFAULT now()
);
