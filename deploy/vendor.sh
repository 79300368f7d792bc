#!/usr/bin/env bash
# vendor.sh - `make vendor`: refresh the console's vendored front-end files from the npm registry
# at the pinned versions below, and rewrite their SHA-256 list. Needs npm (Node) only here:
# `make run` and `make test` use the committed files, embedded in the binary (go:embed), and a
# test checks them against api/console/assets/vendor/SHA256SUMS.
set -euo pipefail
cd "$(dirname "$0")/.."
# package@version  file-in-package  vendored-name
pins=(
	"htmx.org@2.0.11 dist/htmx.min.js htmx.min.js"
	"@alpinejs/csp@3.17.4 dist/cdn.min.js alpine-csp.min.js"
	"echarts@6.1.0 dist/echarts.min.js echarts.min.js"
	"axe-core@4.14.1 axe.min.js axe.min.js"
)
command -v npm >/dev/null || { echo "vendor.sh: npm is needed to refresh the vendored files (make run and make test do not need it)" >&2; exit 1; }
out=api/console/assets/vendor
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"
for pin in "${pins[@]}"; do
	read -r pkg file name <<<"$pin"
	tgz=$tmp/$(cd "$tmp" && npm pack --silent "$pkg" | tail -1)
	mkdir -p "$tmp/x"
	tar -xzf "$tgz" -C "$tmp/x"
	cp "$tmp/x/package/$file" "$out/$name"
	cp "$tmp/x/package/LICENSE"* "$out/$name.LICENSE" 2>/dev/null || true
	rm -rf "$tmp/x" "$tgz"
	echo "vendor.sh: $pkg $file -> $out/$name" >&2
done
printf '%s\n' "${pins[@]}" >"$out/VERSIONS"
(cd "$out" && sha256sum -- *.js | sort -k2 >SHA256SUMS)
echo "vendor.sh: wrote $out/SHA256SUMS" >&2
