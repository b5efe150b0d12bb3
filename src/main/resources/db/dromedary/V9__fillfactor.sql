-- Room on each page for the next version of its rows. An update of an exports row then stays on its page without
-- a new index entry (HOT), and a record's new version (never HOT: seq is indexed) lands next to the old one
-- instead of on a page of its own. Pages written from now on keep a fifth free; existing pages are not rewritten.
ALTER TABLE records SET (fillfactor = 80);
ALTER TABLE exports SET (fillfactor = 80);
