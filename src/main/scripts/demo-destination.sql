-- The demo's destination: a warehouse table for customers and one for their groups.
-- Run against dromedary_demo_warehouse; safe to run again.
CREATE TABLE IF NOT EXISTS customers (
    id          bigint PRIMARY KEY,
    email       text NOT NULL,
    first_name  text,
    last_name   text,
    country     text,
    ltv         numeric(12, 2),
    signed_up   timestamptz
);
ALTER TABLE customers ADD COLUMN IF NOT EXISTS total_spent numeric(12, 2);
ALTER TABLE customers ADD COLUMN IF NOT EXISTS purchase_count integer;
ALTER TABLE customers ADD COLUMN IF NOT EXISTS last_item text;

CREATE TABLE IF NOT EXISTS customer_groups (
    customer_id bigint NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    group_name  text NOT NULL,
    PRIMARY KEY (customer_id, group_name)
);
