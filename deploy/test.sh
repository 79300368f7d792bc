#!/usr/bin/env bash
# test.sh - `make test`: every test against a real PostgreSQL. Unless FENGQIAO_DATABASE_URL
# names a server to use (a superuser or CREATEDB role: each test creates its own database), a
# private cluster is started in .local/pg-test (or, when the PostgreSQL user cannot reach the
# checkout, where deploy/localpg.sh moves it, saying where) and torn down afterwards. Its port is
# FENGQIAO_TEST_PORT, or a free one (so that two checkouts can run `make test` at once).
# The packages that run goroutines of their own run under the race detector (-race), the others
# without: see race_pkgs.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .local

if [ -n "${FENGQIAO_DATABASE_URL:-}" ]; then
	FENGQIAO_TEST_DATABASE_URL=$FENGQIAO_DATABASE_URL
else
	dir=.local/pg-test
	port=${FENGQIAO_TEST_PORT:-auto}
	trap 'deploy/localpg.sh destroy --dir "$dir" --port "$port" >&2 || true' EXIT
	FENGQIAO_TEST_DATABASE_URL=$(deploy/localpg.sh start --fast --dir "$dir" --port "$port")
fi
export FENGQIAO_TEST_DATABASE_URL
unset FENGQIAO_DATABASE_URL FENGQIAO_DATABASE_APP_URL FENGQIAO_HTTP_ADDR

# The browser tests (api/browsertest) drive Debian's chromium, with CJK fonts for the pages and
# their screenshots: installed when missing and running as root, as localpg.sh installs
# PostgreSQL; otherwise those tests skip, saying why.
have_pkg() { command -v dpkg >/dev/null 2>&1 && dpkg -s "$1" >/dev/null 2>&1; }
if ! command -v chromium >/dev/null 2>&1 || { command -v dpkg >/dev/null 2>&1 && ! have_pkg fonts-noto-cjk; }; then
	if [[ $EUID -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
		echo "test.sh: installing chromium and fonts-noto-cjk for the browser tests: apt-get update && apt-get install -y chromium fonts-noto-cjk" >&2
		if ! { apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium fonts-noto-cjk >&2; }; then
			echo "test.sh: apt-get could not install chromium: the browser tests will skip" >&2
		fi
	else
		echo "test.sh: no chromium or CJK fonts (sudo apt-get install -y chromium fonts-noto-cjk): the browser tests will skip or show boxes for Chinese" >&2
	fi
fi
export FENGQIAO_SCREENSHOTS=${FENGQIAO_SCREENSHOTS:-$PWD/.local/screenshots}
echo "test.sh: browser tests' screenshots in $FENGQIAO_SCREENSHOTS" >&2

echo "test.sh: go test against $FENGQIAO_TEST_DATABASE_URL" >&2
mkdir -p .local
log=.local/go-test.log
# Under the race detector, once each (not twice: -race costs time): the packages with goroutines of
# their own — the plugin host and SDK, the authorizer's policy reloads, the job workers, the API —
# and the store's watchers (its LISTEN/NOTIFY tests, by name); everything else without, the
# browser tests (api/browsertest) among them: the browser is the slow part, not our goroutines.
race_pkgs='/(core/pluginhost|plugins/sdk|core/authz|core/jobs)(/|$)|/api$'
store_watch_tests='^Test(WatchPolicies|NotifyDropsRepeatedPayloads)'
mapfile -t plain_pkgs < <(go list ./... | grep -Ev "$race_pkgs")
mapfile -t raced_pkgs < <(go list ./... | grep -E "$race_pkgs")
go_status=0 go_start=$SECONDS race_took=0
set +e
{
	go test -count=1 -timeout 20m -v -skip "$store_watch_tests" "$@" "${plain_pkgs[@]}" || go_status=1
	race_start=$SECONDS
	go test -race -count=1 -timeout 30m -v "$@" "${raced_pkgs[@]}" || go_status=1
	go test -race -count=1 -timeout 10m -v -run "$store_watch_tests" "$@" ./core/store || go_status=1
	race_took=$((SECONDS - race_start))
} >"$log" 2>&1
set -e
echo "test.sh: go test took $((SECONDS - go_start)) s, of which $race_took s under -race" >&2
# Package results and failures on the terminal; the verbose log stays in .local/go-test.log.
grep -Ev '^[[:space:]]*(=== (RUN|PAUSE|CONT|NAME)|--- PASS|PASS$)' "$log" || true
go_passed=$(grep -cE '^[[:space:]]*--- PASS' "$log" || true)
go_failed=$(grep -cE '^[[:space:]]*--- FAIL' "$log" || true)
go_skipped=$(grep -cE '^[[:space:]]*--- SKIP' "$log" || true)

# The shell tests: the local database script, and the external contract with the built binary.
# make build: the server and every plugin (bin/plugins/<name>), as an outside checker has them.
make --no-print-directory build >/dev/null
sh_status=0 sh_passed=0 sh_failed=0
for t in deploy/localpg_test.sh deploy/contract_test.sh; do
	set +e
	out=$(bash "$t" 2>&1)
	status=$?
	set -e
	echo "$out"
	p=$(echo "$out" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p' | tail -1)
	f=$(echo "$out" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p' | tail -1)
	[ "$status" -eq 0 ] || sh_status=1
	sh_passed=$((sh_passed + ${p:-0}))
	sh_failed=$((sh_failed + ${f:-1}))
done
if [ "$go_status" -ne 0 ] && [ "$go_failed" -eq 0 ]; then
	go_failed=1 # a build failure or a panic outside a test
fi
echo "go test: $go_passed passed (tests and subtests), $go_failed failed, $go_skipped skipped; shell tests: $sh_passed passed, $sh_failed failed"
echo "total: $((go_passed + sh_passed)) passed, $((go_failed + sh_failed)) failed"
if [ "$go_status" -ne 0 ] || [ "$sh_status" -ne 0 ]; then
	exit 1
fi
