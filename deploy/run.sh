#!/usr/bin/env bash
# run.sh - `make run`: build, start a private PostgreSQL unless FENGQIAO_DATABASE_URL is set,
# migrate, load the demo, print the logins and serve the API (Ctrl-C stops the server; the
# database keeps running, with the demo, for the next run: `deploy/localpg.sh stop` stops it).
# The private PostgreSQL's data is in .local/pg, or, when the PostgreSQL user cannot reach the
# checkout (a clone under /root, as root), where deploy/localpg.sh moves it (it says where).
# Ports: the API's address (FENGQIAO_HTTP_ADDR, default :8080) is the one the user knows, so a
# taken one stops the run with a clear message; the database's (54329) is internal, so when
# another program holds it the database takes a free one (LOCALPG_PORT fixes it).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .local

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

export FENGQIAO_HTTP_ADDR=${FENGQIAO_HTTP_ADDR:-:8080}
port=${FENGQIAO_HTTP_ADDR##*:}
if port_in_use "$port"; then
	echo "run.sh: error: port $port is already in use (another \`make run\`?): stop that program, or choose another address, e.g. FENGQIAO_HTTP_ADDR=:$((port + 1)) make run" >&2
	exit 1
fi

if [ -z "${FENGQIAO_DATABASE_URL:-}" ]; then
	if [ -z "${LOCALPG_PORT:-}" ] && ! deploy/localpg.sh status >/dev/null 2>&1 && port_in_use 54329; then
		echo "run.sh: port 54329 is taken by another program: the demo database takes a free port" >&2
		export LOCALPG_PORT=auto
	fi
	FENGQIAO_DATABASE_URL=$(deploy/localpg.sh start)
	echo "run.sh: private PostgreSQL at $FENGQIAO_DATABASE_URL (data in $(deploy/localpg.sh dir))" >&2
	# The keys live beside the private cluster they open (.local/keys.json, or next to a cluster
	# moved out of the clone): a clone deleted and made again at the same place finds the
	# cluster and its keys together, not a kept cluster whose sealed data new keys cannot open.
	if [ -z "${FENGQIAO_SECURITY_KEY_FILE:-}" ]; then
		keys="$(dirname "$(deploy/localpg.sh dir)")/keys.json"
		# Earlier versions kept them in .local/keys.json wherever the cluster was: move them.
		if [ "$(realpath -m "$keys")" != "$(realpath -m .local/keys.json)" ] && [ -f .local/keys.json ] && [ ! -f "$keys" ]; then
			mv .local/keys.json "$keys"
			echo "run.sh: moved .local/keys.json to $keys, beside the cluster" >&2
		fi
		export FENGQIAO_SECURITY_KEY_FILE=$keys
	fi
fi
export FENGQIAO_DATABASE_URL
export FENGQIAO_LOG_FORMAT=${FENGQIAO_LOG_FORMAT:-text}
export FENGQIAO_PLUGINS_DIR=${FENGQIAO_PLUGINS_DIR:-.local/plugins}
# The platform's keys live in this file (created 0600 on first use), never in the database.
export FENGQIAO_SECURITY_KEY_FILE=${FENGQIAO_SECURITY_KEY_FILE:-.local/keys.json}
echo "run.sh: the platform's keys are in $FENGQIAO_SECURITY_KEY_FILE (back it up: without it the sealed personal data cannot be read)" >&2

bin/fengqiao migrate
# A database of an earlier `make run` kept its keys in platform_secrets: move them to the key
# file (says "nothing to move" otherwise).
bin/fengqiao keys migrate
bin/fengqiao demo seed
# A hundredth of Shanghai's 2020 (19,430 cases) so that the figures have something to show;
# `bin/fengqiao demo generate --profile shanghai-2020` loads the full year into a fresh database.
if ! out=$(bin/fengqiao demo generate --profile shanghai-2020 --scale 0.01 2>&1); then
	case $out in
	*"already holds"*) echo "run.sh: the Shanghai 2020 demo year is already loaded" >&2 ;;
	*) echo "$out" >&2; exit 1 ;;
	esac
else
	echo "$out" | grep -v '^  ' || true
fi
# The repository's plugins (make build put them in bin/plugins); the example is enabled for
# Putuo (310107), the demo district.
for p in bin/plugins/*; do
	[ -x "$p" ] && bin/fengqiao plugin install "$p" | head -1
done
bin/fengqiao plugin enable example --tenant 310107 --settings '{"greeting":"欢迎使用枫桥 / welcome to Fengqiao"}'
cat <<MSG

枫桥 Fengqiao is starting.
  控制台 / Web console:  http://localhost:${port}/   (log in as any demo user below)
  接口 / API document:   http://localhost:${port}/api/v1/openapi.json

演示账号 / Demo logins:
$(bin/fengqiao demo logins | sed 's/^/  /')

Try the API:
  TOKEN=\$(curl -s -X POST localhost:${port}/api/v1/auth/login -H 'Content-Type: application/json' \\
    -d '{"username":"shanghai-admin","password":"demo-shanghai-2026"}' | sed 's/.*"token":"\([^"]*\)".*/\1/')
  curl -s -H "Authorization: Bearer \$TOKEN" localhost:${port}/api/v1/tenants/310107
  curl -s -H "Authorization: Bearer \$TOKEN" "localhost:${port}/api/v1/tenants/310000/stats?from=2020-01-01&to=2020-12-31&group_by=tenant"
  curl -s -o report.xlsx -H "Authorization: Bearer \$TOKEN" "localhost:${port}/api/v1/tenants/310000/reports/monthly?month=2020-06&format=xlsx"
  curl -s -X POST -H "Authorization: Bearer \$TOKEN" -H 'Content-Type: application/json' \\
    localhost:${port}/api/v1/tenants -d '{"code":"310104","with_offices":true}'
  curl -s -H "Authorization: Bearer \$TOKEN" localhost:${port}/api/v1/plugins          # installed plugins, health
  curl -s localhost:${port}/api/v1/tenants/310107/plugins/example/public/greeting      # a plugin's public route

MSG
exec bin/fengqiao serve
