-- no-transaction
-- The organization-wide audit trail (GraphQL `organizationAuditTrails`) reads an
-- organization's events newest first. Without this index every call scanned and sorted the
-- whole outbox, every tenant's rows included. It costs one more index entry per event (the
-- outbox is the hottest insert; 0003 dropped the older (organization_id, occurred_at) index
-- for that reason) — the price of a bounded read. Built concurrently: the outbox takes writes
-- from every API call, and a plain build would hold them for its whole duration.
CREATE INDEX CONCURRENTLY IF NOT EXISTS outbox_events_org_trail ON outbox_events (organization_id, occurred_at DESC, seq DESC);
