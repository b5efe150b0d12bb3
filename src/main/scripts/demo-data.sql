-- Sample CRM data for the demo: users (and purchases, used by later demos). Run against dromedary_demo_crm.
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
CREATE INDEX users_updated_at_id ON users (updated_at, id);

INSERT INTO users
SELECT g,
       'user' || g || '@example.com',
       (ARRAY['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken'])[1 + g % 8],
       (ARRAY['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Knuth', 'Allen', 'Thompson'])[1 + (g / 8) % 8],
       (ARRAY['NZ', 'FR', 'DE', 'US', 'JP', 'BR', 'KE'])[1 + g % 7],
       round((g % 1000) * 1.37, 2),
       timestamptz '2024-01-01 00:00:00+00' + g * interval '1 minute',
       timestamptz '2024-06-01 00:00:00+00' + (g % 500) * interval '1 second'
FROM generate_series(1, 10000) AS g;

CREATE TABLE purchases (
    id           bigserial PRIMARY KEY,
    user_id      bigint NOT NULL REFERENCES users (id),
    amount       numeric(10, 2) NOT NULL,
    item         text NOT NULL,
    purchased_at timestamptz NOT NULL
);
INSERT INTO purchases (user_id, amount, item, purchased_at)
SELECT u, round(((u * 7 + p * 13) % 200)::numeric + 0.99, 2),
       (ARRAY['hat', 'scarf', 'boots', 'gloves', 'coat'])[p],
       timestamptz '2024-02-01 00:00:00+00' + (u * 5 + p) * interval '1 minute'
FROM generate_series(1, 10000) AS u, generate_series(1, 5) AS p;
CREATE INDEX purchases_user_id ON purchases (user_id);
