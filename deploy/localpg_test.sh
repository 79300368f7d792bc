#!/usr/bin/env bash
# Self-test for deploy/localpg.sh: runs a throw-away cluster in a temp folder
# on a random port and checks start/idempotence/status/stop/restart/destroy,
# --port auto (a free port, kept across restarts, another when taken) and, as
# root, a cluster asked for in a folder the server user cannot enter (moved).
#
# Usage: bash deploy/localpg_test.sh
# Prints "N passed, 0 failed" and exits 0 on success; otherwise names the
# failing step, shows the captured stderr, and exits 1. The temporary cluster
# is always destroyed on exit.

set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
LOCALPG=$SCRIPT_DIR/localpg.sh
unset LOCALPG_DIR LOCALPG_PORT LOCALPG_PORT_RANGE LOCALPG_SPILL_BASE

BASE=$(mktemp -d "${TMPDIR:-/tmp}/localpg-test.XXXXXX")
# When run as root, PostgreSQL runs as another user, which must be able to
# traverse the temp folder (mktemp creates it 0700).
chmod 0755 "$BASE"
DIR=$BASE/pg
OTHER_DIR=$BASE/other
AUTO_DIR=$BASE/auto
# A home folder the server user cannot enter, and where its cluster moves to.
LOCKED_DIR=$BASE/home/fq/.local/pg
SPILL=$BASE/spill
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
	local d
	for d in "$OTHER_DIR" "$AUTO_DIR"; do
		if [[ -d $d ]]; then
			"$LOCALPG" destroy --dir "$d" >/dev/null 2>&1 || true
		fi
	done
	if [[ -d $SPILL ]]; then
		LOCALPG_SPILL_BASE=$SPILL "$LOCALPG" destroy --dir "$LOCKED_DIR" >/dev/null 2>&1 || true
	fi
	rm -rf -- "$BASE"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_in_use() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# pick_port: a random port of 55000-55999 that is free now (another program may take it before
# the first start: that start then picks again).
pick_port() {
	PORT=
	local candidate
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
}
pick_port
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
for _ in 1 2 3 4 5; do
	lp start --dir "$DIR" --port "$PORT" --fast
	if [[ $RC -eq 0 ]] || ! grep -q "port $PORT on 127.0.0.1 is already in use" "$ERR"; then
		break
	fi
	echo "      port $PORT was taken meanwhile; another"
	pick_port
done
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

step="make run (run.sh) refuses a taken HTTP port before anything else, and says what to do"
# The database URL is a dead one: had run.sh gone on, it would fail on it, not on the port.
if OUT=$(FENGQIAO_DATABASE_URL=postgres://nobody@127.0.0.1:1/none FENGQIAO_HTTP_ADDR=127.0.0.1:$PORT \
	bash "$SCRIPT_DIR/run.sh" 2>"$ERR"); then RC=0; else RC=$?; fi
[[ $RC -eq 1 ]] || fail "$step" "exit code $RC (want 1)"
grep -q "port $PORT is already in use" "$ERR" || fail "$step" "stderr does not name port $PORT"
grep -q "FENGQIAO_HTTP_ADDR=:$((PORT + 1)) make run" "$ERR" || fail "$step" "stderr does not say how to choose another address"
[[ $(wc -l <"$ERR") -eq 1 ]] || fail "$step" "more than the one line: run.sh went on"
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

# 6. --port auto: a free port of the range, kept across restarts, another one
# when something else took it meanwhile.
RANGE_FIRST=$((PORT < 55500 ? PORT + 1 : PORT - 100))
export LOCALPG_PORT_RANGE=$RANGE_FIRST-$((RANGE_FIRST + 49))
in_range() { [[ $1 =~ ^[0-9]+$ ]] && (($1 >= RANGE_FIRST && $1 < RANGE_FIRST + 50)); }
url_port() {
	local u=${1##*:}
	printf '%s' "${u%%/*}"
}

step="start --port auto takes a free port of LOCALPG_PORT_RANGE"
lp start --dir "$AUTO_DIR" --port auto --fast
[[ $RC -eq 0 ]] || fail "$step" "exit code $RC"
[[ $OUT =~ $URL_RE ]] || fail "$step" "'$OUT' does not match $URL_RE"
AUTO_PORT=$(url_port "$OUT")
in_range "$AUTO_PORT" || fail "$step" "port $AUTO_PORT not in $LOCALPG_PORT_RANGE"
AUTO_URL=$OUT
pass "$step"

step="start --port auto again is a no-op with the same URL"
lp start --dir "$AUTO_DIR" --port auto --fast
[[ $RC -eq 0 && $OUT == "$AUTO_URL" ]] || fail "$step" "exit $RC, got '$OUT', want '$AUTO_URL'"
pass "$step"

step="after a stop, --port auto starts on the same port"
lp stop --dir "$AUTO_DIR" --port auto
[[ $RC -eq 0 ]] || fail "$step" "stop: exit code $RC"
lp start --dir "$AUTO_DIR" --port auto --fast
[[ $RC -eq 0 && $OUT == "$AUTO_URL" ]] || fail "$step" "exit $RC, got '$OUT', want '$AUTO_URL'"
pass "$step"

step="--port auto takes another free port when its own is taken"
lp stop --dir "$AUTO_DIR" --port auto
[[ $RC -eq 0 ]] || fail "$step" "stop: exit code $RC"
lp start --dir "$OTHER_DIR" --port "$AUTO_PORT" --fast
[[ $RC -eq 0 ]] || fail "$step" "starting another cluster on $AUTO_PORT: exit code $RC"
lp start --dir "$AUTO_DIR" --port auto --fast
[[ $RC -eq 0 ]] || fail "$step" "exit code $RC"
NEW_PORT=$(url_port "$OUT")
{ [[ $NEW_PORT != "$AUTO_PORT" ]] && in_range "$NEW_PORT"; } ||
	fail "$step" "got port $NEW_PORT (taken: $AUTO_PORT, range $LOCALPG_PORT_RANGE)"
lp status --dir "$AUTO_DIR" --port auto
[[ $RC -eq 0 && $OUT == "running on $NEW_PORT" ]] || fail "$step" "status: exit $RC, output '$OUT'"
pass "$step"

step="destroy the --port auto clusters"
lp destroy --dir "$AUTO_DIR" --port auto
[[ $RC -eq 0 && ! -e $AUTO_DIR ]] || fail "$step" "exit $RC"
lp destroy --dir "$OTHER_DIR"
[[ $RC -eq 0 && ! -e $OTHER_DIR ]] || fail "$step" "other: exit $RC"
pass "$step"
unset LOCALPG_PORT_RANGE

# 7. As root, PostgreSQL runs as another user: a cluster asked for in a folder
# that user cannot enter (a clone under /root, mode 700) moves, by itself, to
# a folder it can reach, and every command finds it there.
if [[ $EUID -ne 0 ]]; then
	echo "skip  a cluster in a folder the server user cannot enter (only as root: the server user is then another one)"
else
	export LOCALPG_SPILL_BASE=$SPILL
	mkdir -p "$BASE/home/fq/.local"
	chmod 0700 "$BASE/home"

	step="start in a folder the server user cannot enter moves the cluster and says where"
	lp start --dir "$LOCKED_DIR" --port "$PORT" --fast
	[[ $RC -eq 0 && $OUT == "$WANT_URL" ]] || fail "$step" "exit $RC, stdout '$OUT'"
	lp dir --dir "$LOCKED_DIR"
	MOVED=$OUT
	[[ $RC -eq 0 && $MOVED == "$SPILL"/fengqiao-pg-"$(id -un)"-*/pg ]] || fail "$step" "dir printed '$MOVED'"
	lp start --dir "$LOCKED_DIR" --port "$PORT" --fast
	[[ $(grep -c "cannot reach $LOCKED_DIR: the cluster lives in $MOVED instead" "$ERR") -eq 1 ]] ||
		fail "$step" "stderr does not say where the cluster lives (in one line)"
	[[ -f $MOVED/data/PG_VERSION && ! -e $LOCKED_DIR ]] || fail "$step" "no cluster in $MOVED, or something in $LOCKED_DIR"
	pass "$step"

	step="the moved cluster's folder belongs to the server user, mode 700"
	home=${MOVED%/*}
	owner=$(stat -c %U "$home")
	[[ $owner != root && $(stat -c %a "$home") == 700 ]] || fail "$step" "$home: owner $owner, mode $(stat -c %a "$home")"
	pass "$step"

	step="status, url and psql find the moved cluster"
	lp status --dir "$LOCKED_DIR"
	[[ $RC -eq 0 && $OUT == "running on $PORT" ]] || fail "$step" "status: exit $RC, output '$OUT'"
	lp url --dir "$LOCKED_DIR"
	[[ $RC -eq 0 && $OUT == "$WANT_URL" ]] || fail "$step" "url: exit $RC, output '$OUT'"
	lp psql --dir "$LOCKED_DIR" -q -tA -c "create table moved_probe (v text); insert into moved_probe values ('kept'); select 1"
	[[ $RC -eq 0 && $OUT == 1 ]] || fail "$step" "psql: exit $RC, output '$OUT'"
	pass "$step"

	step="stop and start again keep the moved cluster's data"
	lp stop --dir "$LOCKED_DIR"
	[[ $RC -eq 0 ]] || fail "$step" "stop: exit $RC"
	lp status --dir "$LOCKED_DIR"
	[[ $RC -eq 3 ]] || fail "$step" "status after stop: exit $RC, output '$OUT'"
	lp start --dir "$LOCKED_DIR" --port "$PORT" --fast
	[[ $RC -eq 0 && $OUT == "$WANT_URL" ]] || fail "$step" "start: exit $RC, stdout '$OUT'"
	q "$WANT_URL" 'select v from moved_probe'
	[[ $RC -eq 0 && $OUT == kept ]] || fail "$step" "exit $RC, output '$OUT'"
	pass "$step"

	step="destroy removes the moved cluster and its folder"
	lp destroy --dir "$LOCKED_DIR"
	[[ $RC -eq 0 && ! -e $MOVED && ! -e $home ]] || fail "$step" "exit $RC; $home still there?"
	! port_in_use "$PORT" || fail "$step" "something still listens on $PORT"
	pass "$step"
	unset LOCALPG_SPILL_BASE
fi

printf '%s passed, %s failed\n' "$PASSED" "$FAILED"
