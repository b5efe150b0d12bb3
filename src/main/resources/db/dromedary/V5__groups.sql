-- Calculated groups: each record's memberships, recomputed in SQL when its properties change.
ALTER TABLE records ADD COLUMN groups text[] NOT NULL DEFAULT '{}';

-- How far group evaluation has looked through records.seq, per model; config_hash resets it when rules change.
CREATE TABLE group_cursors (
    model       text PRIMARY KEY,
    config_hash text NOT NULL,
    last_seq    bigint NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
