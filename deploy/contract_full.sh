#!/usr/bin/env bash
# contract_full.sh - the insight contract at full scale, from outside: a fresh database, the
# complete shanghai-2020 profile (1,943,000 cases) loaded with `fengqiao demo generate`, then
# getStats over HTTP must say 0.6871 for Shanghai in 2020 and 0.9516 for Putuo's court-referred
# cases, and `fengqiao stats rebuild --check` must find the maintained figures equal to the
# cases. Takes several minutes; CI runs it after `make test` (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -n "${FENGQIAO_DATABASE_URL:-}" ]; then
	admin_url=$FENGQIAO_DATABASE_URL
else
	dir=.local/pg-full
	pgport=${FENGQIAO_FULL_PORT:-54359}
	trap 'deploy/localpg.sh destroy --dir "$dir" --port "$pgport" >&2 || true' EXIT
	admin_url=$(deploy/localpg.sh start --fast --dir "$dir" --port "$pgport")
fi
if ! command -v psql >/dev/null; then
	for d in /usr/lib/postgresql/*/bin /usr/pgsql-*/bin; do [ -x "$d/psql" ] && PATH=$d:$PATH; done
fi
go build -o bin/fengqiao ./cmd/fengqiao

passed=0 failed=0
ok() { echo "ok    $1"; passed=$((passed + 1)); }
bad() { echo "FAIL  $1"; failed=$((failed + 1)); }
check() { # name, expected, actual
	if [ "$2" = "$3" ]; then ok "$1"; else bad "$1 (want $2, got $3)"; fi
}

db=fq_full_$$
psql -q "$admin_url" -c "CREATE DATABASE $db" >/dev/null
url=$(echo "$admin_url" | sed -E "s#/[^/?]+(\?|$)#/$db\1#")
port=$((57000 + RANDOM % 1000))
log=$(mktemp)
keydir=$(mktemp -d) # the platform's keys: a key file of this run, never the database
pid=
cleanup_db() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	psql -q "$admin_url" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
	rm -f "$log"
	rm -rf "$keydir"
}
trap 'cleanup_db; [ -n "${dir:-}" ] && deploy/localpg.sh destroy --dir "$dir" --port "$pgport" >&2 || true' EXIT

fq() { env -i PATH="$PATH" HOME="${HOME:-/tmp}" FENGQIAO_DATABASE_URL="$url" FENGQIAO_SECURITY_KEY_FILE="$keydir/keys.json" FENGQIAO_LOG_LEVEL=error bin/fengqiao "$@"; }
fq migrate >/dev/null
fq admin create --username full-root --password full-pass-123 --role national-admin >/dev/null
start=$(date +%s)
fq demo generate --profile shanghai-2020 | grep -v '^  '
echo "demo generate: $(($(date +%s) - start)) s"

env -i PATH="$PATH" HOME="${HOME:-/tmp}" FENGQIAO_DATABASE_URL="$url" FENGQIAO_SECURITY_KEY_FILE="$keydir/keys.json" FENGQIAO_HTTP_ADDR="127.0.0.1:$port" FENGQIAO_LOG_LEVEL=error bin/fengqiao serve >"$log" 2>&1 &
pid=$!
base="http://127.0.0.1:$port"
for _ in $(seq 100); do
	curl -fs "$base/healthz" >/dev/null 2>&1 && break
	sleep 0.1
done
token=$(curl -s -X POST "$base/api/v1/auth/login" -H 'Content-Type: application/json' -d '{"username":"full-root","password":"full-pass-123"}' | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
field() { echo "$1" | sed -n "s/.*\"$2\":\\([0-9.]*\\).*/\\1/p"; }
sh=$(curl -s -H "Authorization: Bearer $token" "$base/api/v1/tenants/310000/stats?from=2020-01-01&to=2020-12-31")
check "310000 2020 received" 1943000 "$(field "$sh" received)"
check "310000 2020 concluded" 1943000 "$(field "$sh" concluded)"
check "310000 2020 succeeded" 1335000 "$(field "$sh" succeeded)"
check "310000 2020 success_rate" 0.6871 "$(field "$sh" success_rate)"
pt=$(curl -s -H "Authorization: Bearer $token" "$base/api/v1/tenants/310107/stats?from=2020-01-01&to=2020-12-31&source=court")
check "310107 2020 source=court received" 7513 "$(field "$pt" received)"
check "310107 2020 source=court succeeded" 7149 "$(field "$pt" succeeded)"
check "310107 2020 source=court success_rate" 0.9516 "$(field "$pt" success_rate)"
kill "$pid"
wait "$pid" 2>/dev/null || true
pid=
start=$(date +%s)
if fq stats rebuild --check --tenant 310000 | tail -1; then ok "stats rebuild --check: maintained = recomputed"; else bad "stats rebuild --check"; fi
echo "stats rebuild --check: $(($(date +%s) - start)) s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
