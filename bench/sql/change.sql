-- The incremental step: 1% of users change (ltv and country, so some enter or leave both groups) and 0.1% new
-- users arrive with their five purchases each. One transaction, committed before the run starts.
BEGIN;
UPDATE users
   SET ltv = ltv + 1.50,
       country = CASE WHEN country = 'NZ' THEN 'FR' ELSE 'NZ' END,
       updated_at = now()
 WHERE id % 100 = 42;
SELECT bench.insert_users(:users + 1, :users + :users / 1000, now());
SELECT bench.insert_purchases(:users + 1, :users + :users / 1000, now());
COMMIT;
ANALYZE users;
ANALYZE purchases;
