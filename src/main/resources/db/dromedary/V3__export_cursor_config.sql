-- An export cursor is kept only while the destination's table, key and mappings stay the same.
ALTER TABLE export_cursors ADD COLUMN config_hash text;
