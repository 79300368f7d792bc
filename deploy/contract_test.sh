#!/usr/bin/env bash
# contract_test.sh - the external contract (foundation, cases, insight, access, plugins), checked from outside with the
# built binary and curl, as an outside checker would: migrate, bootstrap an administrator,
# serve with only FENGQIAO_DATABASE_URL, FENGQIAO_HTTP_ADDR, FENGQIAO_HTTP_METRICS_TOKEN and
# FENGQIAO_SECURITY_KEY_FILE set (a fresh key file, as `make run` makes one), then the HTTP contract;
# no key in the database.
# Needs FENGQIAO_TEST_DATABASE_URL (a superuser URL; test.sh sets it) and bin/fengqiao.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${FENGQIAO_TEST_DATABASE_URL:?set by deploy/test.sh}"
if ! command -v psql >/dev/null; then
	for d in /usr/lib/postgresql/*/bin /usr/pgsql-*/bin; do [ -x "$d/psql" ] && PATH=$d:$PATH; done
fi

passed=0 failed=0
ok() { echo "ok    $1"; passed=$((passed + 1)); }
bad() { echo "FAIL  $1"; failed=$((failed + 1)); }
try() { # name, command...
	local name=$1
	shift
	if "$@" >/dev/null; then ok "$name"; else bad "$name"; fi
}
check() { # name, expected, actual
	if [ "$2" = "$3" ]; then ok "$1"; else bad "$1 (want $2, got $3)"; fi
}

db=fq_contract_$$
admin_url=$FENGQIAO_TEST_DATABASE_URL
psql -q "$admin_url" -c "CREATE DATABASE $db" >/dev/null
url=$(echo "$admin_url" | sed -E "s#/[^/?]+(\?|$)#/$db\1#")
port=$((56000 + RANDOM % 1000))
log=$(mktemp)
keydir=$(mktemp -d)
keys=$keydir/keys/keys.json
cleanup() {
	[ -n "${pid:-}" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	psql -q "$admin_url" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
	rm -f "$log"
	rm -rf "$keydir"
}
trap cleanup EXIT

fq() { env -i PATH="$PATH" HOME="${HOME:-/tmp}" FENGQIAO_DATABASE_URL="$url" FENGQIAO_SECURITY_KEY_FILE="$keys" bin/fengqiao "$@"; }
try "migrate" fq migrate
try "admin create national-admin" fq admin create --username contract-root --password contract-pass-1 --role national-admin

metrics_token=contract-metrics-token-$$-0123456789
env -i PATH="$PATH" HOME="${HOME:-/tmp}" FENGQIAO_DATABASE_URL="$url" FENGQIAO_SECURITY_KEY_FILE="$keys" FENGQIAO_HTTP_ADDR="127.0.0.1:$port" FENGQIAO_HTTP_METRICS_TOKEN="$metrics_token" bin/fengqiao serve >"$log" 2>&1 &
pid=$!
base="http://127.0.0.1:$port"
for _ in $(seq 100); do
	curl -fs "$base/healthz" >/dev/null 2>&1 && break
	sleep 0.1
done
check "GET /healthz" 200 "$(curl -s -o /dev/null -w '%{http_code}' "$base/healthz")"
check "GET /api/v1/healthz" 200 "$(curl -s -o /dev/null -w '%{http_code}' "$base/api/v1/healthz")"
check "GET /api/v1/openapi.json" 200 "$(curl -s -o /dev/null -w '%{http_code}' "$base/api/v1/openapi.json")"

# Keys: in the key file (0600, its folder 0700), none in the database, none readable by the app role.
check "the key file is 0600" 600 "$(stat -c %a "$keys" 2>/dev/null)"
check "its folder is 0700" 700 "$(stat -c %a "$(dirname "$keys")" 2>/dev/null)"
check "platform_secrets is empty" 0 "$(psql -XAtq "$url" -c 'SELECT count(*) FROM platform_secrets')"
case $(psql -XAtq "$url" -c 'SET ROLE fengqiao_app' -c 'SELECT count(*) FROM platform_secrets' 2>&1) in
*"permission denied"*) ok "the application role cannot read platform_secrets" ;;
*) bad "the application role cannot read platform_secrets" ;;
esac

token() { curl -s -X POST "$base/api/v1/auth/login" -H 'Content-Type: application/json' -d "{\"username\":\"$1\",\"password\":\"$2\"}" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p'; }
root=$(token contract-root contract-pass-1)
try "login returns a token" test -n "$root"
check "login with a wrong password" 401 "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$base/api/v1/auth/login" -H 'Content-Type: application/json' -d '{"username":"contract-root","password":"nope-nope-1"}')"

post() { curl -s -o /dev/stderr -w '%{http_code}' -X POST -H "Authorization: Bearer $1" -H 'Content-Type: application/json' "$base$2" -d "$3" 2>/dev/null; }
check "POST /api/v1/tenants 310107 → 201" 201 "$(post "$root" /api/v1/tenants '{"code":"310107"}')"
check "POST /api/v1/tenants 310107 again → 200" 200 "$(post "$root" /api/v1/tenants '{"code":"310107"}')"
body=$(curl -s -H "Authorization: Bearer $root" "$base/api/v1/tenants/310107")
for field in '"code":"310107"' '"name":"普陀区"' '"level":"district"' '"parent_code":"310100"' '"status":"active"'; do
	case $body in *"$field"*) ok "GET /api/v1/tenants/310107 has $field" ;; *) bad "GET /api/v1/tenants/310107 has $field: $body" ;; esac
done
check "POST /api/v1/tenants 370104 → 201" 201 "$(post "$root" /api/v1/tenants '{"code":"370104"}')"

# A district administrator bootstrapped from the command line while the server runs.
try "admin create district-admin --tenant 370104" fq admin create --username contract-huaiyin --password contract-pass-2 --role district-admin --tenant 370104
district=$(token contract-huaiyin contract-pass-2)
code=000
for _ in $(seq 50); do # the server reloads its rules on the change notification
	code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $district" "$base/api/v1/tenants/370104")
	[ "$code" = 200 ] && break
	sleep 0.1
done
check "district admin reads its district" 200 "$code"
check "district admin cannot see another district" 404 "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $district" "$base/api/v1/tenants/310107")"
check "district admin cannot onboard" 403 "$(post "$district" /api/v1/tenants '{"code":"370105"}')"
check "malformed JSON → 400" 400 "$(post "$root" /api/v1/tenants '{"code":')"
check "street code → 400" 400 "$(post "$root" /api/v1/tenants '{"code":"310107001"}')"

# Historical cases: uploaded by the district's administrator, and from the command line.
csv=$'tenant,title,dispute_type,source,received_at,status,concluded_at,applicant_name\n370104,历史案件,neighbour,walk_in,2024-05-06,succeeded,2024-05-20,张三\n'
upload() { curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $1" -H 'Content-Type: text/csv' --data-binary "$3" "$base$2"; }
check "district admin imports a CSV into its district" 200 "$(upload "$district" /api/v1/tenants/370104/cases/import "$csv")"
check "district admin cannot import into another district" 404 "$(upload "$district" /api/v1/tenants/310107/cases/import "$csv")"
check "an invalid row imports nothing → 422" 422 "$(upload "$district" /api/v1/tenants/370104/cases/import "${csv/历史案件/}")"
rejected=$(mktemp --suffix .csv)
try "fengqiao case import --skip-invalid (310118 is not onboarded: its row is rejected)" \
	fq case import --skip-invalid --rejected "$rejected" docs/examples/cases-import.csv
try "the rejected file names the line and field" grep -q 'line 4: tenant' "$rejected"
rm -f "$rejected"

# Insight: a thousandth of the shanghai-2020 profile, then getStats from outside.
try "fengqiao demo generate --profile shanghai-2020 --scale 0.001" fq demo generate --profile shanghai-2020 --scale 0.001
stats=$(curl -s -H "Authorization: Bearer $root" "$base/api/v1/tenants/310000/stats?from=2020-01-01&to=2020-12-31")
check "getStats 310000 2020: received" 1943 "$(echo "$stats" | sed -n 's/.*"received":\([0-9]*\).*/\1/p')"
check "getStats 310000 2020: succeeded" 1335 "$(echo "$stats" | sed -n 's/.*"succeeded":\([0-9]*\).*/\1/p')"
check "getStats 310000 2020: success_rate" 0.6871 "$(echo "$stats" | sed -n 's/.*"success_rate":\([0-9.]*\).*/\1/p')"
court=$(curl -s -H "Authorization: Bearer $root" "$base/api/v1/tenants/310107/stats?from=2020-01-01&to=2020-12-31&source=court")
check "getStats 310107 source=court: received" 8 "$(echo "$court" | sed -n 's/.*"received":\([0-9]*\).*/\1/p')"
check "district admin of 370104 cannot read Shanghai's figures" 404 "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $district" "$base/api/v1/tenants/310000/stats")"
try "fengqiao stats rebuild --check agrees" fq stats rebuild --check --tenant 310000

# Cross-agency access: the operations of the contract, an agency's token, a rule, a decision explained.
openapi=$(curl -s "$base/api/v1/openapi.json")
for op in listPolicies addPolicy removePolicy explainDecision createCaseShare revokeCaseShare createAgencyToken; do
	case $openapi in *"\"operationId\":\"$op\""*) ok "OpenAPI has $op" ;; *) bad "OpenAPI has $op" ;; esac
done
auth=(-H "Authorization: Bearer $district" -H 'Content-Type: application/json')
org=$(curl -s -X POST "${auth[@]}" "$base/api/v1/tenants/370104/organisations" -d '{"kind":"court","name":"济南市槐荫区人民法院"}' | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
try "an agency is registered" test -n "$org"
agency=$(curl -s -X POST "${auth[@]}" "$base/api/v1/tenants/370104/organisations/$org/tokens" -d '{"name":"法院诉调对接系统"}' | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
try "createAgencyToken returns a token" test -n "$agency"
check "the court's system sees none of the district's cases (it referred none)" '{"items":[]}' "$(curl -s -H "Authorization: Bearer $agency" "$base/api/v1/tenants/370104/cases")"
check "the court's system cannot edit rules" 403 "$(post "$agency" /api/v1/tenants/370104/policies '{"role":"agency-system","resource":"cases","action":"read","relationship":"member"}')"
rule=$(curl -s -X POST "${auth[@]}" "$base/api/v1/tenants/370104/policies" -d '{"role":"agency-system","resource":"cases","action":"read","relationship":"member"}')
rule_id=$(echo "$rule" | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
try "addPolicy returns the rule" test -n "$rule_id"
check "with the rule the court's system sees the district's cases" 200 "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $agency" "$base/api/v1/tenants/370104/cases")"
case $(curl -s -H "Authorization: Bearer $agency" "$base/api/v1/tenants/370104/cases") in *'"title":"历史案件"'*) ok "the court's system lists the imported case" ;; *) bad "the court's system lists the imported case" ;; esac
explain=$(curl -s -H "Authorization: Bearer $district" "$base/api/v1/tenants/370104/policies/explain?username=contract-huaiyin&resource=cases&action=read")
for field in '"allowed":' '"relationship":' '"rule":'; do
	case $explain in *"$field"*) ok "explainDecision answers $field" ;; *) bad "explainDecision answers $field: $explain" ;; esac
done
check "removePolicy → 204" 204 "$(curl -s -o /dev/null -w '%{http_code}' -X DELETE -H "Authorization: Bearer $district" "$base/api/v1/tenants/370104/policies/$rule_id")"
check "without the rule the court's system sees nothing again" '{"items":[]}' "$(curl -s -H "Authorization: Bearer $agency" "$base/api/v1/tenants/370104/cases")"

# Plugin platform: make build built bin/plugins/example; check it, install it from the command
# line while the server runs (the server follows the catalog), enable it, call its routes.
plugdir=$(mktemp -d)
fqp() { env -i PATH="$PATH" HOME="${HOME:-/tmp}" FENGQIAO_DATABASE_URL="$url" FENGQIAO_SECURITY_KEY_FILE="$keys" FENGQIAO_PLUGINS_DIR="$plugdir" bin/fengqiao "$@"; }
try "bin/plugins/example was built" test -x bin/plugins/example
try "plugin check bin/plugins/example exits 0" fqp plugin check bin/plugins/example
manifest=$(fqp plugin check --json bin/plugins/example 2>/dev/null)
for field in '"name": "example"' '"version": "' '"protocol_version": 1' '"regions": [' '"hooks": [' '"routes": ['; do
	case $manifest in *"$field"*) ok "plugin check --json prints $field" ;; *) bad "plugin check --json prints $field" ;; esac
done
if fqp plugin check /bin/true >/dev/null 2>&1; then bad "plugin check /bin/true fails"; else ok "plugin check /bin/true fails"; fi
case $(fqp plugin check /bin/true 2>&1) in *"not a Fengqiao plugin"*) ok "plugin check /bin/true says why" ;; *) bad "plugin check /bin/true says why" ;; esac
try "plugin install bin/plugins/example" fqp plugin install bin/plugins/example
sum=$(sha256sum bin/plugins/example | cut -d' ' -f1)
list=$(fqp plugin list)
case $list in *example*1.0.0*"$sum"*) ok "plugin list shows name, version, SHA-256" ;; *) bad "plugin list shows name, version, SHA-256: $list" ;; esac
code=000
for _ in $(seq 50); do # the server loads the catalog on its change notification
	code=$(curl -s -o /dev/null -w '%{http_code}' -X PUT -H "Authorization: Bearer $root" -H 'Content-Type: application/json' "$base/api/v1/tenants/310107/plugins/example" -d '{"settings":{"greeting":"您好"}}')
	[ "$code" = 200 ] && break
	sleep 0.1
done
check "enableTenantPlugin 310107 example" 200 "$code"
check "not in Jinan (regions 31)" 400 "$(curl -s -o /dev/null -w '%{http_code}' -X PUT -H "Authorization: Bearer $root" -H 'Content-Type: application/json' "$base/api/v1/tenants/370104/plugins/example" -d '{}')"
case $(curl -s "$base/api/v1/tenants/310107/plugins/example/public/greeting") in *'"greeting":"您好"'*) ok "the plugin's public route, without login" ;; *) bad "the plugin's public route, without login" ;; esac
check "its other routes need a login" 401 "$(curl -s -o /dev/null -w '%{http_code}' "$base/api/v1/tenants/310107/plugins/example/hello")"
check "and the caller's jurisdiction" 404 "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $district" "$base/api/v1/tenants/310107/plugins/example/hello")"
try "admin create district-staff --tenant 310107" fq admin create --username contract-putuo --password contract-pass-3 --role district-staff --tenant 310107
staff=$(token contract-putuo contract-pass-3)
for _ in $(seq 50); do # the new user's role arrives by notification
	[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $staff" "$base/api/v1/tenants/310107/cases")" = 200 ] && break
	sleep 0.1
done
check "the before-hook refuses a title with 禁止" 422 "$(post "$staff" /api/v1/tenants/310107/cases '{"title":"禁止停车纠纷","dispute_type":"neighbour","source":"walk_in","parties":[{"name":"张三","role":"applicant"},{"name":"李四","role":"respondent"}]}')"
check "and lets another title through" 201 "$(post "$staff" /api/v1/tenants/310107/cases '{"title":"停车位纠纷","dispute_type":"neighbour","source":"walk_in","parties":[{"name":"张三","role":"applicant"},{"name":"李四","role":"respondent"}]}')"
check "/metrics without the metrics token → 401" 401 "$(curl -s -o /dev/null -w '%{http_code}' "$base/metrics")"
case $(curl -s -H "Authorization: Bearer $metrics_token" "$base/metrics") in *'fengqiao_plugin_up{plugin="example"} 1'*) ok "/metrics shows the plugin up" ;; *) bad "/metrics shows the plugin up" ;; esac

# A second server killed with SIGKILL: its plugin process dies with it.
port2=$((port + 1000))
env -i PATH="$PATH" HOME="${HOME:-/tmp}" FENGQIAO_DATABASE_URL="$url" FENGQIAO_SECURITY_KEY_FILE="$keys" FENGQIAO_HTTP_ADDR="127.0.0.1:$port2" bin/fengqiao serve >/dev/null 2>&1 &
pid2=$!
child=
for _ in $(seq 100); do
	child=$(pgrep -P "$pid2" -f "$plugdir/" || true)
	[ -n "$child" ] && break
	sleep 0.1
done
try "the second server runs the plugin" test -n "$child"
kill -9 "$pid2"
wait "$pid2" 2>/dev/null || true
gone=
for _ in $(seq 30); do
	kill -0 "$child" 2>/dev/null || { gone=yes; break; }
	sleep 0.1
done
check "a plugin process dies with a server killed by SIGKILL" yes "$gone"

kill "$pid" && wait "$pid" 2>/dev/null
pid=
try "graceful shutdown on SIGTERM" grep -q '"msg":"shutting down"' "$log"
left=yes
for _ in $(seq 30); do
	pgrep -f "$plugdir/" >/dev/null || { left=; break; }
	sleep 0.1
done
check "no plugin process outlives the server" "" "$left"
rm -rf "$plugdir"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
