#!/usr/bin/env bash
# seed_scale for a national-size country on PostgreSQL (its own scratch database), with the
# machine load beside the figures. Usage: bench/seed_scale.sh [organizations] (default 45000).
# Without a reachable PostgreSQL it runs on a temporary SQLite database instead (slower).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_setup.sh
count=${1:-45000}
echo "load before: $(uptime)"
if pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  psql -h 127.0.0.1 -U postgres -qc "drop database if exists fisoko_bench_seed" \
    -c "create database fisoko_bench_seed" >/dev/null
  export DATABASE_URL=postgres://postgres@127.0.0.1:5432/fisoko_bench_seed
  .venv/bin/python manage.py migrate -v0
  .venv/bin/python manage.py seed_scale --organizations "$count"
  psql -h 127.0.0.1 -U postgres -qc "drop database fisoko_bench_seed" >/dev/null
else
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  export DATABASE_URL="sqlite:///$tmp/scale.sqlite3"
  .venv/bin/python manage.py migrate -v0
  .venv/bin/python manage.py seed_scale --organizations "$count"
fi
echo "load after: $(uptime)"
