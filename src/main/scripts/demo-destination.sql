-- The demo's destination: a warehouse table for customers. Run against dromedary_demo_warehouse.
CREATE TABLE customers (
    id          bigint PRIMARY KEY,
    email       text NOT NULL,
    first_name  text,
    last_name   text,
    country     text,
    ltv         numeric(12, 2),
    signed_up   timestamptz
);
