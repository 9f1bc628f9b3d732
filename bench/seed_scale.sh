#!/usr/bin/env bash
# Time of seed_scale for a national-size data set, on SQLite and PostgreSQL if reachable.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_setup.sh
count=${1:-45000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export DATABASE_URL="sqlite:///$tmp/scale.sqlite3"
.venv/bin/python manage.py migrate -v0
echo "SQLite:     $(.venv/bin/python manage.py seed_scale --organizations "$count")"
if pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  psql -h 127.0.0.1 -U postgres -qc "drop database if exists fisoko_bench_seed" \
    -c "create database fisoko_bench_seed" >/dev/null
  export DATABASE_URL=postgres://postgres@127.0.0.1:5432/fisoko_bench_seed
  .venv/bin/python manage.py migrate -v0
  echo "PostgreSQL: $(.venv/bin/python manage.py seed_scale --organizations "$count")"
  psql -h 127.0.0.1 -U postgres -qc "drop database fisoko_bench_seed" >/dev/null
fi
