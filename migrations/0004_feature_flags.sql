-- Feature flags. The variant tables, targetings and default variant are kept as the JSON the
-- contract defines (validated before they are written); evaluation compiles them once per
-- organization and caches the result, invalidated by NOTIFY kaiten_flags_changed.
CREATE TABLE feature_flag (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organization (id) ON DELETE CASCADE,
    slug            text NOT NULL,
    name            text NOT NULL CHECK (name <> ''),
    description     text,
    type            text NOT NULL CHECK (type IN ('boolean', 'string', 'number', 'object')),
    variants        jsonb CHECK (variants IS NULL OR jsonb_typeof(variants) = 'array'),
    targetings      jsonb CHECK (targetings IS NULL OR jsonb_typeof(targetings) = 'array'),
    default_variant jsonb NOT NULL CHECK (jsonb_typeof(default_variant) = 'object'),
    metadata        jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),
    enabled         boolean NOT NULL,
    event_name      text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT feature_flag_org_slug_key UNIQUE (organization_id, slug)
);
CREATE INDEX feature_flag_org_created ON feature_flag (organization_id, created_at DESC, id DESC);

-- The targeting facts of a customer come from its oldest instance.
CREATE INDEX instance_customer_oldest ON instance (customer_id, created_at, id);
