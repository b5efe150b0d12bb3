-- A record whose primary row is gone is kept as a tombstone (deleted_at set, new seq) until every destination
-- of its model has exported the deletion; then it is removed for good.
ALTER TABLE records ADD COLUMN deleted_at timestamptz;

-- Changes a destination's sync mode refused (e.g. a delete in additive mode): not errors, but counted.
ALTER TABLE runs ADD COLUMN refused bigint NOT NULL DEFAULT 0;
