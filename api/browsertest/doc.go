// Package browsertest drives the web console in headless Chromium (Debian's chromium package,
// through the DevTools protocol with chromedp): the product runs as in the api tests — a real
// database, the whole application behind an httptest server — and each test works a fresh
// incognito context of one browser per test binary. The harness checks every page it visits with
// axe-core (no serious or critical violation), fails a test on any JavaScript error or
// Content-Security-Policy violation the page reports, and saves screenshots under
// $FENGQIAO_SCREENSHOTS (default .local/screenshots of the checkout).
//
// The tests skip, saying so, when no chromium can be found; deploy/test.sh (make test) installs
// chromium and fonts-noto-cjk with apt-get when it runs as root. FENGQIAO_CHROMIUM names
// another browser binary. The package has only tests.
package browsertest
