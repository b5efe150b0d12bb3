-- What the destination must hold, computed from the source (run against dromedary_bench_src), in the
-- destination's column types and order. ltv and sums go through float8 in the record store; numeric(12,2)
-- in the destination brings them back to two decimals.
SET work_mem = '256MB';
COPY (
    SELECT u.id, u.email, u.first_name, u.last_name, u.country, u.ltv::numeric(12, 2), u.created_at,
           coalesce(p.total, 0)::numeric(12, 2), coalesce(p.n, 0)::integer, p.mx::numeric(10, 2), p.last_item
      FROM users u
      LEFT JOIN (SELECT user_id, sum(amount) AS total, count(amount) AS n, max(amount) AS mx,
                        (array_agg(item ORDER BY purchased_at DESC NULLS LAST, id DESC))[1] AS last_item
                   FROM purchases GROUP BY user_id) p ON p.user_id = u.id
     ORDER BY u.id
) TO STDOUT;
