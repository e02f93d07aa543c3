-- What runs where: components, immutable releases of them, deployment zones and the
-- append-only log of which release was put on which zone. Every reference carries the
-- organization, so a row can only ever point at its own tenant's rows.

CREATE TABLE component (
    id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id       uuid NOT NULL REFERENCES organization (id) ON DELETE CASCADE,
    -- The version this one was derived from. Deleting that version breaks the lineage here,
    -- not the component.
    previous_component_id uuid,
    name                  text NOT NULL CHECK (name <> ''),
    version               text NOT NULL CHECK (version <> ''),
    slug                  text NOT NULL,
    description           text,
    created_at            timestamptz NOT NULL DEFAULT now(),
    created_by_id         uuid NOT NULL REFERENCES users (id),
    CONSTRAINT component_org_slug_key UNIQUE (organization_id, slug),
    CONSTRAINT component_org_name_version_key UNIQUE (organization_id, name, version),
    CONSTRAINT component_id_org_key UNIQUE (id, organization_id),
    CONSTRAINT component_previous_fkey FOREIGN KEY (previous_component_id, organization_id)
        REFERENCES component (id, organization_id) ON DELETE SET NULL (previous_component_id)
);
CREATE INDEX component_org_created ON component (organization_id, created_at DESC, id DESC);

-- Immutable: no updated_* columns, the component list is fixed at creation.
CREATE TABLE release (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organization (id) ON DELETE CASCADE,
    version         text NOT NULL CHECK (version <> ''),
    slug            text NOT NULL,
    description     text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    created_by_id   uuid NOT NULL REFERENCES users (id),
    CONSTRAINT release_org_slug_key UNIQUE (organization_id, slug),
    CONSTRAINT release_org_version_key UNIQUE (organization_id, version),
    CONSTRAINT release_id_org_key UNIQUE (id, organization_id)
);
CREATE INDEX release_org_created ON release (organization_id, created_at DESC, id DESC);

-- The links go with their release; a linked component cannot be deleted. `position` keeps the
-- order the creator listed them in.
CREATE TABLE component_release (
    release_id      uuid NOT NULL,
    component_id    uuid NOT NULL,
    organization_id uuid NOT NULL,
    position        integer NOT NULL,
    PRIMARY KEY (release_id, component_id),
    CONSTRAINT component_release_release_fkey FOREIGN KEY (release_id, organization_id)
        REFERENCES release (id, organization_id) ON DELETE CASCADE,
    CONSTRAINT component_release_component_fkey FOREIGN KEY (component_id, organization_id)
        REFERENCES component (id, organization_id) ON DELETE RESTRICT
);
CREATE INDEX component_release_component ON component_release (component_id);

-- `release_id` is the release the zone runs now: the newest entry of its log, kept on the row
-- so reads need no log scan and so a release still running somewhere cannot be deleted (the
-- foreign key refuses it).
CREATE TABLE deployment_zone (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organization (id) ON DELETE CASCADE,
    name            text NOT NULL CHECK (name <> ''),
    slug            text NOT NULL,
    type            text NOT NULL,
    description     text NOT NULL,
    metadata        jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),
    release_id      uuid,
    created_at      timestamptz NOT NULL DEFAULT now(),
    created_by_id   uuid NOT NULL REFERENCES users (id),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    updated_by_id   uuid NOT NULL REFERENCES users (id),
    CONSTRAINT deployment_zone_org_slug_key UNIQUE (organization_id, slug),
    CONSTRAINT deployment_zone_id_org_key UNIQUE (id, organization_id),
    CONSTRAINT deployment_zone_release_fkey FOREIGN KEY (release_id, organization_id)
        REFERENCES release (id, organization_id) ON DELETE RESTRICT
);
CREATE INDEX deployment_zone_org_created ON deployment_zone (organization_id, created_at DESC, id DESC);
CREATE INDEX deployment_zone_release ON deployment_zone (release_id);

-- One row per deploy, rollbacks included. Rows are written under the zone's row lock, so
-- `seq` orders them as they happened (two transactions' `now()` need not).
CREATE TABLE deployment (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seq                bigint GENERATED ALWAYS AS IDENTITY,
    organization_id    uuid NOT NULL,
    deployment_zone_id uuid NOT NULL,
    release_id         uuid NOT NULL,
    created_at         timestamptz NOT NULL DEFAULT now(),
    created_by_id      uuid NOT NULL REFERENCES users (id),
    CONSTRAINT deployment_zone_fkey FOREIGN KEY (deployment_zone_id, organization_id)
        REFERENCES deployment_zone (id, organization_id) ON DELETE CASCADE,
    CONSTRAINT deployment_release_fkey FOREIGN KEY (release_id, organization_id)
        REFERENCES release (id, organization_id) ON DELETE CASCADE
);
CREATE INDEX deployment_zone_history ON deployment (organization_id, deployment_zone_id, seq DESC);
CREATE INDEX deployment_release_history ON deployment (organization_id, release_id, seq DESC);

-- Instances name the zone they run in; deleting the zone detaches them.
ALTER TABLE instance ADD CONSTRAINT instance_deployment_zone_fkey FOREIGN KEY (deployment_zone_id, organization_id)
    REFERENCES deployment_zone (id, organization_id) ON DELETE SET NULL (deployment_zone_id);
CREATE INDEX instance_deployment_zone ON instance (deployment_zone_id);
