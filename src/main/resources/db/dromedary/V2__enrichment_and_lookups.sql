-- Records a primary source created and a secondary source has not yet looked at: the "properties" step of a
-- run computes their secondary properties, so a new record never waits for a change in the secondary table.
CREATE TABLE enrich_queue (
    source  text NOT NULL,
    model   text NOT NULL,
    pk      text NOT NULL,
    PRIMARY KEY (source, pk)
);

-- Last result of each App's refresh query: a change triggers the App's refresh-enabled schedules.
CREATE TABLE app_refresh (
    app         text PRIMARY KEY,
    last_value  text,
    checked_at  timestamptz NOT NULL DEFAULT now()
);
