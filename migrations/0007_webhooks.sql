-- Outgoing webhooks, delivered by the server itself: an organization's endpoints and their
-- signing keys, the messages fanned out to them, one delivery per (endpoint, message) kept
-- as a durable queue, and every attempt. Incoming webhooks: the message ids already applied.

CREATE TABLE webhook_endpoint (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organization (id) ON DELETE CASCADE,
    url             text NOT NULL CHECK (url <> ''),
    description     text NOT NULL DEFAULT '',
    -- CloudEvents types (the contract's webhooks keys); empty: every event.
    event_types     text[] NOT NULL DEFAULT '{}',
    disabled        boolean NOT NULL DEFAULT false,
    disabled_reason text,
    -- Since when every attempt failed; cleared by the first success. Drives auto-disabling.
    failing_since   timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT webhook_endpoint_id_org_key UNIQUE (id, organization_id)
);
CREATE INDEX webhook_endpoint_org_created ON webhook_endpoint (organization_id, created_at DESC, id DESC);
-- The fan-out looks up the enabled endpoints of each event's organization.
CREATE INDEX webhook_endpoint_fanout ON webhook_endpoint (organization_id) WHERE NOT disabled;

-- Sealed (XChaCha20-Poly1305 under the server key, the row id as associated data): the
-- server must read them back to sign. Every key not yet expired signs; a rotation gives the
-- old ones an expiry (the grace period) and adds a new one.
CREATE TABLE webhook_endpoint_key (
    id              uuid PRIMARY KEY,
    endpoint_id     uuid NOT NULL,
    organization_id uuid NOT NULL,
    sealed          bytea NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz,
    CONSTRAINT webhook_endpoint_key_endpoint_fkey FOREIGN KEY (endpoint_id, organization_id)
        REFERENCES webhook_endpoint (id, organization_id) ON DELETE CASCADE
);
CREATE INDEX webhook_endpoint_key_endpoint ON webhook_endpoint_key (endpoint_id, created_at);

-- One per event that at least one endpoint wanted; its body is the exact text signed, so a
-- resend months later carries the same bytes.
CREATE TABLE webhook_message (
    id              uuid PRIMARY KEY, -- the outbox event id: the svix-id / webhook-id
    organization_id uuid NOT NULL REFERENCES organization (id) ON DELETE CASCADE,
    event_name      text NOT NULL,
    event_type      text NOT NULL,
    body            text NOT NULL,
    committed_at    timestamptz NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT webhook_message_id_org_key UNIQUE (id, organization_id)
);
-- Retention deletes old messages (with their deliveries and attempts) in batches.
CREATE INDEX webhook_message_created ON webhook_message (created_at);

CREATE TABLE webhook_delivery (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL,
    endpoint_id     uuid NOT NULL,
    message_id      uuid NOT NULL,
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        integer NOT NULL DEFAULT 0,
    -- When a worker may take it next: due when pending and in the past. A worker that takes
    -- it moves this past its own deadline (a lease), so a crashed worker's delivery comes back.
    next_attempt_at timestamptz,
    last_status_code integer,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    delivered_at    timestamptz,
    -- The relay hands a batch to its sinks at least once: one delivery per endpoint and event.
    CONSTRAINT webhook_delivery_endpoint_message_key UNIQUE (endpoint_id, message_id),
    CONSTRAINT webhook_delivery_id_org_key UNIQUE (id, organization_id),
    CONSTRAINT webhook_delivery_endpoint_fkey FOREIGN KEY (endpoint_id, organization_id)
        REFERENCES webhook_endpoint (id, organization_id) ON DELETE CASCADE,
    CONSTRAINT webhook_delivery_message_fkey FOREIGN KEY (message_id, organization_id)
        REFERENCES webhook_message (id, organization_id) ON DELETE CASCADE
);
CREATE INDEX webhook_delivery_due ON webhook_delivery (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_delivery_endpoint_created ON webhook_delivery (endpoint_id, created_at DESC, id DESC);
CREATE INDEX webhook_delivery_message ON webhook_delivery (message_id);

CREATE TABLE webhook_attempt (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL,
    delivery_id     uuid NOT NULL,
    attempted_at    timestamptz NOT NULL,
    duration_ms     integer NOT NULL,
    -- The HTTP status, absent when no response came (refused, timed out, unreachable).
    status_code     integer,
    outcome         text NOT NULL CHECK (outcome IN ('delivered', 'failed')),
    error           text,
    -- The start of what the receiver answered (at most 1 KiB), for debugging.
    response        text,
    CONSTRAINT webhook_attempt_delivery_fkey FOREIGN KEY (delivery_id, organization_id)
        REFERENCES webhook_delivery (id, organization_id) ON DELETE CASCADE
);
CREATE INDEX webhook_attempt_delivery ON webhook_attempt (delivery_id, attempted_at, id);

-- Incoming webhooks already applied, by the sender's message id: a retried message is
-- acknowledged without being applied twice.
CREATE TABLE webhook_inbox (
    source      text NOT NULL,
    message_id  text NOT NULL,
    event_type  text NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source, message_id)
);
CREATE INDEX webhook_inbox_received ON webhook_inbox (received_at);
