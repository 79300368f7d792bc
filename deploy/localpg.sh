#!/usr/bin/env bash
# localpg.sh - manage a private, throw-away PostgreSQL cluster for development
# and tests, built from the PostgreSQL binaries installed on this machine.
#
# Usage: deploy/localpg.sh COMMAND [--dir DIR] [--port PORT] [--fast]
#
# Commands:
#   start        create (initdb) the cluster if needed, start it, create the
#                database "fengqiao", and print its URL on stdout
#   stop         stop the cluster (silent success when it is not running)
#   destroy      stop the cluster and remove DIR entirely
#   status       print "running on PORT" (exit 0) or "stopped" (exit 3)
#   url          print the URL of the cluster
#   dir          print the folder the cluster lives in (see "moved" below)
#   psql [ARGS]  run psql against the cluster as user fengqiao
#
# Options (flags win over the environment):
#   --dir DIR    cluster folder (env LOCALPG_DIR, default <repo>/.local/pg)
#   --port PORT  TCP port on 127.0.0.1 (env LOCALPG_PORT, default 54329);
#                "auto": the port the cluster last ran on if free, else the
#                first free one of LOCALPG_PORT_RANGE (default 54500-54999)
#                from a point that depends on DIR, so that checkouts differ
#   --fast       start with fsync/synchronous_commit/full_page_writes off
#                (for tests: data may be lost on an OS crash)
#
# Only the URL goes to stdout; everything else goes to stderr, so callers can
# write:  URL=$(deploy/localpg.sh start)
#
# PostgreSQL refuses to run as root. When this script runs as root it runs
# initdb/pg_ctl as the "postgres" system user (or creates a system user
# "fengqiao-pg" when there is none) and gives DIR to that user. When that user
# cannot enter the folder DIR is in (a checkout under /root, mode 700), the
# cluster is moved, by every command alike, to
# $LOCALPG_SPILL_BASE/fengqiao-pg-<user>-<hash of DIR's parent>/<name of DIR>
# (base /var/tmp; the folder owned by the server user, mode 700); start says
# where in one line, and `dir` prints it.

set -euo pipefail
umask 022

readonly PROG=localpg.sh
readonly DB_USER=fengqiao
readonly DB_NAME=fengqiao
readonly DEFAULT_PORT=54329
readonly DEFAULT_PORT_RANGE=54500-54999

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
REPO_ROOT=$(dirname -- "$SCRIPT_DIR")
readonly SCRIPT_DIR REPO_ROOT

# Filled in by parse_args / find_bins / setup_os_user.
CMD=
DIR=
PORT=
FAST=0
AUTO_PORT=0
ASKED_DIR=
PASSTHRU=()
BINDIR=
PG_CTL=
INITDB=
PSQL=
PG_OS_USER=

log() { printf '%s: %s\n' "$PROG" "$*" >&2; }
die() {
	printf '%s: error: %s\n' "$PROG" "$*" >&2
	exit 1
}
have() { command -v "$1" >/dev/null 2>&1; }

usage() {
	cat <<'EOF'
Usage: deploy/localpg.sh COMMAND [--dir DIR] [--port PORT] [--fast]

Commands:
  start        initdb if needed, start, create database "fengqiao", print URL
  stop         stop the cluster (no-op when stopped)
  destroy      stop the cluster and remove DIR
  status       "running on PORT" (exit 0) or "stopped" (exit 3)
  url          print postgres://fengqiao@127.0.0.1:PORT/fengqiao?sslmode=disable
  dir          print the folder the cluster lives in
  psql [ARGS]  run psql against the cluster as user fengqiao

Options (flags win over env):
  --dir DIR    cluster folder   (LOCALPG_DIR,  default <repo>/.local/pg)
  --port PORT  127.0.0.1 port   (LOCALPG_PORT, default 54329); "auto": the
               last port if free, else a free one of LOCALPG_PORT_RANGE
               (default 54500-54999)
  --fast       fsync=off, synchronous_commit=off, full_page_writes=off
EOF
}

usage_error() {
	printf '%s: %s\n\n' "$PROG" "$*" >&2
	usage >&2
	exit 2
}

parse_args() {
	if [[ $# -eq 0 ]]; then
		usage_error "missing COMMAND"
	fi
	CMD=$1
	shift
	case $CMD in
	-h | --help | help)
		usage
		exit 0
		;;
	start | stop | destroy | status | url | dir | psql) ;;
	*) usage_error "unknown command: $CMD" ;;
	esac

	local dir=${LOCALPG_DIR:-} port=${LOCALPG_PORT:-}
	while [[ $# -gt 0 ]]; do
		case $1 in
		--dir)
			[[ $# -ge 2 ]] || usage_error "--dir needs a value"
			dir=$2
			shift 2
			;;
		--dir=*)
			dir=${1#--dir=}
			shift
			;;
		--port)
			[[ $# -ge 2 ]] || usage_error "--port needs a value"
			port=$2
			shift 2
			;;
		--port=*)
			port=${1#--port=}
			shift
			;;
		--fast)
			FAST=1
			shift
			;;
		-h | --help)
			if [[ $CMD == psql ]]; then
				PASSTHRU=("$@")
				break
			fi
			usage
			exit 0
			;;
		--)
			shift
			PASSTHRU=("$@")
			break
			;;
		*)
			if [[ $CMD == psql ]]; then
				PASSTHRU=("$@")
				break
			fi
			usage_error "unknown argument: $1"
			;;
		esac
	done
	if [[ ${#PASSTHRU[@]} -gt 0 && $CMD != psql ]]; then
		usage_error "unexpected arguments after --: ${PASSTHRU[*]}"
	fi

	[[ -n $dir ]] || dir=$REPO_ROOT/.local/pg
	[[ $dir == /* ]] || dir=$PWD/$dir
	# Strip trailing slashes (but keep "/").
	while [[ $dir == */ && $dir != / ]]; do dir=${dir%/}; done
	[[ $dir != / ]] || die "refusing to use / as the cluster folder"
	# The parent's physical path, so that every command (and the moved folder's
	# name) sees one DIR whichever way it was spelled.
	local parent
	if parent=$(cd -- "${dir%/*}/" 2>/dev/null && pwd -P); then
		dir=${parent%/}/${dir##*/}
	fi
	DIR=$dir
	ASKED_DIR=$dir

	[[ -n $port ]] || port=$DEFAULT_PORT
	if [[ $port == auto ]]; then
		AUTO_PORT=1
		port=$DEFAULT_PORT # replaced by pick_ports on start
	fi
	if ! [[ $port =~ ^[0-9]+$ ]] || ((10#$port < 1 || 10#$port > 65535)); then
		usage_error "invalid port: $port (expected 1-65535)"
	fi
	PORT=$((10#$port))
}

# Paths derived from DIR.
data_dir() { printf '%s/data' "$DIR"; }
sock_dir() { printf '%s/socket' "$DIR"; }
log_file() { printf '%s/postgres.log' "$DIR"; }

url_for() {
	printf 'postgres://%s@127.0.0.1:%s/%s?sslmode=disable\n' "$DB_USER" "$1" "$DB_NAME"
}

resolve() {
	readlink -f -- "$1" 2>/dev/null || printf '%s' "$1"
}

# ---------------------------------------------------------------- binaries

bindir_ok() {
	[[ -n $1 && -x $1/pg_ctl && -x $1/initdb && -x $1/postgres ]]
}

# Print candidate directories under a glob, newest major version first.
versioned_dirs() {
	local pattern=$1 d
	for d in $pattern; do
		[[ -d $d ]] && printf '%s\n' "$d"
	done | awk '{ v = $0; gsub(/[^0-9.]/, " ", v); split(v, a, " "); print a[1] "\t" $0 }' |
		sort -t "$(printf '\t')" -k1,1Vr | cut -f2-
}

search_bins() {
	BINDIR=
	local p d
	# 1. PATH (resolve symlinks: pg_ctl looks for postgres next to its real file).
	if have pg_ctl; then
		p=$(command -v pg_ctl)
		d=$(dirname -- "$(resolve "$p")")
		if bindir_ok "$d"; then
			BINDIR=$d
		elif bindir_ok "$(dirname -- "$p")"; then
			BINDIR=$(dirname -- "$p")
		fi
	fi
	# 2. Debian/Ubuntu, 3. PGDG RPMs, 4. Homebrew.
	if [[ -z $BINDIR ]]; then
		while IFS= read -r d; do
			if bindir_ok "$d"; then
				BINDIR=$d
				break
			fi
		done < <(
			versioned_dirs '/usr/lib/postgresql/*/bin'
			versioned_dirs '/usr/pgsql-*/bin'
			versioned_dirs '/opt/homebrew/opt/postgresql*/bin'
			versioned_dirs '/usr/local/opt/postgresql*/bin'
		)
	fi
	[[ -n $BINDIR ]] || return 1
	PG_CTL=$BINDIR/pg_ctl
	INITDB=$BINDIR/initdb
	if [[ -x $BINDIR/psql ]]; then
		PSQL=$BINDIR/psql
	elif have psql; then
		PSQL=$(command -v psql)
	else
		PSQL=
	fi
	return 0
}

install_hint() {
	cat >&2 <<'EOF'
localpg.sh: error: no PostgreSQL server binaries (pg_ctl, initdb, postgres) found
  on PATH, in /usr/lib/postgresql/*/bin or in /usr/pgsql-*/bin.
  Install PostgreSQL, then retry:
    Debian/Ubuntu:  sudo apt-get install -y postgresql
    Fedora/RHEL:    sudo dnf install -y postgresql-server postgresql
    macOS:          brew install postgresql
  Or point Fengqiao at an existing server with FENGQIAO_DATABASE_URL.
EOF
}

# find_bins [install]: locate binaries; with "install", try apt-get as root.
find_bins() {
	search_bins && return 0
	if [[ ${1:-} == install && $EUID -eq 0 ]] && have apt-get; then
		log "no PostgreSQL binaries found; installing them: apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql"
		if apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql >&2; then
			hash -r
			search_bins && return 0
		fi
		log "apt-get install postgresql did not provide usable binaries"
	fi
	install_hint
	exit 1
}

require_psql() {
	[[ -n $PSQL ]] && return 0
	die "psql not found (looked in $BINDIR and on PATH); install the PostgreSQL client (e.g. sudo apt-get install -y postgresql-client)"
}

# ------------------------------------------------------- users and access

file_owner() {
	stat -c %U -- "$1" 2>/dev/null || stat -f %Su -- "$1" 2>/dev/null || true
}

# Pick the unprivileged OS user that runs PostgreSQL (root only).
setup_os_user() {
	PG_OS_USER=
	[[ $EUID -eq 0 ]] || return 0
	local owner
	# Keep using whoever already owns an existing cluster.
	if [[ -d $(data_dir) ]]; then
		owner=$(file_owner "$(data_dir)")
		if [[ -n $owner && $owner != root && $owner != UNKNOWN ]] && id -u "$owner" >/dev/null 2>&1; then
			PG_OS_USER=$owner
			return 0
		fi
	fi
	if id -u postgres >/dev/null 2>&1; then
		PG_OS_USER=postgres
	elif id -u fengqiao-pg >/dev/null 2>&1; then
		PG_OS_USER=fengqiao-pg
	else
		have useradd || die "running as root, no 'postgres' user, and useradd is missing: create an unprivileged user for PostgreSQL or run as a normal user"
		log "creating system user fengqiao-pg to run PostgreSQL (it refuses to run as root)"
		local shell=/usr/sbin/nologin
		[[ -x $shell ]] || shell=/bin/false
		useradd --system --no-create-home --home-dir /nonexistent --shell "$shell" fengqiao-pg >&2 ||
			die "useradd --system fengqiao-pg failed"
		PG_OS_USER=fengqiao-pg
	fi
}

# Run a command as the PostgreSQL OS user (directly when not root), from /,
# without the lock descriptor (so the postmaster never inherits the lock).
run_pg() {
	if [[ $EUID -eq 0 ]]; then
		if have runuser; then
			(cd / && runuser -u "$PG_OS_USER" -- "$@") 9>&-
		else
			local q
			printf -v q '%q ' "$@"
			(cd / && su -s /bin/bash -c "$q" "$PG_OS_USER") 9>&-
		fi
	else
		"$@" 9>&-
	fi
}

# ------------------------------------------------ where the cluster lives

# The folder clusters move to when the server user cannot reach the one asked
# for: one per folder holding DIR (so one per checkout: .local/pg and
# .local/pg-test share it), named after the invoking user.
spill_home() {
	local base=${LOCALPG_SPILL_BASE:-/var/tmp} h
	h=$(printf '%s' "${ASKED_DIR%/*}" | cksum | awk '{ printf "%08x", $1 }')
	printf '%s/fengqiao-pg-%s-%s' "${base%/}" "$(id -un)" "$h"
}

# Can the server user enter DIR (or, while it does not exist yet, the nearest
# folder above it that does)?
reachable() {
	local p=$DIR
	while [[ ! -e $p && $p == /* && $p != / ]]; do p=${p%/*}; done
	[[ -n $p ]] || p=/
	run_pg test -x "$p"
}

# As root, move DIR to spill_home when the server user cannot reach it (a
# checkout under a mode-700 home folder): deterministic, so stop, destroy,
# status, url and psql find the cluster start put there.
place_cluster() {
	[[ $EUID -eq 0 ]] || return 0
	reachable && return 0
	DIR=$(spill_home)/${ASKED_DIR##*/}
	# The moved cluster may already exist: keep its owner.
	setup_os_user
}

# Explain which folder on the way to DIR the PostgreSQL user cannot enter.
explain_access() {
	local who=${PG_OS_USER:-$(id -un)} path='' part
	local -a parts
	IFS=/ read -r -a parts <<<"${DIR#/}"
	for part in "${parts[@]}"; do
		[[ -n $part ]] || continue
		path=$path/$part
		if ! run_pg test -x "$path"; then
			die "PostgreSQL runs as user '$who', which cannot enter $path (mode $(stat -c %A -- "$path" 2>/dev/null || echo '?')). Make every parent folder of $DIR world-traversable (e.g. chmod o+x $path) or pick another folder with --dir DIR or LOCALPG_DIR."
		fi
	done
	die "PostgreSQL runs as user '$who', which cannot write to $DIR; fix its permissions or pick another folder with --dir DIR or LOCALPG_DIR."
}

# Create DIR (owned by the PostgreSQL user) and check that user can use it.
prepare_dir() {
	if [[ $DIR != "$ASKED_DIR" ]]; then
		local home=${DIR%/*}
		mkdir -p -- "$home" || die "cannot create $home"
		chown -- "$PG_OS_USER:" "$home"
		chmod 0700 "$home"
		log "PostgreSQL runs as user '$PG_OS_USER', which cannot reach $ASKED_DIR: the cluster lives in $DIR instead"
	fi
	mkdir -p -- "$DIR" || die "cannot create $DIR"
	DIR=$(cd -- "$DIR" && pwd -P)
	if [[ $EUID -eq 0 ]]; then
		chown -- "$PG_OS_USER:" "$DIR"
		chmod 0755 "$DIR"
	fi
	if ! run_pg test -x "$DIR" || ! run_pg test -w "$DIR"; then
		explain_access
	fi
}

# Serialise concurrent invocations on DIR/.lock (when flock exists); the lock
# is held on descriptor 9 until this script exits.
take_lock() {
	have flock || return 0
	[[ -d $DIR ]] || return 0
	local lock=$DIR/.lock
	exec 9>>"$lock" || die "cannot open lock file $lock"
	if ! flock -n 9; then
		log "waiting for another localpg.sh on $DIR to finish..."
		flock -w 300 9 || die "timed out waiting for the lock $lock"
	fi
}

# ---------------------------------------------------------- cluster state

pid_file() { printf '%s/postmaster.pid' "$(data_dir)"; }

# Line N of postmaster.pid (1 = pid, 4 = port).
pid_file_line() {
	sed -n "${1}p" "$(pid_file)" 2>/dev/null | tr -d '[:space:]'
}

# Is PID a live postgres process? (Guards against PID reuse after a crash.)
pid_is_postgres() {
	local pid=$1 comm state
	[[ $pid =~ ^[0-9]+$ ]] || return 1
	if [[ -d /proc ]] && [[ -r /proc/self/comm ]]; then
		[[ -r /proc/$pid/comm ]] || return 1
		comm=$(cat "/proc/$pid/comm" 2>/dev/null) || return 1
		[[ $comm == postgres* || $comm == postmaster* ]] || return 1
		# A killed postmaster whose parent (often PID 1 in a container) has
		# not reaped it yet is a zombie: treat it as dead.
		state=$(sed -n 's/^.*) \([A-Za-z]\).*$/\1/p' "/proc/$pid/stat" 2>/dev/null) || return 1
		[[ $state != Z && $state != X && $state != x ]]
	else
		kill -0 "$pid" 2>/dev/null || [[ $(ps -p "$pid" -o comm= 2>/dev/null) == *postgres* ]]
	fi
}

is_running() {
	[[ -f $(data_dir)/PG_VERSION && -f $(pid_file) ]] || return 1
	if [[ -n $PG_CTL ]]; then
		run_pg "$PG_CTL" status -D "$(data_dir)" >/dev/null 2>&1 || return 1
	fi
	pid_is_postgres "$(pid_file_line 1)"
}

running_port() {
	local p
	p=$(pid_file_line 4)
	[[ $p =~ ^[0-9]+$ ]] && printf '%s' "$p" || printf '%s' "$PORT"
}

# After a crash, PostgreSQL itself ignores lock files whose PID is gone, but
# not those whose PID was reused by another process or is an unreaped zombie.
# Called only when the cluster is known not to be running; the socket folder
# is private to this cluster.
clear_stale_locks() {
	[[ -d /proc && -r /proc/self/stat ]] || return 0
	local f pid
	for f in "$(pid_file)" "$(sock_dir)"/.s.PGSQL.*.lock; do
		[[ -f $f ]] || continue
		pid=$(sed -n '1p' "$f" 2>/dev/null | tr -d '[:space:]')
		if [[ $pid =~ ^-?[0-9]+$ ]] && [[ -d /proc/${pid#-} ]] && ! pid_is_postgres "${pid#-}"; then
			log "removing stale lock file $f (PID ${pid#-} is not a running PostgreSQL)"
			rm -f -- "$f"
			if [[ $f == *.lock && $f != "$(pid_file)" ]]; then
				rm -f -- "${f%.lock}"
			fi
		fi
	done
}

port_in_use() {
	local port=$1
	# shellcheck disable=SC2016 # $1 is expanded by the inner bash
	if have timeout; then
		timeout 3 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$port" 2>/dev/null
	else
		bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$port" 2>/dev/null
	fi
}

# The ports --port auto tries, in order: the one the cluster last ran on, then
# every port of LOCALPG_PORT_RANGE from a point that depends on DIR (so that
# two checkouts do not race for the same first port).
candidate_ports() {
	local range=${LOCALPG_PORT_RANGE:-$DEFAULT_PORT_RANGE} first last span h i
	[[ $range =~ ^([0-9]+)-([0-9]+)$ ]] || die "invalid LOCALPG_PORT_RANGE: $range (expected FIRST-LAST)"
	first=$((10#${BASH_REMATCH[1]}))
	last=$((10#${BASH_REMATCH[2]}))
	((first >= 1 && last <= 65535 && first <= last)) || die "invalid LOCALPG_PORT_RANGE: $range"
	sed -n 's/^port = \([0-9][0-9]*\)$/\1/p' "$(data_dir)/localpg.conf" 2>/dev/null | tail -n 1 || true
	span=$((last - first + 1))
	h=$(printf '%s' "$DIR" | cksum | cut -d ' ' -f 1)
	for ((i = 0; i < span; i++)); do
		echo $((first + (h + i) % span))
	done
}

port_taken_message() {
	die "port $1 on 127.0.0.1 is already in use by another program. Choose another port with --port PORT or LOCALPG_PORT=PORT (e.g. LOCALPG_PORT=$(($1 + 1)) make run), or stop whatever listens there."
}

# ---------------------------------------------------------------- actions

conf_quote() {
	local s=$1
	s=${s//\\/\\\\}
	s=${s//\'/\'\'}
	printf "'%s'" "$s"
}

init_cluster() {
	local data locale=C.UTF-8
	data=$(data_dir)
	if [[ -e $data ]]; then
		log "removing incomplete cluster folder $data (no PG_VERSION)"
		rm -rf -- "$data"
	fi
	if have locale && ! locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$'; then
		locale=C
	fi
	local -a opts=(-D "$data" -U "$DB_USER" --auth=trust --encoding=UTF8)
	if "$INITDB" --help 2>/dev/null | grep -q -- '--no-instructions'; then
		opts+=(--no-instructions)
	fi
	if [[ $FAST -eq 1 ]]; then
		opts+=(--no-sync)
	fi
	log "initialising a new PostgreSQL cluster in $data (locale $locale)"
	if ! run_pg "$INITDB" "${opts[@]}" --locale="$locale" >&2; then
		if [[ $locale == C ]]; then
			die "initdb failed (see above)"
		fi
		log "initdb with locale C.UTF-8 failed; retrying with locale C"
		rm -rf -- "$data"
		run_pg "$INITDB" "${opts[@]}" --locale=C >&2 ||
			die "initdb failed (see above)"
	fi
}

write_conf() {
	local data conf tmp sock
	data=$(data_dir)
	conf=$data/localpg.conf
	tmp=$conf.tmp
	sock=$(sock_dir)

	mkdir -p -- "$sock"
	if [[ $EUID -eq 0 ]]; then chown -- "$PG_OS_USER:" "$sock"; fi
	chmod 0755 "$sock"

	{
		echo "# Written by deploy/localpg.sh on every start; do not edit."
		echo "listen_addresses = '127.0.0.1'"
		echo "port = $PORT"
		# Unix socket paths are limited to ~107 bytes; we connect over TCP anyway.
		if ((${#sock} + 20 > 107)); then
			log "socket folder path is too long for a Unix socket; using TCP only"
			echo "unix_socket_directories = ''"
		else
			echo "unix_socket_directories = $(conf_quote "$sock")"
		fi
		echo "max_connections = 100"
		if [[ $FAST -eq 1 ]]; then
			echo "fsync = off"
			echo "synchronous_commit = off"
			echo "full_page_writes = off"
		fi
	} >"$tmp"
	if [[ $EUID -eq 0 ]]; then chown -- "$PG_OS_USER:" "$tmp"; fi
	mv -f -- "$tmp" "$conf"

	if ! grep -q "^include_if_exists = 'localpg.conf'" "$data/postgresql.conf"; then
		printf "\n# Added by deploy/localpg.sh\ninclude_if_exists = 'localpg.conf'\n" >>"$data/postgresql.conf"
	fi
}

psql_admin() {
	PGCONNECT_TIMEOUT=10 "$PSQL" -X -q -v ON_ERROR_STOP=1 \
		"host=127.0.0.1 port=$1 user=$DB_USER dbname=postgres sslmode=disable" "${@:2}"
}

ensure_db() {
	local port=$1 exists
	require_psql
	local try
	for try in $(seq 1 20); do
		if exists=$(psql_admin "$port" -tA -c "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'" 2>/dev/null); then
			break
		fi
		if [[ $try -eq 20 ]]; then
			psql_admin "$port" -c 'SELECT 1' >/dev/null || true
			die "cannot connect to PostgreSQL on 127.0.0.1:$port (see $(log_file))"
		fi
		sleep 0.5
	done
	if [[ $exists != 1 ]]; then
		log "creating database $DB_NAME"
		psql_admin "$port" -c "CREATE DATABASE $DB_NAME" >&2 || die "CREATE DATABASE $DB_NAME failed"
	fi
}

cmd_start() {
	find_bins install
	setup_os_user
	place_cluster
	prepare_dir
	take_lock

	if is_running; then
		local running
		running=$(running_port)
		if [[ $AUTO_PORT -eq 0 && $running != "$PORT" ]]; then
			log "cluster in $DIR is already running on port $running (not $PORT); stop it first to change the port"
		fi
		ensure_db "$running"
		url_for "$running"
		return 0
	fi

	clear_stale_locks
	if [[ $AUTO_PORT -eq 0 ]] && port_in_use "$PORT"; then
		port_taken_message "$PORT"
	fi
	if [[ ! -f $(data_dir)/PG_VERSION ]]; then
		init_cluster
	fi
	if [[ $AUTO_PORT -eq 0 ]]; then
		start_on "$PORT" || die "could not start PostgreSQL"
	else
		# Another checkout may take a port between the check and the start:
		# then the next one.
		local p tries=0 started=0
		while IFS= read -r p; do
			port_in_use "$p" && continue
			PORT=$p
			if start_on "$PORT"; then
				started=1
				break
			fi
			tries=$((tries + 1))
			((tries < 10)) || break
		done < <(candidate_ports)
		[[ $started -eq 1 ]] || die "could not start PostgreSQL on a free port of ${LOCALPG_PORT_RANGE:-$DEFAULT_PORT_RANGE}"
	fi
	ensure_db "$PORT"
	url_for "$PORT"
}

# start_on PORT: write the configuration and start the server on PORT; fails
# (1) when the port turned out to be taken, dies on any other failure.
start_on() {
	PORT=$1
	write_conf
	local seen
	seen=0
	if [[ -f $(log_file) ]]; then seen=$(wc -l <"$(log_file)"); fi
	log "starting PostgreSQL ($BINDIR) on 127.0.0.1:$PORT, data in $(data_dir), log in $(log_file)"
	run_pg "$PG_CTL" -D "$(data_dir)" -l "$(log_file)" -w -t 60 start >&2 && return 0
	if tail -n +"$((seen + 1))" -- "$(log_file)" 2>/dev/null | grep -q 'Address already in use'; then
		[[ $AUTO_PORT -eq 1 ]] && {
			log "port $PORT was taken meanwhile; trying another"
			return 1
		}
		port_taken_message "$PORT"
	fi
	log "pg_ctl start failed; last 30 lines of $(log_file):"
	tail -n 30 -- "$(log_file)" >&2 2>/dev/null || true
	die "could not start PostgreSQL"
}

stop_locked() {
	[[ -f $(data_dir)/PG_VERSION ]] || return 0
	if [[ -z $PG_CTL ]]; then
		search_bins || true
	fi
	if [[ -z $PG_CTL ]]; then
		if [[ -f $(pid_file) ]] && pid_is_postgres "$(pid_file_line 1)"; then
			die "PostgreSQL seems to run from $(data_dir) but pg_ctl was not found"
		fi
		return 0
	fi
	is_running || return 0
	log "stopping PostgreSQL in $(data_dir)"
	run_pg "$PG_CTL" -D "$(data_dir)" -w -t 60 stop -m fast >&2 || die "pg_ctl stop failed"
}

cmd_stop() {
	search_bins || true
	setup_os_user
	place_cluster
	[[ -d $DIR ]] || return 0
	take_lock
	stop_locked
}

# Refuse to rm -rf a folder that does not look like one of ours.
check_destroyable() {
	local entry name
	for entry in "$DIR"/* "$DIR"/.[!.]* "$DIR"/..?*; do
		[[ -e $entry || -L $entry ]] || continue
		name=${entry##*/}
		case $name in
		data | socket | postgres.log | .lock) ;;
		*) die "refusing to remove $DIR: it contains '$name', which localpg.sh did not create" ;;
		esac
	done
}

cmd_destroy() {
	search_bins || true
	setup_os_user
	place_cluster
	[[ -e $DIR ]] || return 0
	[[ -d $DIR ]] || die "$DIR is not a folder"
	DIR=$(cd -- "$DIR" && pwd -P)
	[[ $DIR != "$REPO_ROOT" && $DIR != / && $DIR != "${HOME:-/}" ]] || die "refusing to remove $DIR"
	check_destroyable
	take_lock
	stop_locked
	log "removing $DIR"
	rm -rf -- "$DIR"
	if [[ $DIR != "$ASKED_DIR" ]]; then
		# The moved cluster's folder goes with its last cluster.
		rmdir -- "${DIR%/*}" 2>/dev/null || true
	fi
}

cmd_status() {
	search_bins || true
	setup_os_user
	place_cluster
	if [[ -d $DIR ]] && is_running; then
		echo "running on $(running_port)"
		return 0
	fi
	echo "stopped"
	return 3
}

cmd_url() {
	search_bins || true
	setup_os_user
	place_cluster
	if [[ -d $DIR ]] && is_running; then
		url_for "$(running_port)"
	else
		url_for "$PORT"
	fi
}

cmd_dir() {
	setup_os_user
	place_cluster
	printf '%s\n' "$DIR"
}

cmd_psql() {
	search_bins || true
	setup_os_user
	place_cluster
	if [[ -z $PSQL ]]; then
		have psql || die "psql not found; install the PostgreSQL client (e.g. sudo apt-get install -y postgresql-client)"
		PSQL=$(command -v psql)
	fi
	if ! { [[ -d $DIR ]] && is_running; }; then
		die "the cluster in $DIR is not running; start it with: deploy/localpg.sh start"
	fi
	PGHOST=127.0.0.1 PGPORT=$(running_port) PGUSER=$DB_USER PGDATABASE=$DB_NAME PGSSLMODE=disable \
		exec "$PSQL" "${PASSTHRU[@]}"
}

main() {
	parse_args "$@"
	case $CMD in
	start) cmd_start ;;
	stop) cmd_stop ;;
	destroy) cmd_destroy ;;
	status) cmd_status ;;
	url) cmd_url ;;
	dir) cmd_dir ;;
	psql) cmd_psql ;;
	esac
}

main "$@"
