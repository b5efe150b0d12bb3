#!/usr/bin/env bash
# Dromedary scale-out benchmark (issue 10): the same configuration of several sources synced by one node, then
# by two clustered nodes. From the repository root:
#
#   bash bench/cluster.sh                        # 4 sources of 250,000 rows each
#   bash bench/cluster.sh --rows 20000           # a quick check
#   bash bench/cluster.sh --sources 6 --threads 2 --timeout 1200
#
# It recreates dromedary_bench_csrc (tables s1..sK) and, for each case, dromedary_bench_cdst (tables d1..dK and
# the record store) on the local PostgreSQL, and writes its configuration to bench/work-cluster/ (git-ignored).
# Each table is its own model with a primary table source (6 properties, pageSize 10000) and a destination
# (batchSize 10000). Every schedule is a cron trigger for one second 40 s ahead, so that every node has
# started and joined the cluster before the first one fires. Nodes run `java -Xmx256m -jar dromedary.jar` with
# dromedary.cluster.enabled. Time: min(started_at) → max(ended_at) over the runs table (no JVM start-up).
# Needs GNU date (Debian's coreutils), as on this project's machines.
# After each case every destination table is compared with its source (md5 of the ordered rows); any difference
# or failed run ends the benchmark with a non-zero exit code.
set -euo pipefail
SELF="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
cd "$(dirname "$0")/.."
ROOT=$(pwd)
WORK=$ROOT/bench/work-cluster
ROWS=250000
SOURCES=4
THREADS=4
TIMEOUT=1800
while [ $# -gt 0 ]; do
  case "$1" in
    --rows) ROWS=$2; shift 2 ;;
    --sources) SOURCES=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    --timeout) TIMEOUT=$2; shift 2 ;;
    -h|--help) sed -n '2,18p' "$SELF" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1 (see bash bench/cluster.sh --help)" >&2; exit 2 ;;
  esac
done
for v in "$ROWS" "$SOURCES" "$THREADS" "$TIMEOUT"; do
  case "$v" in ''|*[!0-9]*|0) echo "--rows, --sources, --threads and --timeout need positive whole numbers" >&2; exit 2 ;; esac
done

SRC_DB=dromedary_bench_csrc
DST_DB=dromedary_bench_cdst
export PGTZ=UTC PGOPTIONS='-c client_min_messages=warning' PGHOST=127.0.0.1 PGPORT=5432 PGUSER=postgres
PSQL=(psql -X -q -v ON_ERROR_STOP=1)
src() { "${PSQL[@]}" -d "$SRC_DB" "$@"; }
dst() { "${PSQL[@]}" -d "$DST_DB" "$@"; }
log() { echo "[cluster-bench $(date +%H:%M:%S)] $*" >&2; }
fmt_int() { echo "$1" | sed -e ':a' -e 's/\([0-9]\)\([0-9]\{3\}\)\($\|,\)/\1,\2\3/' -e 'ta'; }
PIDS=()
stop_nodes() {
  for p in ${PIDS[@]+"${PIDS[@]}"}; do kill "$p" 2>/dev/null || true; done
  for p in ${PIDS[@]+"${PIDS[@]}"}; do wait "$p" 2>/dev/null || true; done
  PIDS=()
}
trap stop_nodes EXIT
fail() { echo "BENCHMARK FAILED: $*" >&2; exit 1; }

bash src/main/scripts/ensure-postgres.sh
if [ ! -f target/dromedary-runnable.jar ] || [ -n "$(find src pom.xml -newer target/dromedary-runnable.jar -print -quit)" ]; then
  log "building target/dromedary-runnable.jar (mvn -q -DskipTests package)"
  mvn -B -q -DskipTests package
fi
rm -rf "$WORK"
mkdir -p "$WORK/routes"
cp target/dromedary-runnable.jar "$WORK/dromedary.jar"

COLUMNS="id, email, first_name, last_name, country, ltv"
log "recreating $SRC_DB: $SOURCES tables of $(fmt_int "$ROWS") rows"
"${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS $SRC_DB WITH (FORCE)" -c "CREATE DATABASE $SRC_DB"
for i in $(seq 1 "$SOURCES"); do
  src -c "CREATE TABLE s$i (id int PRIMARY KEY, email text NOT NULL, first_name text, last_name text, country text,
            ltv numeric(12,2), updated_at timestamptz NOT NULL)" \
      -c "INSERT INTO s$i SELECT g, 'user' || g || '@example.org', 'First' || g % 1000, 'Last' || g % 5000,
            (ARRAY['NZ','AU','FR','DE','US'])[1 + g % 5], (g % 100000) / 100.0,
            now() - interval '1 day' + g * interval '1 millisecond' FROM generate_series(1, $ROWS) g" \
      -c "CREATE INDEX ON s$i (updated_at, id)" -c "ANALYZE s$i"
done

RESULTS=()
run_case() { # nodes
  local nodes=$1 fire_at cron i j runs failed secs total rate spread
  log "case: $nodes node(s), $THREADS thread(s) each"
  "${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS $DST_DB WITH (FORCE)" -c "CREATE DATABASE $DST_DB"
  for i in $(seq 1 "$SOURCES"); do
    dst -c "CREATE TABLE d$i (id int PRIMARY KEY, email text, first_name text, last_name text, country text,
              ltv numeric(12,2))"
  done
  # One cron second, far enough ahead for every JVM to start and join the cluster.
  fire_at=$(( $(date +%s) + 40 ))
  cron="$(date -d "@$fire_at" +'%-S %-M %-H') * * ?"
  rm -rf "$WORK/routes"/*
  for i in $(seq 1 "$SOURCES"); do
    cat > "$WORK/routes/s$i.sync.yaml" <<EOF
model: { name: m$i, primaryKey: id }
sources:
  - id: s$i
    app: src
    table: s$i
    mapping: { column: id, property: id }
    properties:
      - { name: email, column: email }
      - { name: firstName, column: first_name }
      - { name: lastName, column: last_name }
      - { name: country, column: country }
      - { name: ltv, column: ltv, type: float }
      - { name: updatedAt, column: updated_at, type: timestamp }
    schedule: { column: updated_at, cron: "$cron", pageSize: 10000 }
destinations:
  - id: d$i
    app: dst
    table: d$i
    primaryKey: id
    batchSize: 10000
    mappings: { id: id, email: email, first_name: firstName, last_name: lastName, country: country, ltv: ltv }
EOF
  done
  for j in $(seq 1 "$nodes"); do
    mkdir -p "$WORK/node-$j"
    cat > "$WORK/node-$j/application.properties" <<EOF
# Written by bench/cluster.sh; recreated on every run.
camel.main.name = dromedary
dromedary.apps.src.host = 127.0.0.1
dromedary.apps.src.database = $SRC_DB
dromedary.apps.src.user = postgres
dromedary.apps.dst.host = 127.0.0.1
dromedary.apps.dst.database = $DST_DB
dromedary.apps.dst.user = postgres
dromedary.apps.dst.pool-size = $((THREADS * 2 + 2))
dromedary.store.app = dst
dromedary.sync-files = $WORK/routes/*.sync.yaml
dromedary.cluster.enabled = true
dromedary.cluster.node-id = node-$j
dromedary.cluster.threads = $THREADS
EOF
    (cd "$WORK/node-$j" && exec java -Xmx256m -jar "$WORK/dromedary.jar" > "$WORK/node-$j.log" 2>&1) &
    PIDS+=($!)
  done
  # Every node must have joined before the trigger's second, or the first one would take every trigger.
  while [ "$(dst -tAc "SELECT count(*) FROM dromedary.qrtz_scheduler_state" 2>/dev/null || echo 0)" -lt "$nodes" ]; do
    [ "$(date +%s)" -lt "$fire_at" ] || fail "the nodes took more than 40 s to join the cluster; see $WORK/node-*.log"
    sleep 0.5
  done
  local deadline=$(( fire_at + TIMEOUT ))
  while :; do
    runs=$(dst -tAc "SELECT count(*) FROM dromedary.runs WHERE kind = 'export' AND status = 'succeeded'" 2>/dev/null || echo 0)
    failed=$(dst -tAc "SELECT count(*) FROM dromedary.runs WHERE status = 'failed'" 2>/dev/null || echo 0)
    [ "$failed" = 0 ] || fail "$failed run(s) failed; see $WORK/node-*.log"
    [ "$runs" -lt "$SOURCES" ] || break
    [ "$(date +%s)" -lt "$deadline" ] || fail "timed out after $TIMEOUT s; see $WORK/node-*.log"
    sleep 1
  done
  stop_nodes
  secs=$(dst -tAc "SELECT extract(epoch FROM max(ended_at) - min(started_at)) FROM dromedary.runs")
  total=$((ROWS * SOURCES))
  rate=$(awk "BEGIN { printf \"%.0f\", $total / $secs }")
  spread=$(dst -tAc "SELECT string_agg(node || ': ' || sources, ', ' ORDER BY node) FROM (SELECT node,
             string_agg(name, ' ' ORDER BY name) AS sources FROM dromedary.runs WHERE kind = 'import' GROUP BY node) n")
  for i in $(seq 1 "$SOURCES"); do
    local want got
    want=$(src -tAc "SELECT md5(string_agg(t::text, '|' ORDER BY id)) FROM (SELECT $COLUMNS FROM s$i) t")
    got=$(dst -tAc "SELECT md5(string_agg(t::text, '|' ORDER BY id)) FROM (SELECT $COLUMNS FROM d$i) t")
    [ "$want" = "$got" ] || fail "d$i differs from s$i with $nodes node(s)"
  done
  log "$nodes node(s): $(printf '%.2f' "$secs") s, $rate records/s; destination exact"
  RESULTS+=("| $nodes | $SOURCES × $(fmt_int "$ROWS") | $(printf '%.2f' "$secs") | $(fmt_int "$rate") | $spread |")
  CASE_SECS=$secs
}

run_case 1
one=$CASE_SECS
run_case 2
two=$CASE_SECS
echo
echo "Dromedary scale-out benchmark (git $(git rev-parse --short HEAD 2>/dev/null || echo '?')): $SOURCES sources," \
     "$THREADS Quartz threads per node, -Xmx256m; $(nproc) cores, one PostgreSQL for all; $(date -u +%Y-%m-%d)"
echo
echo "| nodes | records | time (s) | records/s | sources run per node |"
echo "|---:|---:|---:|---:|---|"
printf '%s\n' "${RESULTS[@]}"
echo
echo "two nodes vs one: $(awk "BEGIN { printf \"%.2f\", $one / $two }")× the throughput. Every destination table matched its source."
