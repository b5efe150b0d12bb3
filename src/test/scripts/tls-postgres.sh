#!/usr/bin/env bash
# Prepares what the TLS tests need: a test CA, server and client certificates, another CA (to be refused), and
# a second local PostgreSQL cluster "dromedary_tls" on 127.0.0.1:5433 with SSL on and client-certificate login
# for role dromedary_cert. Idempotent: an existing, running cluster with its files is left as it is.
set -euo pipefail
dir=/var/lib/postgresql/dromedary-tls
port=5433
version=$(ls /etc/postgresql | sort -V | tail -n 1)
if [ ! -f "$dir/client.pk8" ]; then
  mkdir -p "$dir"
  cd "$dir"
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=Dromedary Test CA" -keyout ca.key -out ca.crt 2>/dev/null
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=Some Other CA" -keyout other-ca.key -out other-ca.crt 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout server.key -out server.csr 2>/dev/null
  printf "subjectAltName=DNS:localhost,IP:127.0.0.1\n" > server.ext
  openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 3650 -extfile server.ext -out server.crt 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=dromedary_cert" -keyout client.key -out client.csr 2>/dev/null
  openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 3650 -out client.crt 2>/dev/null
  # pgjdbc reads client keys as PKCS-8 DER
  openssl pkcs8 -topk8 -inform PEM -outform DER -in client.key -out client.pk8 -nocrypt
  chown -R postgres:postgres "$dir"
  chmod 600 "$dir"/*.key
  chmod 644 "$dir"/*.crt "$dir"/client.pk8
fi
# Client files belong to whoever runs the tests: pgjdbc refuses a private key others can read.
chown "$(id -u):$(id -g)" "$dir/client.pk8" "$dir/client.crt"
chmod 600 "$dir/client.pk8"
if ! pg_lsclusters -h | awk '{print $2}' | grep -qx dromedary_tls; then
  pg_createcluster "$version" dromedary_tls -p "$port" >/dev/null
  conf=/etc/postgresql/$version/dromedary_tls
  cat >> "$conf/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
ssl = on
ssl_cert_file = '$dir/server.crt'
ssl_key_file = '$dir/server.key'
ssl_ca_file = '$dir/ca.crt'
CONF
fi
# Written every time, so a cluster made by an older version of this script gets today's rules.
conf=/etc/postgresql/$version/dromedary_tls
cat > "$conf/pg_hba.conf" <<HBA
local   all  postgres                      peer
hostssl all  dromedary_cert  127.0.0.1/32  cert
host    all  dromedary_pw    127.0.0.1/32  scram-sha-256
hostssl all  dromedary_pw    127.0.0.1/32  scram-sha-256
hostssl all  all             127.0.0.1/32  trust
host    all  all             127.0.0.1/32  trust
HBA
if pg_isready -h 127.0.0.1 -p "$port" -q; then
  pg_ctlcluster --skip-systemctl-redirect "$version" dromedary_tls reload
fi
if ! pg_isready -h 127.0.0.1 -p "$port" -q; then
  pg_ctlcluster --skip-systemctl-redirect "$version" dromedary_tls start
  for _ in $(seq 1 60); do pg_isready -h 127.0.0.1 -p "$port" -q && break; sleep 0.5; done
fi
psql -h 127.0.0.1 -p "$port" -U postgres -qtAc "SELECT 1 FROM pg_roles WHERE rolname = 'dromedary_cert'" | grep -q 1 \
  || psql -h 127.0.0.1 -p "$port" -U postgres -qc "CREATE ROLE dromedary_cert LOGIN"
psql -h 127.0.0.1 -p "$port" -U postgres -qtAc "SELECT 1 FROM pg_roles WHERE rolname = 'dromedary_pw'" | grep -q 1 \
  || psql -h 127.0.0.1 -p "$port" -U postgres -qc "CREATE ROLE dromedary_pw LOGIN PASSWORD 'right-Pa55word'"
