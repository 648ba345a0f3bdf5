#!/usr/bin/env bash
# Runs every check of the project: lint, then the whole test suite on SQLite and, when
# SWITCHBOARD_TEST_POSTGRES_URL is set (CI sets it), again on PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
echo "== ruff"
ruff check .
ruff format --check .
status=0
echo "== tests on SQLite"
SWITCHBOARD_DATABASE_URL="sqlite:///var/test.sqlite3" python -m pytest "$@" || status=$?
if [ -n "${SWITCHBOARD_TEST_POSTGRES_URL:-}" ]; then
  echo "== tests on PostgreSQL"
  SWITCHBOARD_DATABASE_URL="$SWITCHBOARD_TEST_POSTGRES_URL" python -m pytest "$@" || status=$?
fi
exit $status
