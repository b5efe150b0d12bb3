-- Benchmark source database (dromedary_bench_src): users and purchases, :users users, 5 purchases each.
-- Row generators live in schema "bench" so that the incremental step inserts rows of the same shape;
-- Dromedary's App works in schema "public" and never sees them.
CREATE SCHEMA bench;

CREATE TABLE users (
    id          bigint PRIMARY KEY,
    email       text NOT NULL,
    first_name  text,
    last_name   text,
    country     text,
    ltv         numeric(12, 2),
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);

CREATE TABLE purchases (
    id           bigint PRIMARY KEY,
    user_id      bigint NOT NULL,
    amount       numeric(10, 2) NOT NULL,
    item         text NOT NULL,
    purchased_at timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL
);

-- Users lo..hi. stamp null: a fixed past updated_at (the initial data); else that updated_at and created_at.
-- Some last names and countries are null; created_at has microseconds, so timestamps must survive exactly.
CREATE FUNCTION bench.insert_users(lo bigint, hi bigint, stamp timestamptz) RETURNS void LANGUAGE sql AS $$
    INSERT INTO users
    SELECT g,
           'user' || g || '@example.com',
           (ARRAY['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken'])[1 + g % 8],
           CASE WHEN g % 50 = 0 THEN NULL
                ELSE (ARRAY['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Knuth', 'Allen', 'Thompson'])[1 + (g / 8) % 8] END,
           CASE WHEN g % 97 = 0 THEN NULL ELSE (ARRAY['NZ', 'FR', 'DE', 'US', 'JP', 'BR', 'KE'])[1 + g % 7] END,
           round(((g * 7919) % 100000) / 100.0, 2),
           coalesce(stamp, timestamptz '2020-01-01 00:00:00+00' + g * interval '1 second' + (g % 997) * interval '1 microsecond'),
           coalesce(stamp, timestamptz '2024-06-01 00:00:00+00' + (g % 86400) * interval '1 second')
    FROM generate_series(lo, hi) AS g
$$;

-- Five purchases for each user lo..hi; purchased_at differs per purchase, so mostRecentValue has no ties.
CREATE FUNCTION bench.insert_purchases(lo bigint, hi bigint, stamp timestamptz) RETURNS void LANGUAGE sql AS $$
    INSERT INTO purchases
    SELECT (u - 1) * 5 + p,
           u,
           round(((u * 7 + p * 13) % 200)::numeric + 0.99, 2),
           (ARRAY['hat', 'scarf', 'boots', 'gloves', 'coat'])[p],
           timestamptz '2023-01-01 00:00:00+00' + u * interval '1 minute' + ((p * 7 + u) % 5) * interval '1 second',
           coalesce(stamp, timestamptz '2024-06-01 00:00:00+00' + ((u * 5 + p) % 86400) * interval '1 second')
    FROM generate_series(lo, hi) AS u, generate_series(1, 5) AS p
$$;

SELECT bench.insert_users(1, :users, NULL);
SELECT bench.insert_purchases(1, :users, NULL);
CREATE INDEX users_updated_at_id ON users (updated_at, id);
CREATE INDEX purchases_user_id ON purchases (user_id);
CREATE INDEX purchases_updated_at_id ON purchases (updated_at, id);
VACUUM ANALYZE users;
VACUUM ANALYZE purchases;
