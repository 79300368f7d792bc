#!/usr/bin/env bash
# bench.sh - `make bench`: the benchmarks against a private PostgreSQL (as test.sh), results in
# docs/bench.txt as well as on the terminal.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -n "${FENGQIAO_DATABASE_URL:-}" ]; then
	FENGQIAO_TEST_DATABASE_URL=$FENGQIAO_DATABASE_URL
else
	dir=.local/pg-bench
	port=${FENGQIAO_BENCH_PORT:-54349}
	trap 'deploy/localpg.sh destroy --dir "$dir" --port "$port" >&2 || true' EXIT
	# Not --fast: benchmarks measure a durable configuration.
	FENGQIAO_TEST_DATABASE_URL=$(deploy/localpg.sh start --dir "$dir" --port "$port")
fi
export FENGQIAO_TEST_DATABASE_URL
mkdir -p docs
{
	echo "# make bench, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(go version)"
	go test -run '^$' -bench "${BENCH:-.}" -benchtime "${BENCHTIME:-2s}" -count 1 -timeout 30m ./... 2>&1
} | tee docs/bench.txt
