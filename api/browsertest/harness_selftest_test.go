package browsertest

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The harness itself: what it must catch, it catches (a check that cannot fail proves nothing).

func TestHarnessCatchesCSPViolationsAndErrors(t *testing.T) {
	tb := newTab(t, newSite(t))
	tb.open("/login")
	if got := tb.reported(); len(got) != 0 {
		t.Fatalf("the login page reported %v", got)
	}
	// An inline script, as an injected one would be: the page's CSP refuses it and says so.
	tb.do(chromedp.Evaluate[chromedp.Void](`(function () { var s = document.createElement("script"); s.textContent = "window.__inline = 1"; document.body.appendChild(s); })()`))
	// An error thrown by a script of the page.
	tb.do(chromedp.Evaluate[chromedp.Void](`setTimeout(function () { throw new Error("harness probe"); }, 0); undefined`))
	var got []string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		tb.mu.Lock()
		got = append([]string(nil), tb.problems...)
		tb.mu.Unlock()
		if strings.Contains(strings.Join(got, "\n"), "CSP violation") && strings.Contains(strings.Join(got, "\n"), "harness probe") {
			break
		}
	}
	all := strings.Join(tb.reported(), "\n")
	if !strings.Contains(all, "CSP violation") || !strings.Contains(all, "script-src") {
		t.Errorf("the inline script's CSP violation was not reported: %q", all)
	}
	if !strings.Contains(all, "harness probe") {
		t.Errorf("the thrown error was not reported: %q", all)
	}
	if eval[bool](tb, `window.__inline === 1`) {
		t.Error("the inline script ran despite the CSP")
	}
}

func TestHarnessAxeFindsViolations(t *testing.T) {
	tb := newTab(t, newSite(t))
	tb.open("/login")
	tb.do(chromedp.Evaluate[chromedp.Void](`document.querySelector("label[for=username]").remove(); undefined`))
	var found bool
	for _, v := range tb.axeViolations() {
		if v.ID == "label" && (v.Impact == "critical" || v.Impact == "serious") {
			found = true
		}
	}
	if !found {
		t.Error("axe did not find an input without a label")
	}
}
