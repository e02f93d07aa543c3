-- The catalog: entitlements and their groups, license families and their versions, grants.
-- Also the instance and its usage counters, because the catalog's rules reach them: an
-- archived version cannot be assigned, a license in use cannot be deleted, group usage reads
-- the counters. The instance API arrives with the instances issue.

CREATE TYPE license_type AS ENUM ('DEVELOPMENT', 'TRIAL', 'PAID', 'COMMUNITY');
CREATE TYPE license_lifecycle_state AS ENUM ('DRAFT', 'PUBLISHED', 'ARCHIVED');
CREATE TYPE entitlement_type AS ENUM ('BOOLEAN', 'NUMBER', 'CONFIG', 'NUMBER_AI_CREDIT');
CREATE TYPE aggregation_method AS ENUM ('SUM', 'COUNT', 'AVERAGE', 'MAX', 'MIN', 'LATEST');
CREATE TYPE entitlement_reset_period AS ENUM ('HOUR', 'DAY', 'WEEK', 'MONTH', 'YEAR');
CREATE TYPE entitlement_reset_anchor AS ENUM ('CALENDAR', 'LICENSE_START');
CREATE TYPE instance_status AS ENUM ('HEALTHY', 'DEGRADED', 'INCIDENT', 'MAINTENANCE');

CREATE TABLE entitlement (
    id                        uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id           uuid NOT NULL REFERENCES organization (id) ON DELETE CASCADE,
    name                      text NOT NULL,
    slug                      text NOT NULL,
    description               text,
    type                      entitlement_type NOT NULL,
    aggregation_method        aggregation_method,
    icon                      text,
    unit_singular             text,
    unit_plural               text,
    sale_unit_singular        text,
    sale_unit_plural          text,
    sale_unit_factor          double precision,
    user_facing               boolean NOT NULL DEFAULT false,
    display_order             integer NOT NULL DEFAULT 0 CHECK (display_order >= 0),
    warning_threshold_percent smallint NOT NULL DEFAULT 0 CHECK (warning_threshold_percent BETWEEN 0 AND 100),
    reset_period              entitlement_reset_period,
    reset_anchor              entitlement_reset_anchor,
    created_at                timestamptz NOT NULL DEFAULT now(),
    updated_at                timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT entitlement_org_slug_key UNIQUE (organization_id, slug),
    CONSTRAINT entitlement_id_org_key UNIQUE (id, organization_id),
    CONSTRAINT entitlement_aggregation_check CHECK (
        (type IN ('NUMBER', 'NUMBER_AI_CREDIT')) = (aggregation_method IS NOT NULL)),
    CONSTRAINT entitlement_units_check CHECK (
        (unit_singular IS NULL) = (unit_plural IS NULL)
        AND (unit_singular IS NULL OR type IN ('NUMBER', 'NUMBER_AI_CREDIT'))),
    CONSTRAINT entitlement_sale_units_check CHECK (
        (sale_unit_singular IS NULL) = (sale_unit_plural IS NULL)
        AND (sale_unit_singular IS NULL) = (sale_unit_factor IS NULL)
        AND (sale_unit_singular IS NULL OR unit_singular IS NOT NULL)
        AND (sale_unit_factor IS NULL OR sale_unit_factor > 0)),
    CONSTRAINT entitlement_reset_check CHECK (
        (reset_period IS NULL) = (reset_anchor IS NULL)
        AND (reset_period IS NULL OR (type IN ('NUMBER', 'NUMBER_AI_CREDIT') AND aggregation_method <> 'LATEST')))
);
CREATE INDEX entitlement_org_created ON entitlement (organization_id, created_at DESC, id DESC);

CREATE TABLE entitlement_group (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organization (id) ON DELETE CASCADE,
    name            text NOT NULL,
    slug            text NOT NULL,
    description     text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT entitlement_group_org_slug_key UNIQUE (organization_id, slug),
    CONSTRAINT entitlement_group_id_org_key UNIQUE (id, organization_id)
);
CREATE INDEX entitlement_group_org_created ON entitlement_group (organization_id, created_at DESC, id DESC);

CREATE TABLE entitlement_group_membership (
    group_id        uuid NOT NULL,
    entitlement_id  uuid NOT NULL,
    organization_id uuid NOT NULL REFERENCES organization (id) ON DELETE CASCADE,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (group_id, entitlement_id),
    CONSTRAINT entitlement_group_membership_group_fkey FOREIGN KEY (group_id, organization_id)
        REFERENCES entitlement_group (id, organization_id) ON DELETE CASCADE,
    CONSTRAINT entitlement_group_membership_entitlement_fkey FOREIGN KEY (entitlement_id, organization_id)
        REFERENCES entitlement (id, organization_id) ON DELETE CASCADE
);
CREATE INDEX entitlement_group_membership_entitlement ON entitlement_group_membership (entitlement_id);

-- Identity of a product; its display name lives on its versions. `last_version` only grows,
-- so a deleted version's number is never handed out again.
CREATE TABLE license_family (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organization (id) ON DELETE CASCADE,
    slug            text NOT NULL,
    last_version    integer NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT license_family_org_slug_key UNIQUE (organization_id, slug),
    CONSTRAINT license_family_id_org_key UNIQUE (id, organization_id)
);
CREATE INDEX license_family_org_created ON license_family (organization_id, created_at DESC, id DESC);

-- One row per version of a product.
CREATE TABLE license (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organization (id) ON DELETE CASCADE,
    family_id       uuid NOT NULL,
    name            text NOT NULL,
    slug            text NOT NULL,
    description     text NOT NULL,
    type            license_type NOT NULL,
    version         integer NOT NULL CHECK (version >= 1),
    version_name    text NOT NULL,
    is_default      boolean NOT NULL DEFAULT false,
    lifecycle_state license_lifecycle_state NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT license_org_slug_key UNIQUE (organization_id, slug),
    CONSTRAINT license_id_org_key UNIQUE (id, organization_id),
    CONSTRAINT license_family_id_version_key UNIQUE (family_id, version),
    CONSTRAINT license_default_must_be_published_check CHECK (NOT is_default OR lifecycle_state = 'PUBLISHED'),
    CONSTRAINT license_family_id_fkey FOREIGN KEY (family_id, organization_id)
        REFERENCES license_family (id, organization_id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX license_family_id_is_default_key ON license (family_id) WHERE is_default;
CREATE INDEX license_org_created ON license (organization_id, created_at DESC, id DESC);

-- References that must not dangle are NO ACTION, checked when the statement ends, so the
-- cascade of an organization delete (which reaches every tenant table directly) removes
-- referencing and referenced rows together. The use cases refuse such deletes themselves,
-- under a lock, with a clear problem (`*.InUseConflict`).

-- A grant: the value of one entitlement under one license version.
CREATE TABLE license_entitlement (
    id                                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id                    uuid NOT NULL REFERENCES organization (id) ON DELETE CASCADE,
    license_id                         uuid NOT NULL,
    entitlement_id                     uuid NOT NULL,
    value                              jsonb NOT NULL,
    limit_cap_exceeded_overage_percent smallint,
    created_at                         timestamptz NOT NULL DEFAULT now(),
    created_by_id                      uuid NOT NULL REFERENCES users (id),
    updated_at                         timestamptz NOT NULL DEFAULT now(),
    updated_by_id                      uuid NOT NULL REFERENCES users (id),
    CONSTRAINT license_entitlement_license_entitlement_key UNIQUE (license_id, entitlement_id),
    CONSTRAINT license_entitlement_license_fkey FOREIGN KEY (license_id, organization_id)
        REFERENCES license (id, organization_id),
    CONSTRAINT license_entitlement_entitlement_fkey FOREIGN KEY (entitlement_id, organization_id)
        REFERENCES entitlement (id, organization_id),
    -- `IS TRUE` and the CASE keep NULLs (a missing key) and non-numbers from slipping through
    -- or turning into cast errors: a bad row is a check violation, nothing else.
    CONSTRAINT license_entitlement_value_check CHECK ((
        jsonb_typeof(value) = 'object' AND (
            (value ->> 'type' = 'number' AND jsonb_typeof(value -> 'value') = 'number')
            OR (value ->> 'type' = 'boolean' AND jsonb_typeof(value -> 'value') = 'boolean')
            OR (value ->> 'type' = 'object' AND jsonb_typeof(value -> 'value') = 'object'))) IS TRUE),
    CONSTRAINT license_entitlement_overage_check CHECK ((
        (limit_cap_exceeded_overage_percent IS NOT NULL) = (value ->> 'type' = 'number')
        AND (value ->> 'type' <> 'number'
             OR (CASE WHEN jsonb_typeof(value -> 'value') = 'number' THEN (value -> 'value')::numeric END = -1)
                = (limit_cap_exceeded_overage_percent = -1))
        AND (limit_cap_exceeded_overage_percent IS NULL OR limit_cap_exceeded_overage_percent >= -1)) IS TRUE)
);
CREATE INDEX license_entitlement_entitlement ON license_entitlement (entitlement_id);
CREATE INDEX license_entitlement_license_created ON license_entitlement (license_id, created_at DESC, id DESC);

-- A deployment of the vendor's product for a customer, under one license version.
CREATE TABLE instance (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id    uuid NOT NULL REFERENCES organization (id) ON DELETE CASCADE,
    name               text NOT NULL,
    slug               text NOT NULL,
    description        text NOT NULL DEFAULT '',
    customer_id        uuid NOT NULL,
    license_id         uuid NOT NULL,
    start_license_date timestamptz NOT NULL DEFAULT now(),
    end_license_date   timestamptz NOT NULL DEFAULT now() + interval '1 year',
    metadata           jsonb NOT NULL DEFAULT '{}',
    status             instance_status NOT NULL DEFAULT 'HEALTHY',
    lifecycle_stage    text,
    created_at         timestamptz NOT NULL DEFAULT now(),
    created_by_id      uuid NOT NULL REFERENCES users (id),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    updated_by_id      uuid NOT NULL REFERENCES users (id),
    CONSTRAINT instance_org_slug_key UNIQUE (organization_id, slug),
    CONSTRAINT instance_id_org_key UNIQUE (id, organization_id),
    CONSTRAINT instance_customer_id_fkey FOREIGN KEY (customer_id, organization_id)
        REFERENCES customer (id, organization_id) ON DELETE CASCADE,
    CONSTRAINT instance_license_id_fkey FOREIGN KEY (license_id, organization_id)
        REFERENCES license (id, organization_id)
);
CREATE INDEX instance_org_created ON instance (organization_id, created_at DESC, id DESC);
CREATE INDEX instance_license ON instance (license_id);
CREATE INDEX instance_customer ON instance (customer_id);

-- An archived version is off sale: no instance may be put on it, whatever writes the row.
-- Instances already on it keep it. FOR SHARE holds the version still until commit, so an
-- archive racing an assignment cannot both succeed.
CREATE FUNCTION instance_license_not_archived() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    state license_lifecycle_state;
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.license_id IS NOT DISTINCT FROM OLD.license_id THEN
        RETURN NEW;
    END IF;
    SELECT lifecycle_state INTO state FROM license
     WHERE id = NEW.license_id AND organization_id = NEW.organization_id FOR SHARE;
    IF state = 'ARCHIVED' THEN
        RAISE EXCEPTION 'license % is archived', NEW.license_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'instance_license_not_archived';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER instance_license_not_archived_trigger BEFORE INSERT OR UPDATE OF license_id ON instance
    FOR EACH ROW EXECUTE FUNCTION instance_license_not_archived();

-- The running counter of one numeric entitlement on one instance, in its current window
-- (`period_start` NULL for a lifetime counter). `report_seq` counts accepted reports.
CREATE TABLE entitlement_usage (
    instance_id     uuid NOT NULL,
    entitlement_id  uuid NOT NULL,
    organization_id uuid NOT NULL REFERENCES organization (id) ON DELETE CASCADE,
    value           jsonb NOT NULL,
    period_start    timestamptz,
    report_seq      bigint NOT NULL DEFAULT 0 CHECK (report_seq >= 0),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (entitlement_id, instance_id),
    CONSTRAINT entitlement_usage_instance_fkey FOREIGN KEY (instance_id, organization_id)
        REFERENCES instance (id, organization_id) ON DELETE CASCADE,
    CONSTRAINT entitlement_usage_entitlement_fkey FOREIGN KEY (entitlement_id, organization_id)
        REFERENCES entitlement (id, organization_id)
);
CREATE INDEX entitlement_usage_instance ON entitlement_usage (instance_id);

-- Events of one transaction share `now()`, and ids are random: `seq` keeps the order in which
-- they were written, which consumers (and the audit trail) rely on.
ALTER TABLE outbox_events ADD COLUMN seq bigint GENERATED ALWAYS AS IDENTITY;
ALTER TABLE outbox_events ALTER COLUMN occurred_at SET DEFAULT clock_timestamp();
CREATE INDEX outbox_events_seq ON outbox_events (seq);
