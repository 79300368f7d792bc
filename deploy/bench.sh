#!/usr/bin/env bash
# bench.sh - `make bench`: the benchmarks against a private PostgreSQL (as test.sh), results in
# docs/bench.txt (or BENCH_OUT) as well as on the terminal. BENCH=regex runs some of them.
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

# The ceiling the case intake is measured against: pgbench's single-row INSERT TPS on the same
# cluster, 16 clients, 10 s (CEILINGS.md measures ~17,400 on this kind of machine).
pgbench_tps() {
	local db=fq_pgbench
	psql -q "$FENGQIAO_TEST_DATABASE_URL" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
	local url
	url=$(echo "$FENGQIAO_TEST_DATABASE_URL" | sed -E "s#/[^/?]+(\?|$)#/$db\1#")
	psql -q "$url" -c "CREATE TABLE t (id bigserial PRIMARY KEY, v text NOT NULL, at timestamptz NOT NULL DEFAULT now())" >/dev/null
	local script
	script=$(mktemp)
	echo "INSERT INTO t (v) VALUES ('x');" >"$script"
	pgbench -n -c 16 -j 2 -T 10 -f "$script" "$url" 2>/dev/null | sed -n 's/^tps = \([0-9.]*\).*/\1/p' | head -1
	rm -f "$script"
	psql -q "$FENGQIAO_TEST_DATABASE_URL" -c "DROP DATABASE IF EXISTS $db" >/dev/null
}
if command -v pgbench >/dev/null || [ -x /usr/lib/postgresql/15/bin/pgbench ]; then
	command -v pgbench >/dev/null || PATH=/usr/lib/postgresql/15/bin:$PATH
	PGBENCH_INSERT_TPS=$(pgbench_tps)
	export PGBENCH_INSERT_TPS
fi
mkdir -p docs
{
	echo "# make bench, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(go version)"
	echo "# pgbench single-row INSERT, 16 clients, same cluster: ${PGBENCH_INSERT_TPS:-not measured} TPS"
	go test -run '^$' -bench "${BENCH:-.}" -benchtime "${BENCHTIME:-2s}" -count 1 -timeout 30m ./... 2>&1
} | tee "${BENCH_OUT:-docs/bench.txt}"
