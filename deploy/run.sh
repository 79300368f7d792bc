#!/usr/bin/env bash
# run.sh - `make run`: build, start a private PostgreSQL unless FENGQIAO_DATABASE_URL is set,
# migrate, load the demo, print the logins and serve the API (Ctrl-C stops the server; the
# database keeps running: `deploy/localpg.sh stop` stops it).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .local

if [ -z "${FENGQIAO_DATABASE_URL:-}" ]; then
	FENGQIAO_DATABASE_URL=$(deploy/localpg.sh start)
	echo "run.sh: private PostgreSQL at $FENGQIAO_DATABASE_URL (data in .local/pg)" >&2
fi
export FENGQIAO_DATABASE_URL
export FENGQIAO_HTTP_ADDR=${FENGQIAO_HTTP_ADDR:-:8080}
export FENGQIAO_LOG_FORMAT=${FENGQIAO_LOG_FORMAT:-text}
export FENGQIAO_PLUGINS_DIR=${FENGQIAO_PLUGINS_DIR:-.local/plugins}
# The platform's keys live in this file (created 0600 on first use), never in the database.
export FENGQIAO_SECURITY_KEY_FILE=${FENGQIAO_SECURITY_KEY_FILE:-.local/keys.json}

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
port=${FENGQIAO_HTTP_ADDR##*:}
cat <<MSG

枫桥 Fengqiao is starting on http://localhost:${port}  (API document: /api/v1/openapi.json)
Try:
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
