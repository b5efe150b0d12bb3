#!/usr/bin/env bash
# README command 1: sets up the demo databases on the local PostgreSQL (only if absent), builds Dromedary and
# runs the demo sync once, printing what happened. Safe to run again: a second run finds nothing to change.
set -euo pipefail
cd "$(dirname "$0")/../../.."
bash src/main/scripts/ensure-postgres.sh
PSQL=(psql -h 127.0.0.1 -p 5432 -U postgres -v ON_ERROR_STOP=1 -q)
exists() { [ "$("${PSQL[@]}" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$1'")" = 1 ]; }
if ! exists dromedary_demo_crm; then
  echo "Creating demo source database dromedary_demo_crm (10,000 users, 50,000 purchases)"
  "${PSQL[@]}" -d postgres -c "CREATE DATABASE dromedary_demo_crm"
  "${PSQL[@]}" -d dromedary_demo_crm -f src/main/scripts/demo-data.sql
fi
if ! exists dromedary_demo_warehouse; then
  echo "Creating demo destination database dromedary_demo_warehouse"
  "${PSQL[@]}" -d postgres -c "CREATE DATABASE dromedary_demo_warehouse"
fi
"${PSQL[@]}" -d dromedary_demo_warehouse -f src/main/scripts/demo-destination.sql
if [ ! -f target/dromedary-runnable.jar ] || [ -n "$(find src pom.xml -newer target/dromedary-runnable.jar -print -quit)" ]; then
  echo "Building Dromedary"
  mvn -B -q -DskipTests package
fi
echo "Running the demo sync once (routes/customers.sync.yaml)"
java -jar target/dromedary-runnable.jar --once
echo
echo "Destination now holds $("${PSQL[@]}" -d dromedary_demo_warehouse -tAc 'SELECT count(*) FROM customers') customers; by group:"
"${PSQL[@]}" -d dromedary_demo_warehouse -c "SELECT group_name, count(*) AS customers FROM customer_groups GROUP BY 1 ORDER BY 1"
echo "One record as Dromedary sees it (SELECT * FROM dromedary.record_overview WHERE pk = '42'):"
"${PSQL[@]}" -d dromedary_demo_warehouse -x -c "SELECT model, pk, properties, groups, last_exports FROM dromedary.record_overview WHERE model = 'users' AND pk = '42'"
