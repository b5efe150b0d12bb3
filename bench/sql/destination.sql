-- Benchmark destination database (dromedary_bench_dst); Dromedary's record store goes here too (schema dromedary).
CREATE TABLE customers (
    id             bigint PRIMARY KEY,
    email          text,
    first_name     text,
    last_name      text,
    country        text,
    ltv            numeric(12, 2),
    signed_up      timestamptz,
    total_spent    numeric(12, 2),
    purchase_count integer,
    max_amount     numeric(10, 2),
    last_item      text
);
CREATE TABLE customer_groups (
    customer_id bigint NOT NULL,
    group_name  text NOT NULL
);
CREATE INDEX customer_groups_customer_id ON customer_groups (customer_id);
-- The COPY baseline's target: an empty copy of the destination table.
CREATE TABLE customers_copy (LIKE customers INCLUDING ALL);
