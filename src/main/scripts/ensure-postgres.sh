#!/usr/bin/env bash
# Makes sure the local PostgreSQL (127.0.0.1:5432) accepts connections, starting the Debian cluster if it is down.
set -euo pipefail
ready() { pg_isready -h 127.0.0.1 -p 5432 -q; }
if ready; then exit 0; fi
version=$(ls /etc/postgresql | sort -V | tail -n 1)
echo "PostgreSQL is not running; starting cluster $version/main" >&2
pg_ctlcluster --skip-systemctl-redirect "$version" main start
for _ in $(seq 1 60); do ready && exit 0; sleep 0.5; done
echo "PostgreSQL did not come up on 127.0.0.1:5432" >&2
exit 1
