-- Dromedary's record store. Runs inside the schema named by dromedary.store.schema (Flyway sets search_path).

-- Every change to a record takes a new number, so exports find what changed since they last looked.
CREATE SEQUENCE record_seq;

CREATE TABLE records (
    model       text        NOT NULL,
    pk          text        NOT NULL,
    properties  jsonb       NOT NULL DEFAULT '{}'::jsonb,
    invalid     jsonb,                   -- property name -> why its value was refused
    seq         bigint      NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (model, pk)
);
CREATE INDEX records_model_seq ON records (model, seq);

-- High-water marks of incremental schedules; config_hash resets a cursor when its column or filters change.
CREATE TABLE cursors (
    source      text        PRIMARY KEY,
    config_hash text        NOT NULL,
    last_value  text,
    last_key    text,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- What was last written to each destination, per record: the base of change-only exports.
CREATE TABLE exports (
    destination text        NOT NULL,
    pk          text        NOT NULL,
    exported    jsonb       NOT NULL,
    exported_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (destination, pk)
);

-- How far each destination has looked through records.seq.
CREATE TABLE export_cursors (
    destination text        PRIMARY KEY,
    last_seq    bigint      NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- Records a destination refused, with the reason; retried by the next run.
CREATE TABLE export_errors (
    destination text        NOT NULL,
    pk          text        NOT NULL,
    reason      text        NOT NULL,
    failed_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (destination, pk)
);

-- Every run of an import schedule or an export, with its counts and outcome.
CREATE TABLE runs (
    id              bigserial   PRIMARY KEY,
    kind            text        NOT NULL CHECK (kind IN ('import', 'export')),
    name            text        NOT NULL,
    status          text        NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
    started_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    ended_at        timestamptz,
    rows_read       bigint      NOT NULL DEFAULT 0,
    records_created bigint      NOT NULL DEFAULT 0,
    records_updated bigint      NOT NULL DEFAULT 0,
    rows_rejected   bigint      NOT NULL DEFAULT 0,
    inserted        bigint      NOT NULL DEFAULT 0,
    updated         bigint      NOT NULL DEFAULT 0,
    deleted         bigint      NOT NULL DEFAULT 0,
    skipped         bigint      NOT NULL DEFAULT 0,
    failed          bigint      NOT NULL DEFAULT 0,
    error           text
);
CREATE INDEX runs_name_started ON runs (name, started_at DESC);
