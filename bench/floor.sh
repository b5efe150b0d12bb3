#!/usr/bin/env bash
# The floor under the benchmark (issue 8): the work a sync must get PostgreSQL to do, done by psql alone in one
# set-based statement per step, with the CPU each step costs. From the repository root, after bench/run.sh has
# built dromedary_bench_src at the size wanted:
#
#   bash bench/floor.sh            # uses dromedary_bench_src as bench/run.sh left it
#   bash bench/floor.sh --k 12     # the 1% steps change the users with id % 100 = 12 (default 12)
#
# It recreates dromedary_bench_floor (the destination tables of bench/sql/destination.sql and two record stores:
# `records` with jsonb properties as the store's migrations leave it, and `typed` with a column per property) and
# prints one table: per step its wall time and the machine's busy CPU-seconds (from /proc/stat: user, nice,
# system, irq and softirq of every process, PostgreSQL's background writers included). The sums say how short a
# sync could be on this machine's cores if every core were busy with nothing but these statements:
#   initial: read and aggregate the source, stage it, insert the store, read it out into the destination by COPY,
#            write the group rows, and the exports rows (their hashes computed beforehand: Dromedary computes them
#            in Java) — once with the jsonb store and once with the typed one;
#   1%:      after a CHECKPOINT, for the users with id % 100 = k: read them and their purchases' aggregates, update
#            the store, the destination, its group rows and the exports rows.
# Nothing here is Dromedary's code, and no JVM runs: the gap between these floors and bench/run.sh's rows is
# the work Dromedary adds (paging, the JVM, bookkeeping). See docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/.."
K=12
while [ $# -gt 0 ]; do
  case "$1" in
    --k) K=$2; shift 2 ;;
    -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1 (see bash bench/floor.sh --help)" >&2; exit 2 ;;
  esac
done
case "$K" in ''|*[!0-9]*) echo "--k needs a whole number from 0 to 99, got '$K'" >&2; exit 2 ;; esac
[ "$K" -le 99 ] || { echo "--k needs a whole number from 0 to 99, got '$K'" >&2; exit 2; }

SRC_DB=dromedary_bench_src
DB=dromedary_bench_floor
export PGTZ=UTC PGOPTIONS='-c client_min_messages=warning -c jit=off' PGHOST=127.0.0.1 PGPORT=5432 PGUSER=postgres
PSQL=(psql -X -q -v ON_ERROR_STOP=1)
HZ=$(getconf CLK_TCK)
CORES=$(nproc)
ROWS=()

bash src/main/scripts/ensure-postgres.sh
if [ "$("${PSQL[@]}" -d postgres -tAc "SELECT count(*) FROM pg_database WHERE datname = '$SRC_DB'")" != 1 ]; then
  echo "bench/floor.sh: $SRC_DB does not exist; run bash bench/run.sh (with the --users wanted) first" >&2
  exit 1
fi
USERS=$("${PSQL[@]}" -d "$SRC_DB" -tAc "SELECT count(*) FROM users")
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

busy() { awk '/^cpu /{ print $2 + $3 + $4 + $7 + $8 }' /proc/stat; }
# step GROUP LABEL COMMAND: runs COMMAND after a CHECKPOINT (unless GROUP is "1%", whose steps follow one
# CHECKPOINT together, as a sync's statements do) and records its wall time and busy CPU-seconds.
step() {
  local group=$1 label=$2 cmd=$3 b0 b1 t0 t1
  [ "$group" = "1%" ] || "${PSQL[@]}" -d "$DB" -c CHECKPOINT
  b0=$(busy); t0=$(date +%s.%N)
  bash -c "set -o pipefail; $cmd"
  t1=$(date +%s.%N); b1=$(busy)
  ROWS+=("$group"$'\t'"$label"$'\t'"$(awk "BEGIN { printf \"%.2f\t%.2f\", $t1 - $t0, ($b1 - $b0) / $HZ }")")
}
src_sql() { printf '%q ' "${PSQL[@]}" -d "$SRC_DB" -c "$1"; }
db_sql() { printf '%q ' "${PSQL[@]}" -d "$DB" -c "$1"; }

"${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
"${PSQL[@]}" -d "$DB" -f bench/sql/destination.sql
"${PSQL[@]}" -d "$DB" <<'SQL'
-- The store as the migrations leave it (V1–V12), and the same with a typed column per property.
CREATE SEQUENCE record_seq;
CREATE TABLE records (model text NOT NULL, pk text NOT NULL, properties jsonb NOT NULL DEFAULT '{}'::jsonb,
    invalid jsonb, seq bigint NOT NULL, created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(), deleted_at timestamptz, groups text[] NOT NULL DEFAULT '{}',
    created_seq bigint, PRIMARY KEY (model, pk)) WITH (fillfactor = 80);
CREATE INDEX records_model_seq ON records (model, seq);
CREATE INDEX records_tombstones ON records (model, seq) WHERE deleted_at IS NOT NULL;
CREATE TABLE typed (model text NOT NULL, pk text NOT NULL, email text, first_name text, last_name text,
    country text, ltv float8, created_at_value timestamptz, total_spent float8, purchase_count bigint,
    max_amount float8, last_item text, invalid jsonb, seq bigint NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz, groups text[] NOT NULL DEFAULT '{}', created_seq bigint,
    PRIMARY KEY (model, pk)) WITH (fillfactor = 80);
CREATE INDEX typed_model_seq ON typed (model, seq);
CREATE INDEX typed_tombstones ON typed (model, seq) WHERE deleted_at IS NOT NULL;
CREATE TABLE exports (destination text NOT NULL, pk text NOT NULL, exported jsonb,
    exported_at timestamptz NOT NULL DEFAULT now(), exported_key text, values_hash uuid, groups text[],
    PRIMARY KEY (destination, pk)) WITH (fillfactor = 80);
CREATE UNLOGGED TABLE stage (pk text, email text, first_name text, last_name text, country text, ltv text,
    created_at text, total_spent text, purchase_count text, max_amount text, last_item text);
SQL

READ="SELECT u.id, u.email, u.first_name, u.last_name, u.country, u.ltv, u.created_at, a.s, a.c, a.m, a.r
      FROM users u LEFT JOIN (SELECT user_id, sum(amount) AS s, count(*) AS c, max(amount) AS m,
        (array_agg(item ORDER BY purchased_at DESC))[1] AS r FROM purchases GROUP BY user_id) a ON a.user_id = u.id"
GROUPS_OF="array_remove(ARRAY[CASE WHEN ltv::numeric >= 500 THEN 'highValue' END, CASE WHEN country = 'NZ' THEN 'kiwis' END], NULL)"
JSON="jsonb_build_object('userId', pk, 'email', email, 'firstName', first_name, 'lastName', last_name,
      'country', country, 'ltv', ltv::float8, 'createdAt', created_at::timestamptz, 'totalSpent', total_spent::float8,
      'purchaseCount', purchase_count::bigint, 'maxAmount', max_amount::float8, 'lastItem', last_item)"
OUT_COLUMNS="id, email, first_name, last_name, country, ltv, signed_up, total_spent, purchase_count, max_amount, last_item"
GROUP_NAMES="CASE g WHEN 'highValue' THEN 'High value' ELSE 'New Zealand' END"

step copy "COPY pipe baseline (users into an empty copy of customers)" \
  "$(src_sql 'COPY (SELECT id, email, first_name, last_name, country, ltv, created_at FROM users) TO STDOUT') | $(db_sql 'COPY customers_copy (id, email, first_name, last_name, country, ltv, signed_up) FROM STDIN')"
step both "read users with their purchases aggregated (one GROUP BY)" "$(src_sql "COPY ($READ) TO STDOUT") > $WORK/source.tsv"
step both "stage them (COPY into an unlogged table)" "$(db_sql 'COPY stage FROM STDIN') < $WORK/source.tsv"
step jsonb "insert the store: one jsonb row per record" \
  "$(db_sql "INSERT INTO records (model, pk, properties, seq, created_seq, groups)
             SELECT 'users', pk, $JSON, n, n, $GROUPS_OF FROM (SELECT s.*, nextval('record_seq') AS n FROM stage s) s")"
step typed "insert the store: a typed column per property" \
  "$(db_sql "INSERT INTO typed (model, pk, email, first_name, last_name, country, ltv, created_at_value, total_spent,
               purchase_count, max_amount, last_item, seq, created_seq, groups)
             SELECT 'users', pk, email, first_name, last_name, country, ltv::float8, created_at::timestamptz,
               total_spent::float8, purchase_count::bigint, max_amount::float8, last_item, n, n, $GROUPS_OF
             FROM (SELECT s.*, nextval('record_seq') AS n FROM stage s) s")"
step jsonb "read the jsonb store into the destination (COPY out, COPY in)" \
  "$(db_sql "COPY (SELECT pk::bigint, p->>'email', p->>'firstName', p->>'lastName', p->>'country', p->>'ltv',
               p->>'createdAt', p->>'totalSpent', p->>'purchaseCount', p->>'maxAmount', p->>'lastItem'
             FROM (SELECT pk, properties AS p FROM records) r) TO STDOUT") | $(db_sql "COPY customers ($OUT_COLUMNS) FROM STDIN")"
"${PSQL[@]}" -d "$DB" -c "TRUNCATE customers"
step typed "read the typed store into the destination (COPY out, COPY in)" \
  "$(db_sql "COPY (SELECT pk::bigint, email, first_name, last_name, country, ltv, created_at_value, total_spent,
               purchase_count, max_amount, last_item FROM typed) TO STDOUT") | $(db_sql "COPY customers ($OUT_COLUMNS) FROM STDIN")"
step both "group rows (COPY out, COPY in)" \
  "$(db_sql "COPY (SELECT pk::bigint, $GROUP_NAMES FROM records, unnest(groups) g) TO STDOUT") | $(db_sql 'COPY customer_groups FROM STDIN')"
"${PSQL[@]}" -d "$DB" -c "COPY (SELECT 'bench-customers', pk, pk, md5(r::text)::uuid, groups FROM records r) TO STDOUT" > "$WORK/exports.tsv"
step both "exports rows (COPY in; hashes computed beforehand)" \
  "$(db_sql 'COPY exports (destination, pk, exported_key, values_hash, groups) FROM STDIN') < $WORK/exports.tsv"

# Every step must have done all its work, or its time says nothing.
counts=$("${PSQL[@]}" -d "$DB" -tAc "SELECT (SELECT count(*) FROM records), (SELECT count(*) FROM typed),
  (SELECT count(*) FROM customers), (SELECT count(*) FROM exports), (SELECT count(*) FROM customers_copy)")
if [ "$counts" != "$USERS|$USERS|$USERS|$USERS|$USERS" ]; then
  echo "bench/floor.sh: FAILED: records, typed, customers, exports and customers_copy hold $counts rows, not $USERS each" >&2
  exit 1
fi
# As after the benchmark's initial sync and its check: statistics taken, every row read once (hint bits set).
"${PSQL[@]}" -d "$DB" -c "ANALYZE" -c "SELECT count(*) FROM records" -c "SELECT count(*) FROM exports" \
  -c "SELECT count(*) FROM customers" -c "SELECT count(*) FROM customer_groups" >/dev/null
"${PSQL[@]}" -d "$DB" -tAc "SELECT pk FROM records WHERE pk::bigint % 100 = $K" > "$WORK/changed.txt"
CHANGED=$(wc -l < "$WORK/changed.txt")
[ "$CHANGED" -gt 0 ] || { echo "bench/floor.sh: FAILED: no user has id % 100 = $K" >&2; exit 1; }
"${PSQL[@]}" -d "$DB" -c "CREATE TABLE changed (pk text PRIMARY KEY)" -c "\\copy changed FROM '$WORK/changed.txt'" -c "ANALYZE changed"
KEYS="ARRAY(SELECT pk::bigint FROM changed)"
# The source's rows come over from its database as a client would fetch them: by key, with their aggregates.
"${PSQL[@]}" -d "$DB" -tAc "SELECT '{' || string_agg(pk, ',') || '}' FROM changed" > "$WORK/keys.txt"
"${PSQL[@]}" -d "$DB" -c CHECKPOINT
step "1%" "read the changed users with their purchases aggregated (by key)" \
  "$(src_sql "COPY (SELECT u.id, u.email, u.ltv, a.* FROM users u CROSS JOIN LATERAL (SELECT sum(amount), count(*), max(amount),
               (array_agg(item ORDER BY purchased_at DESC))[1] FROM purchases p WHERE p.user_id = u.id) a
             WHERE u.id = ANY('$(cat "$WORK/keys.txt")'::bigint[])) TO STDOUT") > /dev/null"
step "1%" "update the jsonb store (new values, seq, groups)" \
  "$(db_sql "UPDATE records r SET properties = r.properties || jsonb_build_object('ltv', (r.properties ->> 'ltv')::float8 + 1.5,
               'country', CASE WHEN r.properties ->> 'country' = 'NZ' THEN 'FR' ELSE 'NZ' END),
             seq = nextval('record_seq'), updated_at = now(),
             groups = array_remove(ARRAY[CASE WHEN (r.properties ->> 'ltv')::float8 + 1.5 >= 500 THEN 'highValue' END,
               CASE WHEN r.properties ->> 'country' <> 'NZ' THEN 'kiwis' END], NULL)
             FROM changed c WHERE r.model = 'users' AND r.pk = c.pk")"
step "1%" "update the destination's rows" \
  "$(db_sql "UPDATE customers d SET ltv = ltv + 1.5, country = CASE WHEN country = 'NZ' THEN 'FR' ELSE 'NZ' END
             WHERE d.id = ANY($KEYS)")"
step "1%" "replace their group rows (DELETE, INSERT)" \
  "$(db_sql "DELETE FROM customer_groups g WHERE g.customer_id = ANY($KEYS)") && $(db_sql "INSERT INTO customer_groups
             SELECT pk::bigint, $GROUP_NAMES FROM records r JOIN changed c USING (pk), unnest(r.groups) g WHERE r.model = 'users'")"
step "1%" "update the exports rows" \
  "$(db_sql "UPDATE exports x SET values_hash = md5(x.pk || now()::text)::uuid, exported_at = now()
             FROM changed c WHERE x.destination = 'bench-customers' AND x.pk = c.pk")"

sum() { # GROUP... : wall and busy sums over the rows of those groups
  local g wall=0 cpu=0
  for row in "${ROWS[@]}"; do
    IFS=$'\t' read -r g _ w c <<<"$row"
    for want in "$@"; do if [ "$g" = "$want" ]; then wall=$(awk "BEGIN { print $wall + $w }"); cpu=$(awk "BEGIN { print $cpu + $c }"); fi; done
  done
  echo "$wall $cpu"
}
read -r COPY_WALL _ <<<"$(sum copy)"
echo
echo "Floor under the benchmark (git $(git rev-parse --short HEAD 2>/dev/null || echo '?')): $(printf "%'d" "$USERS") users, $CORES cores," \
     "$(psql -X -tAc 'SHOW server_version' -d postgres | cut -d' ' -f1 | sed 's/^/PostgreSQL /'); 1% = $(printf "%'d" "$CHANGED") users (id % 100 = $K); $(date -u +%Y-%m-%d)"
echo
echo "| store | step | wall (s) | busy CPU-s |"
echo "|---|---|---:|---:|"
for row in "${ROWS[@]}"; do
  IFS=$'\t' read -r g label w c <<<"$row"
  echo "| $g | $label | $w | $c |"
done
echo
echo "| sum | wall (s) | busy CPU-s | least span on $CORES cores (CPU-s ÷ cores) | × COPY |"
echo "|---|---:|---:|---:|---:|"
for design in jsonb typed; do
  read -r w c <<<"$(sum both "$design")"
  awk -v d="$design" -v w="$w" -v c="$c" -v n="$CORES" -v copy="$COPY_WALL" \
    'BEGIN { printf "| initial sync, %s store | %.2f | %.2f | %.2f | %.1f× |\n", d, w, c, c / n, c / n / copy }'
done
read -r w c <<<"$(sum "1%")"
awk -v w="$w" -v c="$c" -v n="$CORES" 'BEGIN { printf "| 1%% run, jsonb store | %.2f | %.2f | %.2f | — |\n", w, c, c / n }'
echo
echo "busy CPU-s: the whole machine's, from /proc/stat, during the step. Each initial step follows its own CHECKPOINT;"
echo "the 1% steps follow one CHECKPOINT together, in order, as a sync's statements do after the benchmark's."
