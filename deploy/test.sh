#!/usr/bin/env bash
# test.sh - `make test`: every test against a real PostgreSQL. Unless FENGQIAO_DATABASE_URL
# names a server to use (a superuser or CREATEDB role: each test creates its own database), a
# private cluster is started in .local/pg-test and torn down afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -n "${FENGQIAO_DATABASE_URL:-}" ]; then
	FENGQIAO_TEST_DATABASE_URL=$FENGQIAO_DATABASE_URL
else
	dir=.local/pg-test
	port=${FENGQIAO_TEST_PORT:-54339}
	trap 'deploy/localpg.sh destroy --dir "$dir" --port "$port" >&2 || true' EXIT
	FENGQIAO_TEST_DATABASE_URL=$(deploy/localpg.sh start --fast --dir "$dir" --port "$port")
fi
export FENGQIAO_TEST_DATABASE_URL
unset FENGQIAO_DATABASE_URL FENGQIAO_DATABASE_APP_URL FENGQIAO_HTTP_ADDR

echo "test.sh: go test against $FENGQIAO_TEST_DATABASE_URL" >&2
go test -count=1 -timeout 20m "$@" ./...
bash deploy/localpg_test.sh
