#!/usr/bin/env bash
# Self-test for deploy/localpg.sh: runs a throw-away cluster in a temp folder
# on a random port and checks start/idempotence/status/stop/restart/destroy.
#
# Usage: bash deploy/localpg_test.sh
# Prints "N passed, 0 failed" and exits 0 on success; otherwise names the
# failing step, shows the captured stderr, and exits 1. The temporary cluster
# is always destroyed on exit.

set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
LOCALPG=$SCRIPT_DIR/localpg.sh
unset LOCALPG_DIR LOCALPG_PORT

BASE=$(mktemp -d "${TMPDIR:-/tmp}/localpg-test.XXXXXX")
# When run as root, PostgreSQL runs as another user, which must be able to
# traverse the temp folder (mktemp creates it 0700).
chmod 0755 "$BASE"
DIR=$BASE/pg
OTHER_DIR=$BASE/other
ERR=$BASE/stderr.txt

PASSED=0
FAILED=0
OUT=
RC=0

cleanup() {
	local rc=$?
	if [[ -d $DIR ]]; then
		"$LOCALPG" destroy --dir "$DIR" >/dev/null 2>&1 || true
	fi
	if [[ -d $OTHER_DIR ]]; then
		"$LOCALPG" destroy --dir "$OTHER_DIR" >/dev/null 2>&1 || true
	fi
	rm -rf -- "$BASE"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_in_use() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

PORT=
for _ in $(seq 1 50); do
	candidate=$((55000 + RANDOM % 1000))
	if ! port_in_use "$candidate"; then
		PORT=$candidate
		break
	fi
done
if [[ -z $PORT ]]; then
	echo "could not find a free port in 55000-55999" >&2
	exit 1
fi
WANT_URL="postgres://fengqiao@127.0.0.1:$PORT/fengqiao?sslmode=disable"
URL_RE='^postgres://fengqiao@127\.0\.0\.1:[0-9]+/fengqiao\?sslmode=disable$'

PSQL=$(command -v psql 2>/dev/null || true)
if [[ -z $PSQL ]]; then
	for p in /usr/lib/postgresql/*/bin/psql /usr/pgsql-*/bin/psql; do
		[[ -x $p ]] && PSQL=$p
	done
fi

pass() {
	PASSED=$((PASSED + 1))
	printf 'ok    %s\n' "$1"
}

fail() {
	FAILED=$((FAILED + 1))
	printf 'FAIL  %s: %s\n' "$1" "$2"
	if [[ -s $ERR ]]; then
		echo "  stderr:"
		sed 's/^/    | /' "$ERR"
	fi
	if [[ -f $DIR/postgres.log ]]; then
		echo "  last lines of $DIR/postgres.log:"
		tail -n 15 "$DIR/postgres.log" | sed 's/^/    | /'
	fi
	printf '%s passed, %s failed\n' "$PASSED" "$FAILED"
	exit 1
}

# lp ARGS...: run localpg.sh; stdout -> $OUT, stderr -> $ERR, exit code -> $RC.
lp() {
	if OUT=$("$LOCALPG" "$@" 2>"$ERR"); then RC=0; else RC=$?; fi
}

# q URL SQL: run one statement with psql as a plain TCP client.
q() {
	if OUT=$("$PSQL" -X -q -tA -v ON_ERROR_STOP=1 "$1" -c "$2" 2>"$ERR"); then RC=0; else RC=$?; fi
}

echo "localpg self-test: dir=$DIR port=$PORT"

# 1. start
step="start --fast"
lp start --dir "$DIR" --port "$PORT" --fast
[[ $RC -eq 0 ]] || fail "$step" "exit code $RC"
pass "$step"

step="start prints exactly one URL line on stdout"
[[ $(printf '%s\n' "$OUT" | wc -l) -eq 1 ]] || fail "$step" "stdout was: $OUT"
[[ $OUT =~ $URL_RE ]] || fail "$step" "'$OUT' does not match $URL_RE"
[[ $OUT == "$WANT_URL" ]] || fail "$step" "got '$OUT', want '$WANT_URL'"
URL=$OUT
pass "$step"

step="psql URL -c 'select 1'"
[[ -n $PSQL ]] || fail "$step" "psql not found"
q "$URL" 'select 1'
[[ $RC -eq 0 && $OUT == 1 ]] || fail "$step" "exit $RC, output '$OUT'"
pass "$step"

step="create a table with a row"
q "$URL" "create table localpg_probe (v text); insert into localpg_probe values ('kept')"
[[ $RC -eq 0 ]] || fail "$step" "exit $RC"
pass "$step"

# 2. idempotent start
step="second start is a no-op with the same URL"
lp start --dir "$DIR" --port "$PORT" --fast
[[ $RC -eq 0 ]] || fail "$step" "exit code $RC"
[[ $OUT == "$URL" ]] || fail "$step" "got '$OUT', want '$URL'"
pass "$step"

step="status while running"
lp status --dir "$DIR" --port "$PORT"
[[ $RC -eq 0 ]] || fail "$step" "exit code $RC (want 0)"
[[ $OUT == "running on $PORT" ]] || fail "$step" "output '$OUT'"
pass "$step"

step="status via LOCALPG_DIR/LOCALPG_PORT env"
if OUT=$(LOCALPG_DIR=$DIR LOCALPG_PORT=$PORT "$LOCALPG" status 2>"$ERR"); then RC=0; else RC=$?; fi
[[ $RC -eq 0 && $OUT == "running on $PORT" ]] || fail "$step" "exit $RC, output '$OUT'"
pass "$step"

step="url"
lp url --dir "$DIR" --port "$PORT"
[[ $RC -eq 0 && $OUT == "$URL" ]] || fail "$step" "exit $RC, output '$OUT'"
pass "$step"

step="localpg.sh psql -c"
lp psql --dir "$DIR" --port "$PORT" -tA -c 'select current_user || current_database()'
[[ $RC -eq 0 && $OUT == fengqiaofengqiao ]] || fail "$step" "exit $RC, output '$OUT'"
pass "$step"

step="start on a port in use fails and names the port"
lp start --dir "$OTHER_DIR" --port "$PORT" --fast
[[ $RC -ne 0 ]] || fail "$step" "exit code 0, stdout '$OUT'"
[[ -z $OUT ]] || fail "$step" "printed a URL: '$OUT'"
grep -q "port $PORT" "$ERR" || fail "$step" "stderr does not mention port $PORT"
grep -q -- '--port' "$ERR" || fail "$step" "stderr does not explain --port"
pass "$step"

# 3. stop
step="stop"
lp stop --dir "$DIR" --port "$PORT"
[[ $RC -eq 0 ]] || fail "$step" "exit code $RC"
pass "$step"

step="status after stop"
lp status --dir "$DIR" --port "$PORT"
[[ $RC -eq 3 ]] || fail "$step" "exit code $RC (want 3)"
[[ $OUT == stopped ]] || fail "$step" "output '$OUT'"
pass "$step"

step="stop when already stopped is a silent success"
lp stop --dir "$DIR" --port "$PORT"
[[ $RC -eq 0 && -z $OUT && ! -s $ERR ]] || fail "$step" "exit $RC, output '$OUT'"
pass "$step"

# 4. restart (two concurrent starts) keeps the data
step="two concurrent starts after stop"
"$LOCALPG" start --dir "$DIR" --port "$PORT" --fast >"$BASE/a.out" 2>"$BASE/a.err" &
pid_a=$!
"$LOCALPG" start --dir "$DIR" --port "$PORT" --fast >"$BASE/b.out" 2>"$BASE/b.err" &
pid_b=$!
rc_a=0 rc_b=0
wait "$pid_a" || rc_a=$?
wait "$pid_b" || rc_b=$?
cat "$BASE/a.err" "$BASE/b.err" >"$ERR"
[[ $rc_a -eq 0 && $rc_b -eq 0 ]] || fail "$step" "exit codes $rc_a and $rc_b"
[[ $(cat "$BASE/a.out") == "$URL" && $(cat "$BASE/b.out") == "$URL" ]] ||
	fail "$step" "URLs '$(cat "$BASE/a.out")' and '$(cat "$BASE/b.out")', want '$URL'"
pass "$step"

step="data kept across restart"
q "$URL" 'select v from localpg_probe'
[[ $RC -eq 0 && $OUT == kept ]] || fail "$step" "exit $RC, output '$OUT'"
pass "$step"

# 5. destroy
step="destroy removes DIR"
lp destroy --dir "$DIR" --port "$PORT"
[[ $RC -eq 0 ]] || fail "$step" "exit code $RC"
[[ ! -e $DIR ]] || fail "$step" "$DIR still exists"
pass "$step"

step="status after destroy"
lp status --dir "$DIR" --port "$PORT"
[[ $RC -eq 3 && $OUT == stopped ]] || fail "$step" "exit $RC, output '$OUT'"
pass "$step"

step="port is free again"
! port_in_use "$PORT" || fail "$step" "something still listens on $PORT"
pass "$step"

printf '%s passed, %s failed\n' "$PASSED" "$FAILED"
