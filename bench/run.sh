#!/usr/bin/env bash
# Dromedary benchmark (issue 8). From the repository root:
#
#   bash bench/run.sh                   # 1,000,000 users (5,000,000 purchases)
#   bash bench/run.sh --users 20000     # a quick end-to-end check
#   bash bench/run.sh --big             # also the incremental run at 10 × N users
#   bash bench/run.sh --analyze-every 10  # diagnostic: ANALYZE the record store every 10 s during each sync
#   bash bench/run.sh --timeout 900     # give up (and fail) when one --once run takes longer (default 3600 s)
#   bash bench/run.sh --page-size 10000 # source pages and export batches of 10000 (default 5000, the product's own)
#   bash bench/run.sh --no-checkpoint   # diagnostic: no CHECKPOINT before each measured step (as before 2026-12-04)
#   bash bench/run.sh --jvm-opts '-XX:TieredStopAtLevel=1'  # more JVM options for every Dromedary process
#
# It recreates two databases on the local PostgreSQL (127.0.0.1:5432, user postgres): dromedary_bench_src
# (users, purchases) and dromedary_bench_dst (customers, customer_groups and Dromedary's record store), writes
# its configuration to bench/work/ (git-ignored) and runs `java -Xmx256m -jar dromedary-runnable.jar --once`
# from there. Rows measured:
#   1. COPY pipe baseline: psql COPY (users' columns) TO STDOUT | psql COPY customers_copy FROM STDIN
#   2. initial sync into the empty destination
#   3. incremental sync after 1% of users changed and 0.1% new users (with their purchases) arrived
#   4. sync with no change
#   3c. the change of row 3 once more, in a --once JVM with -XX:TieredStopAtLevel=1 (docs/operations.md's advice)
#   3w. the same kind of change three times more, each picked up by a scheduled firing of a process that is running
#      (cron every 20 s, as integrators run it, no --once): the median of the three
#   5. (--big) 1, 2 and 3 again at 10 × N users (5a, 5b, 5); their × COPY is against 5a
# Time of a sync row: from the record store's runs table, min(started_at) to max(ended_at) over the runs of that
# --once invocation (no JVM start-up, store migration or purge). The JVM's whole wall time is shown separately.
# Each measured step starts just after a CHECKPOINT (unless --no-checkpoint), so none runs during another at random.
# Peak heap: from the JVM's GC log (-Xlog:gc,gc+heap+exit): the largest heap occupancy seen (heap used before a
# collection, or at exit), and the largest occupancy after a collection (live data plus what G1 kept), with
# -Xmx256m.
# After every sync row the destination is compared with the source in SQL (exact, md5 of ordered COPY output);
# any difference, or a failed run, ends the benchmark with a non-zero exit code.
set -euo pipefail
SELF="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BENCH=$ROOT/bench
WORK=$BENCH/work
USERS=1000000
BIG=0
HEAP=256m
ANALYZE_EVERY=0
TIMEOUT=3600
PAGE_SIZE=5000
CHECKPOINTS=1
JVM_OPTS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --users) USERS=$2; shift 2 ;;
    --users=*) USERS=${1#--users=}; shift ;;
    --big) BIG=1; shift ;;
    --heap) HEAP=$2; shift 2 ;;
    --analyze-every) ANALYZE_EVERY=$2; shift 2 ;;
    --timeout) TIMEOUT=$2; shift 2 ;;
    --page-size) PAGE_SIZE=$2; shift 2 ;;
    --page-size=*) PAGE_SIZE=${1#--page-size=}; shift ;;
    --no-checkpoint) CHECKPOINTS=0; shift ;;
    --jvm-opts) read -r -a JVM_OPTS <<<"$2"; shift 2 ;;
    -h|--help) sed -n '2,32p' "$SELF" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1 (see bash bench/run.sh --help)" >&2; exit 2 ;;
  esac
done
case "$USERS" in ''|*[!0-9]*) echo "--users needs a whole number, got '$USERS'" >&2; exit 2 ;; esac
case "$PAGE_SIZE" in ''|*[!0-9]*) echo "--page-size needs a positive whole number, got '$PAGE_SIZE'" >&2; exit 2 ;; esac
if [ "$((10#$PAGE_SIZE))" -lt 1 ]; then echo "--page-size needs a positive whole number, got '$PAGE_SIZE'" >&2; exit 2; fi
PAGE_SIZE=$((10#$PAGE_SIZE))
if [ "$USERS" -lt 1000 ]; then echo "--users must be at least 1000 (0.1% new users must be at least one)" >&2; exit 2; fi

SRC_DB=dromedary_bench_src
DST_DB=dromedary_bench_dst
export PGTZ=UTC PGOPTIONS='-c client_min_messages=warning' PGHOST=127.0.0.1 PGPORT=5432 PGUSER=postgres
PSQL=(psql -X -q -v ON_ERROR_STOP=1)
src() { "${PSQL[@]}" -d "$SRC_DB" "$@"; }
dst() { "${PSQL[@]}" -d "$DST_DB" "$@"; }
now() { date +%s.%N; }
calc() { awk "BEGIN { printf \"%s\", $1 }"; }
log() { echo "[bench $(date +%H:%M:%S)] $*" >&2; }

SCHEDULED_PID= # the running process of row 3w, stopped by fail()
SCHEDULED_LOG=
RESULTS=()     # markdown table rows
BREAKDOWN=()   # markdown rows of the per-run breakdown
COPY_SECONDS=

fail() {
  if [ -n "$SCHEDULED_PID" ]; then kill "$SCHEDULED_PID" 2>/dev/null || true; fi
  echo >&2
  echo "=====================================================================" >&2
  echo "BENCHMARK FAILED: $*" >&2
  echo "=====================================================================" >&2
  print_tables >&2 || true
  exit 1
}

print_tables() {
  [ ${#RESULTS[@]} -gt 0 ] || return 0
  echo
  echo "Dromedary benchmark ($JAR_DESC): $(fmt_int "$USERS") users, $(fmt_int $((USERS * 5))) purchases; $(nproc) cores;" \
       "$(psql -X -tAc 'SHOW server_version' -d postgres | cut -d' ' -f1 | sed 's/^/PostgreSQL /');" \
       "$(java -version 2>&1 | head -n 1 | sed 's/"//g'); -Xmx$HEAP${JVM_OPTS[*]:+ ${JVM_OPTS[*]}};" \
       "pages and batches of $(fmt_int "$PAGE_SIZE");" \
       "$([ "$CHECKPOINTS" = 1 ] && echo "CHECKPOINT before each step" || echo "no CHECKPOINT before the steps");" \
       "autovacuum $(psql -X -tAc 'SHOW autovacuum' -d postgres);" \
       "$([ "$ANALYZE_EVERY" != 0 ] && echo "record store ANALYZEd every ${ANALYZE_EVERY} s by the benchmark (diagnostic); ")$(date -u +%Y-%m-%d)"
  echo
  echo "| # | run | records | time (s) | records/s | × COPY | peak heap (MB) | max after GC (MB) | JVM wall (s) |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
  printf '%s\n' "${RESULTS[@]}"
  echo
  echo "records: rows copied (COPY rows) or destination rows written by the export (inserted + updated + deleted)."
  echo "× COPY: time ÷ the COPY baseline's time at the same size (row 1; at 10×N, row 5a)."
  echo "time: record store's runs, min(started_at) → max(ended_at) of that --once invocation; JVM wall adds"
  echo "start-up, store migration and the purge step. Heap: GC log; \"—\" when the JVM never collected."
  echo "3c: the same kind of change as row 3 (other users), --once with -XX:TieredStopAtLevel=1 as docs/operations.md"
  echo "advises for --once runs of small changes: the JIT's C2 compiler then takes no core from PostgreSQL during the run."
  echo "3w: the same kind of change, three times, each picked up by the next firing of a process running on its"
  echo "schedules (cron every 20 s), not a new --once JVM; time and records of the median firing, heap over the process."
  if [ ${#BREAKDOWN[@]} -gt 0 ]; then
    echo
    echo "Where the time goes (one line per run in the store's runs table; runs may overlap: an export follows its import"
    echo "when the import's records are complete; \"between runs\" is the time no run covers, mostly group evaluation):"
    echo
    echo "| # | run | kind | seconds | rows read | records created | records updated | inserted | updated | deleted | unchanged |"
    echo "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
    printf '%s\n' "${BREAKDOWN[@]}"
  fi
}

fmt_int() { echo "$1" | sed -e ':a' -e 's/\([0-9]\)\([0-9]\{3\}\)\($\|,\)/\1,\2\3/' -e 'ta'; }

# ---------------------------------------------------------------------------------------------------------------
# Build and environment

bash src/main/scripts/ensure-postgres.sh
if [ ! -f target/dromedary-runnable.jar ] || [ -n "$(find src pom.xml -newer target/dromedary-runnable.jar -print -quit)" ]; then
  log "building target/dromedary-runnable.jar (mvn -q -DskipTests package)"
  mvn -B -q -DskipTests package
fi
rm -rf "$WORK"
mkdir -p "$WORK/routes" "$WORK/logs" "$WORK/check"
# A private copy, so a rebuild elsewhere during the benchmark cannot change the jar under it.
cp target/dromedary-runnable.jar "$WORK/dromedary.jar"
JAR_DESC="git $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD -- src pom.xml 2>/dev/null || echo ' + uncommitted changes in src/')"
log "jar: target/dromedary-runnable.jar ($(date -r target/dromedary-runnable.jar '+%Y-%m-%d %H:%M'), $JAR_DESC)"

cat > "$WORK/application.properties" <<EOF
# Written by bench/run.sh; recreated on every run.
camel.main.name = dromedary-bench
dromedary.apps.src.host = 127.0.0.1
dromedary.apps.src.port = 5432
dromedary.apps.src.database = $SRC_DB
dromedary.apps.src.user = postgres
dromedary.apps.dst.host = 127.0.0.1
dromedary.apps.dst.port = 5432
dromedary.apps.dst.database = $DST_DB
dromedary.apps.dst.user = postgres
# The record store lives in the destination database.
dromedary.store.app = dst
dromedary.store.schema = dromedary
dromedary.sync-files = routes/*.sync.yaml
EOF

cat > "$WORK/routes/bench.sync.yaml" <<'EOF'
# Written by bench/run.sh; recreated on every run.
model:
  name: users
  primaryKey: userId

sources:
  - id: bench-users
    type: table
    app: src
    table: users
    primary: true
    mapping: { column: id, property: userId }
    properties:
      - { name: email,     column: email,      type: email }
      - { name: firstName, column: first_name }
      - { name: lastName,  column: last_name }
      - { name: country,   column: country }
      - { name: ltv,       column: ltv,        type: float }
      - { name: createdAt, column: created_at, type: timestamp }
    schedule: { column: updated_at, every: 1h, pageSize: $PAGE_SIZE }

  - id: bench-purchases
    type: table
    app: src
    table: purchases
    mapping: { column: user_id, property: userId }
    properties:
      - { name: totalSpent,    column: amount, type: float,   aggregation: sum }
      - { name: purchaseCount, column: amount, type: integer, aggregation: count }
      - { name: maxAmount,     column: amount, type: float,   aggregation: max }
      - { name: lastItem,      column: item,   aggregation: mostRecentValue, sortColumn: purchased_at }
    schedule: { column: updated_at, every: 1h, pageSize: $PAGE_SIZE }

groups:
  - name: highValue
    rules: [ { property: ltv, op: gte, value: "500" } ]
  - name: kiwis
    rules: [ { property: country, op: eq, value: "NZ" } ]

destinations:
  - id: bench-customers
    app: dst
    table: customers
    primaryKey: id
    syncMode: sync
    batchSize: $PAGE_SIZE
    mappings:
      id: userId
      email: email
      first_name: firstName
      last_name: lastName
      country: country
      ltv: ltv
      signed_up: createdAt
      total_spent: totalSpent
      purchase_count: purchaseCount
      max_amount: maxAmount
      last_item: lastItem
    groupsTable: customer_groups
    groupForeignKey: customer_id
    groupColumnName: group_name
    groups: { highValue: "High value", kiwis: "New Zealand" }
EOF
# Page and batch size from --page-size (the file above is quoted so that nothing else in it expands).
sed -i "s/\$PAGE_SIZE/$PAGE_SIZE/g" "$WORK/routes/bench.sync.yaml"

# ---------------------------------------------------------------------------------------------------------------
# Steps

create_databases() { # users
  local n=$1 t0
  log "recreating $SRC_DB ($(fmt_int "$n") users, $(fmt_int $((n * 5))) purchases) and $DST_DB"
  t0=$(now)
  "${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS $SRC_DB WITH (FORCE)" -c "DROP DATABASE IF EXISTS $DST_DB WITH (FORCE)"
  "${PSQL[@]}" -d postgres -c "CREATE DATABASE $SRC_DB" -c "CREATE DATABASE $DST_DB"
  src -v users="$n" -f "$BENCH/sql/source.sql" >/dev/null
  dst -f "$BENCH/sql/destination.sql" >/dev/null
  log "data ready in $(calc "$(now) - $t0" | xargs printf '%.1f') s"
}

# Every measured step starts just after a CHECKPOINT: a checkpoint of the WAL the step before wrote (an initial sync
# writes enough to start one every few seconds) would otherwise run during the next step or not, at random.
# --no-checkpoint (diagnostic) measures without them, as the benchmark did before 2026-12-04.
checkpoint() {
  if [ "$CHECKPOINTS" = 1 ]; then "${PSQL[@]}" -d postgres -c CHECKPOINT; fi
}

copy_baseline() { # number users
  local num=$1 n=$2 label="$1: COPY pipe baseline" t0 t1 secs rate
  dst -c "TRUNCATE customers_copy"
  checkpoint
  log "$label"
  t0=$(now)
  src -c "COPY (SELECT id, email, first_name, last_name, country, ltv, created_at FROM users) TO STDOUT" \
    | dst -c "COPY customers_copy (id, email, first_name, last_name, country, ltv, signed_up) FROM STDIN"
  t1=$(now)
  secs=$(calc "$t1 - $t0")
  local copied
  copied=$(dst -tAc "SELECT count(*) FROM customers_copy")
  [ "$copied" = "$n" ] || fail "COPY baseline copied $copied rows, expected $n"
  dst -c "DROP TABLE customers_copy"
  COPY_SECONDS=$secs
  rate=$(calc "$n / $secs")
  RESULTS+=("| $num | COPY pipe baseline ($(fmt_int "$n") users) | $(fmt_int "$n") | $(printf '%.2f' "$secs") | $(fmt_int "$(printf '%.0f' "$rate")") | 1.0× | — | — | — |")
}

# Peak heap from a unified GC log: "... 123M->45M(256M) ..." lines and the exit line "... used 12345K ...".
heap_from_gc_log() { # file -> "peak after"
  awk '
    function mb(v, u) { v += 0; return u == "K" ? v / 1024 : (u == "G" ? v * 1024 : (u == "B" ? v / 1048576 : v)) }
    match($0, /([0-9]+)([KMG])->([0-9]+)([KMG])\(/) {
      s = substr($0, RSTART, RLENGTH)
      split(s, p, "->"); b = p[1]; a = p[2]; sub(/\($/, "", a)
      bu = substr(b, length(b)); bv = substr(b, 1, length(b) - 1)
      au = substr(a, length(a)); av = substr(a, 1, length(a) - 1)
      if (mb(bv, bu) > peak) peak = mb(bv, bu)
      if (mb(av, au) > after) after = mb(av, au)
      gcs++
    }
    /gc,heap,exit/ && match($0, /used [0-9]+K/) {
      v = substr($0, RSTART + 5, RLENGTH - 6) / 1024; if (v > peak) peak = v
    }
    END { printf "%s %s\n", (peak > 0 ? sprintf("%.0f", peak) : "—"), (gcs > 0 ? sprintf("%.0f", after) : "—") }
  ' "$1"
}

# One breakdown row per run in the store's runs table after run id `first`.
add_breakdown() { # row first
  local name kind s rr rc2 ru ins upd del skp
  while IFS='|' read -r name kind s rr rc2 ru ins upd del skp; do
    BREAKDOWN+=("| $1 | $name | $kind | $s | $(fmt_int "$rr") | $(fmt_int "$rc2") | $(fmt_int "$ru") | $(fmt_int "$ins") | $(fmt_int "$upd") | $(fmt_int "$del") | $(fmt_int "$skp") |")
  done < <(dst -tA -F '|' -c "SELECT name, kind, round(extract(epoch FROM ended_at - started_at)::numeric, 2), rows_read,
      records_created, records_updated, inserted, updated, deleted, skipped FROM dromedary.runs WHERE id > $2 ORDER BY id")
}

run_sync() { # number label [JVM option]: the option is added for this run only
  local num=$1 label=$2 slug first t0 t1 rc jvm
  local opts=(${JVM_OPTS[@]+"${JVM_OPTS[@]}"})
  if [ -n "${3:-}" ]; then opts+=("$3"); fi
  slug=$(echo "$num" | tr -c 'a-zA-Z0-9\n' '_')
  first=0
  if [ "$(dst -tAc "SELECT to_regclass('dromedary.runs') IS NOT NULL")" = t ]; then
    first=$(dst -tAc "SELECT coalesce(max(id), 0) FROM dromedary.runs")
  fi
  checkpoint
  log "$label: java -Xmx$HEAP${opts[*]:+ ${opts[*]}} -jar dromedary-runnable.jar --once (log: bench/work/logs/$slug.log)"
  t0=$(now)
  (cd "$WORK" && exec timeout --kill-after=30 "$TIMEOUT" java "-Xmx$HEAP" ${opts[@]+"${opts[@]}"} "-Xlog:gc,gc+heap+exit:file=logs/$slug.gc.log" -jar dromedary.jar --once) \
    >"$WORK/logs/$slug.log" 2>&1 &
  local jpid=$! apid=
  if [ "$ANALYZE_EVERY" != 0 ]; then
    analyze_loop "$jpid" & apid=$!
  fi
  set +e
  wait "$jpid"
  rc=$?
  set -e
  t1=$(now)
  if [ -n "$apid" ]; then kill "$apid" 2>/dev/null || true; wait "$apid" 2>/dev/null || true; fi
  jvm=$(calc "$t1 - $t0")
  # The summary the app prints (kind/name/status/... lines).
  sed -n '/^kind /,$p' "$WORK/logs/$slug.log" | sed 's/^/    /' >&2
  if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
    grep -E 'INFO|WARN|ERROR' "$WORK/logs/$slug.log" | tail -n 15 >&2
    fail "$label: did not finish within --timeout $TIMEOUT s (killed; log: bench/work/logs/$slug.log)"
  fi
  if [ "$rc" -ne 0 ]; then
    tail -n 60 "$WORK/logs/$slug.log" >&2
    fail "$label: dromedary --once exited with code $rc (log: bench/work/logs/$slug.log)"
  fi
  local stats secs written read_rows failed_runs failed_records
  stats=$(dst -tA -F ' ' -c "SELECT extract(epoch FROM max(ended_at) - min(started_at)),
      coalesce(sum(inserted + updated + deleted) FILTER (WHERE kind = 'export'), 0),
      coalesce(sum(rows_read) FILTER (WHERE kind = 'import'), 0),
      count(*) FILTER (WHERE status <> 'succeeded' OR ended_at IS NULL),
      coalesce(sum(failed), 0) + coalesce(sum(rows_rejected), 0), count(*)
    FROM dromedary.runs WHERE id > $first")
  read -r secs written read_rows failed_runs failed_records nruns <<<"$stats"
  [ "${nruns:-0}" -gt 0 ] || fail "$label: no runs recorded in dromedary.runs"
  [ "$failed_runs" = 0 ] || fail "$label: $failed_runs runs did not succeed (see dromedary.runs)"
  [ "$failed_records" = 0 ] || fail "$label: $failed_records rows rejected or records refused by the destination"
  local rate ratio heap peak after
  if [ "$written" -gt 0 ]; then rate=$(fmt_int "$(printf '%.0f' "$(calc "$written / $secs")")"); else rate="—"; fi
  ratio=$(printf '%.1f×' "$(calc "$secs / $COPY_SECONDS")")
  heap=$(heap_from_gc_log "$WORK/logs/$slug.gc.log")
  read -r peak after <<<"$heap"
  RESULTS+=("| $num | $label | $(fmt_int "$written") | $(printf '%.2f' "$secs") | $rate | $ratio | $peak | $after | $(printf '%.1f' "$jvm") |")
  # Per-run breakdown, plus the time between runs (groups evaluation, scheduling).
  local line
  add_breakdown "$num" "$first"
  # The span covered by no run: exports that follow an import overlap it, so the runs' sum can exceed the span.
  line=$(dst -tAc "WITH r AS (SELECT * FROM dromedary.runs WHERE id > $first)
      SELECT round((extract(epoch FROM max(ended_at) - min(started_at)) - (SELECT sum(extract(epoch FROM upper(u) - lower(u)))
      FROM unnest((SELECT range_agg(tstzrange(started_at, ended_at)) FROM r)) u))::numeric, 2) FROM r")
  BREAKDOWN+=("| $num | (between runs) | | $line | | | | | | | |")
  log "$label: $(printf '%.2f' "$secs") s in runs, $written destination rows written, JVM $(printf '%.1f' "$jvm") s, heap peak/after-GC ${peak}/${after} MB"
}

# --analyze-every S: a diagnostic, not the product as shipped. While the JVM runs, ANALYZE the record store's
# tables every S seconds, as autovacuum would on a server where it is on (it is off on this machine's cluster).
analyze_loop() { # java pid
  while kill -0 "$1" 2>/dev/null; do
    sleep "$ANALYZE_EVERY"
    kill -0 "$1" 2>/dev/null || break
    dst -c "ANALYZE dromedary.records, dromedary.exports, dromedary.enrich_queue" >/dev/null 2>&1 || true
  done
}

apply_change() { # users [residue]: 1% of users (id % 100 = residue, default 42) change, 0.1% of N new ones arrive
  local k=${2:-42} first
  first=$(src -tAc "SELECT coalesce(max(id), 0) + 1 FROM users")
  log "changing 1% of users (id % 100 = $k) and adding 0.1% new users (with 5 purchases each)"
  src -v k="$k" -v first="$first" -v new=$(($1 / 1000)) -f "$BENCH/sql/change.sql" >/dev/null
}

# Row 3w: the same change picked up by a scheduled run of a process that is already running (no --once), as
# integrators run Dromedary: Camel Main on its Quartz schedules, with its JIT warm and its pools open. The sources'
# `every: 1h` becomes a cron trigger every 20 s; after the first firing (nothing changed), three changes in turn
# (id % 100 = 43, 44, 45), each applied just after a firing ended and measured on the next. The row shows the median.
SCHEDULED_CRON="0/20 * * * * ?"
run_scheduled() { # number label
  local num=$1 label=$2 slug dir="$WORK/scheduled" mark k secs times=() stats
  slug=$(echo "$num" | tr -c 'a-zA-Z0-9\n' '_')
  mkdir -p "$dir/routes"
  cp "$WORK/application.properties" "$dir/"
  sed "s|every: 1h|cron: \"$SCHEDULED_CRON\"|" "$WORK/routes/bench.sync.yaml" >"$dir/routes/bench.sync.yaml"
  grep -q "cron:" "$dir/routes/bench.sync.yaml" || fail "$label: could not write the scheduled configuration"
  log "$label: java -Xmx$HEAP${JVM_OPTS[*]:+ ${JVM_OPTS[*]}} -jar dromedary-runnable.jar, running on cron \"$SCHEDULED_CRON\" (log: bench/work/logs/$slug.log)"
  mark=$(dst -tAc "SELECT coalesce(max(id), 0) FROM dromedary.runs")
  SCHEDULED_LOG="$WORK/logs/$slug.log"
  (cd "$dir" && exec timeout --kill-after=30 "$TIMEOUT" java "-Xmx$HEAP" ${JVM_OPTS[@]+"${JVM_OPTS[@]}"} \
      "-Xlog:gc,gc+heap+exit:file=../logs/$slug.gc.log" \
    -jar ../dromedary.jar) >"$WORK/logs/$slug.log" 2>&1 &
  SCHEDULED_PID=$!
  await_firing "$mark" "$label"
  for k in 43 44 45; do
    mark=$(dst -tAc "SELECT max(id) FROM dromedary.runs")
    local expected
    expected=$(src -tAc "SELECT count(*) + $((USERS / 1000)) FROM users WHERE id % 100 = $k")
    apply_change "$USERS" "$k"
    checkpoint
    await_firing "$mark" "$label"
    stats=$(dst -tA -F ' ' -c "SELECT extract(epoch FROM max(ended_at) - min(started_at)),
        coalesce(sum(rows_read) FILTER (WHERE kind = 'import' AND name = 'bench-users'), 0),
        count(*) FILTER (WHERE status <> 'succeeded'),
        coalesce(sum(inserted + updated + deleted) FILTER (WHERE kind = 'export'), 0)
      FROM dromedary.runs WHERE id > $mark")
    local read_users failed_runs written
    read -r secs read_users failed_runs written <<<"$stats"
    [ "$failed_runs" = 0 ] || fail "$label: $failed_runs runs did not succeed (see dromedary.runs)"
    # One firing, after the change committed: else the span would not be one run's.
    [ "$read_users" = "$expected" ] || fail "$label: the firing after change $k read $read_users users, expected $expected"
    add_breakdown "$num ($k)" "$mark"
    times+=("$(printf '%.2f' "$secs") $written")
    log "$label: change $k: $(printf '%.2f' "$secs") s in runs"
  done
  kill -TERM "$SCHEDULED_PID" 2>/dev/null || true
  wait "$SCHEDULED_PID" 2>/dev/null || true
  SCHEDULED_PID=
  local median written rate ratio peak after
  read -r median written <<<"$(printf '%s\n' "${times[@]}" | sort -n | sed -n 2p)"
  rate=$(fmt_int "$(printf '%.0f' "$(calc "$written / $median")")")
  ratio=$(printf '%.1f×' "$(calc "$median / $COPY_SECONDS")")
  read -r peak after <<<"$(heap_from_gc_log "$WORK/logs/$slug.gc.log")"
  RESULTS+=("| $num | $label (median of $(printf '%s\n' "${times[@]}" | cut -d' ' -f1 | paste -sd/) s) | $(fmt_int "$written") | $median | $rate | $ratio | $peak | $after | — |")
}

# Waits for the scheduled process's next firing after run id `mark` to end: its runs recorded, none running, and no
# run ended in the last 2 s (the runs of one firing follow each other closely).
await_firing() { # mark label
  local waited=0
  until [ "$(dst -tAc "SELECT count(*) > 0 AND count(*) FILTER (WHERE status = 'running' OR ended_at > now() - interval '2 s') = 0
      FROM dromedary.runs WHERE id > $1")" = t ]; do
    kill -0 "$SCHEDULED_PID" 2>/dev/null || { tail -n 40 "$SCHEDULED_LOG" >&2; fail "$2: the scheduled process ended"; }
    [ "$waited" -lt $((TIMEOUT * 2)) ] || fail "$2: no firing ended within --timeout $TIMEOUT s"
    sleep 0.5
    waited=$((waited + 1))
  done
}

# Exact comparison of destination and source. Fails loudly on any difference.
check() { # label
  local label=$1 exp act exp_g act_g
  log "$label: checking the destination against the source"
  exp=$(src -f "$BENCH/sql/expected.sql" | md5sum | cut -d' ' -f1)
  act=$(dst -f "$BENCH/sql/actual.sql" | md5sum | cut -d' ' -f1)
  exp_g=$(src -f "$BENCH/sql/expected_groups.sql" | md5sum | cut -d' ' -f1)
  act_g=$(dst -f "$BENCH/sql/actual_groups.sql" | md5sum | cut -d' ' -f1)
  local problems=() counts
  counts=$(dst -tA -F ' ' -c "SELECT count(*), count(DISTINCT id), count(*) FILTER (WHERE id IS NULL),
      (SELECT count(*) FROM customer_groups g WHERE NOT EXISTS (SELECT 1 FROM customers c WHERE c.id = g.customer_id)),
      (SELECT count(*) FROM (SELECT 1 FROM customer_groups GROUP BY customer_id, group_name HAVING count(*) > 1) d),
      (SELECT count(*) FROM dromedary.export_errors) FROM customers")
  local rows distinct nullids orphans dupgroups exporterrors srcrows
  read -r rows distinct nullids orphans dupgroups exporterrors <<<"$counts"
  srcrows=$(src -tAc "SELECT count(*) FROM users")
  [ "$rows" = "$srcrows" ] || problems+=("customers has $rows rows, source users has $srcrows")
  [ "$rows" = "$distinct" ] || problems+=("customers has $rows rows but $distinct distinct ids (duplicates)")
  [ "$nullids" = 0 ] || problems+=("$nullids customers rows with a null id")
  [ "$orphans" = 0 ] || problems+=("$orphans customer_groups rows without a customers row")
  [ "$dupgroups" = 0 ] || problems+=("$dupgroups duplicated customer_groups rows")
  [ "$exporterrors" = 0 ] || problems+=("$exporterrors records in dromedary.export_errors")
  if [ "$exp" != "$act" ]; then
    src -f "$BENCH/sql/expected.sql" >"$WORK/check/expected.tsv"
    dst -f "$BENCH/sql/actual.sql" >"$WORK/check/actual.tsv"
    problems+=("customers differs from the source: $(diff "$WORK/check/expected.tsv" "$WORK/check/actual.tsv" | grep -c '^[<>]' || true) differing lines (bench/work/check/{expected,actual}.tsv); first differences:
$(diff "$WORK/check/expected.tsv" "$WORK/check/actual.tsv" | head -n 12 || true)")
  fi
  if [ "$exp_g" != "$act_g" ]; then
    src -f "$BENCH/sql/expected_groups.sql" >"$WORK/check/expected_groups.tsv"
    dst -f "$BENCH/sql/actual_groups.sql" >"$WORK/check/actual_groups.tsv"
    problems+=("customer_groups differs from the source: $(diff "$WORK/check/expected_groups.tsv" "$WORK/check/actual_groups.tsv" | grep -c '^[<>]' || true) differing lines (bench/work/check/{expected,actual}_groups.tsv); first differences:
$(diff "$WORK/check/expected_groups.tsv" "$WORK/check/actual_groups.tsv" | head -n 12 || true)")
  fi
  if [ ${#problems[@]} -gt 0 ]; then
    printf '  - %s\n' "${problems[@]}" >&2
    fail "$label: the destination does not match the source"
  fi
  log "$label: destination matches the source ($(fmt_int "$rows") customers, $(fmt_int "$(dst -tAc 'SELECT count(*) FROM customer_groups')") group rows)"
}

# ---------------------------------------------------------------------------------------------------------------
# The benchmark

create_databases "$USERS"
copy_baseline 1 "$USERS"
run_sync 2 "initial sync ($(fmt_int "$USERS") users)"
check "initial sync"
apply_change "$USERS"
run_sync 3 "incremental: 1% changed + 0.1% new"
check "incremental sync"
run_sync 4 "no change"
check "no-change sync"
[ "$(dst -tAc "SELECT coalesce(sum(inserted + updated + deleted), 0) FROM dromedary.runs WHERE kind = 'export' AND id = (SELECT max(id) FROM dromedary.runs WHERE kind = 'export')")" = 0 ] \
  || fail "the no-change run wrote to the destination"
# Row 3c: the same kind of change, in a --once JVM with the option docs/operations.md advises for --once runs of small
# changes (C1 only: the C2 compiler no longer takes a core from PostgreSQL during the run).
apply_change "$USERS" 46
run_sync 3c "incremental, --once with -XX:TieredStopAtLevel=1: 1% changed + 0.1% new" -XX:TieredStopAtLevel=1
check "incremental sync with C1 only"
run_scheduled 3w "incremental in a running process: 1% changed + 0.1% new"
check "scheduled incremental syncs"

if [ "$BIG" = 1 ]; then
  BIGN=$((USERS * 10))
  create_databases "$BIGN"
  copy_baseline 5a "$BIGN"
  run_sync 5b "initial sync at 10×N ($(fmt_int "$BIGN") users)"
  check "initial sync at 10×N"
  apply_change "$BIGN"
  run_sync 5 "incremental at 10×N: 1% changed + 0.1% new"
  check "incremental sync at 10×N"
fi

print_tables | tee "$WORK/results.md"
log "results also in bench/work/results.md; logs in bench/work/logs/"
