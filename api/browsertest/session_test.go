package browsertest

import (
	"strings"
	"testing"

	"time"

	"github.com/chromedp/chromedp"
)

// The console's sessions in a real browser: login, a wrong password, logout and the back
// button, the idle timeout, a tampered CSRF token, the language switch, a phone.

func TestLoginPage(t *testing.T) {
	tb := newTab(t, newSite(t))
	tb.open("/login")
	if h := tb.text("h1"); !strings.Contains(h, "登录") {
		t.Errorf("heading %q", h)
	}
	tb.axe()
	tb.shot("login")
}

func TestLoginWrongPassword(t *testing.T) {
	tb := newTab(t, newSite(t))
	tb.open("/login")
	tb.login("putuo-admin", "wrong-password-1")
	if loc := tb.location(); !strings.HasPrefix(loc, "/login") {
		t.Fatalf("after a wrong password: %s", loc)
	}
	// The message is by the form, and the username stays filled in.
	msg := tb.text("form[action='/login'] ~ .problem, .login .problem")
	if !strings.Contains(msg, "用户名或密码") && !strings.Contains(msg, "密码") {
		t.Errorf("message %q", msg)
	}
	if v := eval[string](tb, `document.getElementById("username").value`); v != "putuo-admin" {
		t.Errorf("username after the error %q", v)
	}
	tb.axe()
	tb.shot("wrong-password")
}

func TestLoginToDashboard(t *testing.T) {
	tb := newTab(t, newSite(t))
	tb.open("/login")
	tb.login("putuo-admin", password)
	if loc := tb.location(); loc != "/" {
		t.Fatalf("after login: %s", loc)
	}
	if who := tb.text(".who"); !strings.Contains(who, "普陀区") {
		t.Errorf("header %q", who)
	}
	// The scripts loaded and ran under the CSP: htmx, Alpine (its component is live), ECharts.
	if !eval[bool](tb, `!!(window.htmx && window.Alpine && window.echarts)`) {
		t.Error("htmx, Alpine or ECharts did not load")
	}
	if got := eval[string](tb, `document.querySelector(".menu-toggle").getAttribute("aria-expanded")`); got != "false" {
		t.Errorf("the Alpine menu is not bound: aria-expanded %q", got)
	}
	tb.axe()
	tb.shot("dashboard")
}

func TestLogoutAndBack(t *testing.T) {
	tb := newTab(t, newSite(t))
	tb.open("/login")
	tb.login("putuo-admin", password)
	tb.shot("dashboard")
	tb.clickAndWait("form.logout button")
	if loc := tb.location(); loc != "/login" {
		t.Fatalf("after logout: %s", loc)
	}
	// Back: the dashboard is not shown again (no-store pages, the session is over).
	tb.back()
	if loc := tb.location(); !strings.HasPrefix(loc, "/login") {
		t.Errorf("back after logout shows %s", loc)
	}
	if html := eval[string](tb, `document.body.innerText`); strings.Contains(html, "工作台") || strings.Contains(html, "普陀区") {
		t.Errorf("back after logout shows the dashboard: %q", html)
	}
	tb.shot("back-after-logout")
}

func TestSessionExpiry(t *testing.T) {
	const idle = 5 * time.Second // this site's console.idle_timeout
	tb := newTab(t, newSite(t, siteOptions{idle: idle}))
	tb.open("/login")
	tb.login("putuo-staff", password)
	if loc := tb.location(); loc != "/" {
		t.Fatalf("after login: %s", loc)
	}
	// The page stays open, unused, for the idle timeout; then the user clicks.
	time.Sleep(idle + 200*time.Millisecond)
	tb.clickAndWait("a.brand")
	if loc := tb.location(); !strings.HasPrefix(loc, "/login") || !strings.Contains(loc, "ended=1") {
		t.Fatalf("the next click after the idle timeout: %s, want the login page", loc)
	}
	if msg := tb.text(".notice"); !strings.Contains(msg, "登录已结束") {
		t.Errorf("notice %q", msg)
	}
	tb.axe()
	tb.shot("session-ended")
	// Signing in again goes on.
	tb.login("putuo-staff", password)
	if loc := tb.location(); loc != "/" {
		t.Errorf("after signing in again: %s", loc)
	}
}

func TestCSRFRefusal(t *testing.T) {
	tb := newTab(t, newSite(t))
	tb.open("/login")
	tb.login("putuo-admin", password)
	// The logout form's token is tampered with through the protocol, then the form is sent.
	tb.do(chromedp.SetValue(chromedp.CSS(`form.logout input[name="_csrf"]`), "tampered-token"))
	res, err := chromedp.RunResponse(tb.ctx, chromedp.Click(chromedp.CSS("form.logout button"), chromedp.NodeVisible))
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != 403 {
		t.Errorf("tampered token: status %d, want 403", res.Status)
	}
	tb.settle()
	if body := eval[string](tb, `document.body.innerText`); !strings.Contains(body, "请求已过期") {
		t.Errorf("the refusal page says %q", body)
	}
	tb.axe()
	tb.shot("csrf-refused")
	// Nothing happened: the session is still there.
	tb.open("/")
	if loc := tb.location(); loc != "/" {
		t.Errorf("after the refused logout: %s", loc)
	}
}

func TestLanguageSwitch(t *testing.T) {
	tb := newTab(t, newSite(t))
	tb.open("/login")
	tb.login("putuo-admin", password)
	tb.clickAndWait(`nav.lang a[lang="en"]`)
	if lang := eval[string](tb, `document.documentElement.lang`); lang != "en" {
		t.Errorf("html lang %q after switching to English", lang)
	}
	if h := tb.text("main h1"); h != "Dashboard" {
		t.Errorf("heading %q", h)
	}
	tb.axe()
	tb.shot("english")
	tb.clickAndWait(`nav.lang a[lang="zh-CN"]`)
	if h := tb.text("main h1"); h != "工作台" {
		t.Errorf("heading back in Chinese %q", h)
	}
}

func TestPhoneDashboard(t *testing.T) {
	tb := newTab(t, newSite(t))
	tb.do(chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateScale(2)))
	tb.open("/login")
	tb.shot("phone-login")
	tb.login("putuo-admin", password)
	visible := func() bool {
		return eval[bool](tb, `(function () { var n = document.getElementById("nav"); var r = n.getBoundingClientRect(); return getComputedStyle(n).display !== "none" && getComputedStyle(n).visibility !== "hidden" && r.width > 0 && r.height > 0; })()`)
	}
	if visible() {
		t.Error("on a phone the menu shows before the menu button is pressed")
	}
	if w := eval[float64](tb, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("the page is %v px wide on a 390 px phone", w)
	}
	tb.shot("phone-dashboard")
	tb.do(chromedp.Click(chromedp.CSS(".menu-toggle"), chromedp.NodeVisible))
	if _, err := chromedp.Run(tb.ctx, chromedp.Poll[bool](`document.querySelector(".menu-toggle").getAttribute("aria-expanded") === "true"`)); err != nil {
		t.Fatalf("the menu button does not expand: %v", err)
	}
	if !visible() {
		t.Error("the menu button does not show the menu")
	}
	tb.axe()
	tb.shot("phone-menu")
	tb.do(chromedp.Click(chromedp.CSS(".menu-toggle"), chromedp.NodeVisible))
	if _, err := chromedp.Run(tb.ctx, chromedp.Poll[bool](`document.querySelector(".menu-toggle").getAttribute("aria-expanded") === "false"`)); err != nil {
		t.Errorf("the menu button does not close the menu: %v", err)
	}
}
