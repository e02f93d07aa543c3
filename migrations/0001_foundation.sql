-- Organizations, users, memberships, tokens, customers and the transactional outbox.
-- Every tenant table carries organization_id with ON DELETE CASCADE so that deleting an
-- organization removes everything it owns in one statement.

CREATE TYPE user_type AS ENUM ('human', 'machine');
CREATE TYPE token_kind AS ENUM ('organization', 'platform');

CREATE TABLE organization (
    id          uuid PRIMARY KEY,
    external_id text NOT NULL UNIQUE,
    name        text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    external_id     text NOT NULL UNIQUE,
    email           text UNIQUE,
    name            text NOT NULL DEFAULT '',
    slug            text,
    type            user_type NOT NULL DEFAULT 'human',
    -- Set only for service accounts: it anchors the per-organization slug index and the cascade.
    organization_id uuid REFERENCES organization (id) ON DELETE CASCADE,
    created_at      timestamptz NOT NULL DEFAULT now(),
    created_by_id   uuid REFERENCES users (id) ON DELETE SET NULL,
    deleted_at      timestamptz,
    CONSTRAINT users_machine_shape CHECK (
        type = 'human'
        OR external_id = 'system:kaiten'
        OR (slug IS NOT NULL AND email IS NULL AND organization_id IS NOT NULL)
    )
);
CREATE UNIQUE INDEX users_machine_slug_per_org ON users (organization_id, slug) WHERE type = 'machine';
CREATE INDEX users_org_created ON users (organization_id, created_at DESC, id DESC) WHERE type = 'machine';

CREATE TABLE membership (
    organization_id uuid NOT NULL REFERENCES organization (id) ON DELETE CASCADE,
    user_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at      timestamptz NOT NULL DEFAULT now(),
    deleted_at      timestamptz,
    PRIMARY KEY (organization_id, user_id)
);

-- The platform identity. Its slug holds a colon, which no tenant slug may, so nothing collides.
INSERT INTO users (id, external_id, email, name, slug, type)
VALUES ('00000000-0000-0000-0000-000000000001', 'system:kaiten', 'system@kaiten.sh', 'Kaiten', 'system:kaiten', 'machine');

CREATE FUNCTION ensure_system_membership() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO membership (organization_id, user_id)
    SELECT NEW.id, u.id FROM users u WHERE u.external_id = 'system:kaiten'
    ON CONFLICT DO NOTHING;
    RETURN NEW;
END $$;
CREATE TRIGGER trg_organization_system_membership AFTER INSERT ON organization
    FOR EACH ROW EXECUTE FUNCTION ensure_system_membership();

CREATE FUNCTION protect_system_user() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.external_id = 'system:kaiten' AND NEW.deleted_at IS NOT NULL THEN
        RAISE EXCEPTION 'system:kaiten cannot be deleted' USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER trg_protect_system_user BEFORE UPDATE ON users
    FOR EACH ROW EXECUTE FUNCTION protect_system_user();

CREATE FUNCTION protect_system_membership() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.deleted_at IS NOT NULL AND OLD.user_id = '00000000-0000-0000-0000-000000000001' THEN
        RAISE EXCEPTION 'the system:kaiten membership cannot be deleted' USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER trg_protect_system_membership BEFORE UPDATE ON membership
    FOR EACH ROW EXECUTE FUNCTION protect_system_membership();

CREATE TABLE token (
    id                          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    kind                        token_kind NOT NULL,
    organization_id             uuid REFERENCES organization (id) ON DELETE CASCADE,
    user_id                     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name                        text NOT NULL,
    slug                        text NOT NULL,
    scopes                      text[] NOT NULL,
    -- SHA-256 of the whole plaintext; the plaintext itself is never stored.
    lookup_hash                 bytea NOT NULL,
    expires_at                  timestamptz,
    created_at                  timestamptz NOT NULL DEFAULT now(),
    created_by_id               uuid NOT NULL REFERENCES users (id),
    revoked_at                  timestamptz,
    revoked_by_id               uuid REFERENCES users (id) ON DELETE SET NULL,
    issued_by_platform_token_id uuid REFERENCES token (id) ON DELETE CASCADE,
    CONSTRAINT token_kind_matches_org CHECK ((kind = 'platform') = (organization_id IS NULL))
);
CREATE UNIQUE INDEX token_lookup_hash_key ON token (lookup_hash);
CREATE UNIQUE INDEX token_slug_per_owner ON token (organization_id, user_id, slug) NULLS NOT DISTINCT;
CREATE UNIQUE INDEX token_active_name_per_owner ON token (organization_id, user_id, name) NULLS NOT DISTINCT
    WHERE revoked_at IS NULL;
CREATE INDEX token_owner_created ON token (organization_id, user_id, created_at DESC, id DESC);
CREATE INDEX token_issued_by ON token (issued_by_platform_token_id) WHERE issued_by_platform_token_id IS NOT NULL;

CREATE TABLE customer (
    id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id      uuid NOT NULL REFERENCES organization (id) ON DELETE CASCADE,
    name                 text NOT NULL,
    slug                 text NOT NULL,
    domain               text,
    external_customer_id text,
    created_at           timestamptz NOT NULL DEFAULT now(),
    created_by_id        uuid NOT NULL REFERENCES users (id),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    updated_by_id        uuid NOT NULL REFERENCES users (id),
    CONSTRAINT customer_org_slug_key UNIQUE (organization_id, slug),
    CONSTRAINT customer_id_org_key UNIQUE (id, organization_id)
);
CREATE INDEX customer_org_created ON customer (organization_id, created_at DESC, id DESC);
CREATE INDEX customer_org_external_id ON customer (organization_id, external_customer_id)
    WHERE external_customer_id IS NOT NULL;

CREATE TABLE customer_integration (
    customer_id     uuid NOT NULL,
    organization_id uuid NOT NULL,
    adapter         text NOT NULL,
    external_id     text NOT NULL,
    metadata        jsonb NOT NULL DEFAULT '{}',
    synced_at       timestamptz NOT NULL DEFAULT now(),
    last_error      text,
    web_url         text,
    PRIMARY KEY (customer_id, adapter),
    CONSTRAINT customer_integration_customer_fkey FOREIGN KEY (customer_id, organization_id)
        REFERENCES customer (id, organization_id) ON DELETE CASCADE,
    CONSTRAINT customer_integration_external_key UNIQUE (organization_id, adapter, external_id)
);

CREATE TABLE outbox_events (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organization (id) ON DELETE CASCADE,
    event_name      text NOT NULL,
    event_type      text NOT NULL,
    occurred_at     timestamptz NOT NULL DEFAULT now(),
    data            jsonb NOT NULL,
    headers         jsonb
);
CREATE INDEX outbox_events_org_occurred ON outbox_events (organization_id, occurred_at);
