-- Instances and usage metering: the instance's remaining columns, its integrations, the
-- usage ledger (one row per accepted report: the idempotency record and the audit of every
-- counted value), the effective-entitlement view and the audit-trail index on the outbox.

-- Deployment zones arrive with the releases issue, which adds the foreign key.
ALTER TABLE instance ADD COLUMN deployment_zone_id uuid;

CREATE TABLE instance_integration (
    instance_id     uuid NOT NULL,
    organization_id uuid NOT NULL REFERENCES organization (id) ON DELETE CASCADE,
    adapter         text NOT NULL,
    external_id     text NOT NULL,
    metadata        jsonb NOT NULL DEFAULT '{}',
    synced_at       timestamptz NOT NULL DEFAULT now(),
    last_error      text,
    web_url         text,
    PRIMARY KEY (instance_id, adapter),
    CONSTRAINT instance_integration_instance_fkey FOREIGN KEY (instance_id, organization_id)
        REFERENCES instance (id, organization_id) ON DELETE CASCADE,
    CONSTRAINT instance_integration_external_key UNIQUE (organization_id, adapter, external_id)
);

-- What an instance is granted, one row per granted entitlement. Version 1: the grants of the
-- instance's license version. Every reader of effective entitlements goes through it.
CREATE VIEW instance_effective_entitlement AS
SELECT i.organization_id, i.id AS instance_id, i.license_id, e.id AS entitlement_id, e.slug AS entitlement_slug,
       e.type AS entitlement_type, le.value, le.limit_cap_exceeded_overage_percent AS overage_percent,
       le.id AS license_entitlement_id
  FROM instance i
  JOIN license_entitlement le ON le.license_id = i.license_id AND le.organization_id = i.organization_id
  JOIN entitlement e ON e.id = le.entitlement_id AND e.organization_id = le.organization_id;

-- One row per accepted report. No foreign keys on the instance, entitlement and license: the
-- journal outlives them. `transaction_id` makes a retried report count once: reports of one
-- (instance, entitlement) are serialised, so looking the key up and writing it cannot race.
CREATE TABLE usage_ledger (
    organization_id    uuid NOT NULL REFERENCES organization (id) ON DELETE CASCADE,
    instance_id        uuid NOT NULL,
    entitlement_id     uuid NOT NULL,
    license_id         uuid NOT NULL,
    report_seq         bigint NOT NULL CHECK (report_seq >= 1),
    reported_at        timestamptz NOT NULL,
    window_start       timestamptz,
    window_end         timestamptz,
    behavior           text NOT NULL CHECK (behavior IN ('append', 'set')),
    aggregation_method aggregation_method,
    reported_value     double precision NOT NULL,
    value_before       double precision NOT NULL,
    value_after        double precision NOT NULL,
    event_count_after  bigint NOT NULL,
    limit_value        double precision,
    overage_percent    smallint,
    transaction_id     text CHECK (transaction_id ~ '^[A-Za-z0-9._:-]{1,128}$'),
    -- The 4 KiB limit is applied (to the report's JSON) before it gets here.
    properties         jsonb CHECK (properties IS NULL OR jsonb_typeof(properties) = 'object'),
    PRIMARY KEY (instance_id, entitlement_id, report_seq),
    CONSTRAINT usage_ledger_window_check CHECK (
        (window_start IS NULL) = (window_end IS NULL) AND (window_start IS NULL OR window_start < window_end))
);
CREATE INDEX usage_ledger_transaction ON usage_ledger (instance_id, entitlement_id, transaction_id, reported_at)
    WHERE transaction_id IS NOT NULL;

-- The audit trail of an instance is its events: the outbox keeps which instance each is about.
ALTER TABLE outbox_events ADD COLUMN instance_id uuid;
CREATE INDEX outbox_events_instance ON outbox_events (organization_id, instance_id, occurred_at DESC, seq DESC)
    WHERE instance_id IS NOT NULL;

-- The outbox is the hottest insert (every usage report writes an event): keep one index for the
-- relay, which reads in `seq` order, and one for audit trails. Nothing looks events up by their
-- random id or by organization and time alone, so those indexes go; `headers` is derived by the
-- relay from `instance_id` rather than written with every row.
ALTER TABLE outbox_events DROP CONSTRAINT outbox_events_pkey;
DROP INDEX outbox_events_seq;
ALTER TABLE outbox_events ADD PRIMARY KEY (seq);
DROP INDEX outbox_events_org_occurred;
