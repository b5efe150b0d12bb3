-- The incremental step: 1% of users change (ltv and country, so some enter or leave both groups) and 0.1% new
-- users arrive with their five purchases each. One transaction, committed before the run starts.
-- Variables: k, the residue of id % 100 that changes (42 for row 3); first, the first new user's id; new, how many.
BEGIN;
UPDATE users
   SET ltv = ltv + 1.50,
       country = CASE WHEN country = 'NZ' THEN 'FR' ELSE 'NZ' END,
       updated_at = now()
 WHERE id % 100 = :k;
SELECT bench.insert_users(:first, :first + :new - 1, now());
SELECT bench.insert_purchases(:first, :first + :new - 1, now());
COMMIT;
ANALYZE users;
ANALYZE purchases;
