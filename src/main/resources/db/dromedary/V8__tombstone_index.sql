-- Tombstones by model and seq: the purge after each run finds them without scanning every record of the store,
-- so its cost follows the deletions, not the store's size.
CREATE INDEX records_tombstones ON records (model, seq) WHERE deleted_at IS NOT NULL;
