package api_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// dashPeriod12m is the dashboard's default period: the first day of the month eleven months
// ago to today (China time).
func dashPeriod12m() (from, to string) {
	now := time.Now().In(time.FixedZone("CST", 8*3600))
	first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	return first.AddDate(0, -11, 0).Format("2006-01-02"), now.Format("2006-01-02")
}

// dashCard reads a headline figure of the dashboard by its label.
func dashCard(t *testing.T, body, label string) string {
	t.Helper()
	m := regexp.MustCompile(`<span class="label">` + regexp.QuoteMeta(label) + `</span>\s*<span class="value">(?:<a [^>]*>)?([^<]*)`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no card %q in the dashboard", label)
	}
	return m[1]
}

// dashRow is the table row of a chart's table view.
func dashRow(label string, values ...any) string {
	s := `<tr><th scope="row">` + label + `</th>`
	for _, v := range values {
		s += fmt.Sprintf(`<td class="num">%v</td>`, v)
	}
	return s + `</tr>`
}

func pctOf(v any) string {
	f, ok := v.(float64)
	if !ok {
		return "—"
	}
	return fmt.Sprintf("%.1f%%", f*100)
}

// TestConsoleDashboard: the dashboard's figures are the statistics operation's for the same
// period — headline, monthly trend, by type, by source, each chart with its table — a district
// never shows another's, the province sees the roll-up and picks a district, a user without
// statistics gets its own cases, an agency clerk its own page, a bad period a message beside
// the date.
func TestConsoleDashboard(t *testing.T) {
	e := newEnv(t)
	committee := e.org(t, "putuo-admin", "310107", map[string]any{"kind": "street_committee", "name": "长寿路街道人民调解委员会", "street_code": "310107015"})
	for range 2 {
		e.newCase(t, "putuo-staff", "310107")
	}
	hotline := sampleCase(t, "热线来的纠纷")
	hotline["source"] = "hotline"
	done := e.createCase("putuo-staff", "310107", hotline)
	e.succeedCase(t, "/api/v1/tenants/310107/cases/"+done, committee, "written")
	e.newCase(t, "qingpu-admin", "310118")
	e.newCase(t, "huaiyin-staff", "370104")
	from, to := dashPeriod12m()

	check := func(as, code, path string) string {
		t.Helper()
		c := e.consoleAs(t, as)
		p := c.get(path)
		if p.status != http.StatusOK {
			t.Fatalf("%s %s: %d %s", as, path, p.status, p.body)
		}
		st := e.do(as, http.MethodGet, "/api/v1/tenants/"+code+"/stats?from="+from+"&to="+to+"&group_by=month,dispute_type,source", nil)
		if st.status != 200 {
			t.Fatalf("stats: %d %s", st.status, st.body)
		}
		for label, key := range map[string]string{"受理": "received", "办结": "concluded", "超期未结": "open_overdue"} {
			if got, want := dashCard(t, p.body, label), fmt.Sprint(st.json[key]); got != want {
				t.Errorf("%s: card %s = %s, the API says %s", as, label, got, want)
			}
		}
		if got := dashCard(t, p.body, "调解成功率"); got != pctOf(st.json["success_rate"]) {
			t.Errorf("%s: success rate %s, the API says %v", as, got, st.json["success_rate"])
		}
		if got := dashCard(t, p.body, "协议履行率"); got != pctOf(st.json["performance_rate"]) {
			t.Errorf("%s: performance rate %s, the API says %v", as, got, st.json["performance_rate"])
		}
		for _, b := range st.json["breakdowns"].([]any) {
			for _, r := range b.(map[string]any)["rows"].([]any) {
				row := r.(map[string]any)
				if want := dashRow(row["label"].(string), row["received"], row["concluded"], row["succeeded"]); !strings.Contains(p.body, want) {
					t.Errorf("%s: the %s table lacks %s", as, b.(map[string]any)["by"], want)
				}
			}
		}
		for _, id := range []string{"chart-month", "chart-type", "chart-source"} {
			if !regexp.MustCompile(`<div class="chart" id="` + id + `" data-chart="[^"]+" role="img" aria-label="[^"]+">`).MatchString(p.body) {
				t.Errorf("%s: no chart %s with its description", as, id)
			}
		}
		return p.body
	}
	putuo := check("putuo-admin", "310107", "/")
	if dashCard(t, putuo, "受理") != "3" || dashCard(t, putuo, "调解成功率") != "100.0%" || !strings.Contains(putuo, dashRow("12348热线", 1, 1, 1)) && !strings.Contains(putuo, "热线") {
		t.Errorf("Putuo's dashboard: %s", putuo)
	}
	if !strings.Contains(putuo, `<span class="label">待回访</span>`) {
		t.Errorf("Putuo's dashboard has no follow-up card")
	}
	huaiyin := check("huaiyin-admin", "370104", "/")
	if dashCard(t, huaiyin, "受理") != "1" || strings.Contains(huaiyin, "热线") || strings.Contains(huaiyin, "普陀") {
		t.Errorf("Huaiyin's dashboard shows Putuo's figures")
	}
	prov := check("sh-prov", "310000", "/")
	if dashCard(t, prov, "受理") != "4" || !strings.Contains(prov, dashRow("上海市", 4, 1, 1)) || !strings.Contains(prov, `<option value="310100">上海市</option>`) {
		t.Errorf("the province's roll-up: %s", prov)
	}
	if strings.Contains(prov, "预警待签收") || strings.Contains(prov, "待回访") {
		t.Errorf("the province's dashboard shows a district's queues")
	}
	city := check("sh-prov", "310100", "/?tenant=310100")
	if dashCard(t, city, "受理") != "4" || !strings.Contains(city, dashRow("普陀区", 3, 1, 1)) || !strings.Contains(city, dashRow("青浦区", 1, 0, 0)) {
		t.Errorf("the city's roll-up: %s", city)
	}
	if !strings.Contains(city, `<option value="310107">普陀区</option>`) {
		t.Errorf("the province cannot pick a district")
	}
	if p := check("sh-prov", "310107", "/?tenant=310107"); dashCard(t, p, "受理") != "3" {
		t.Errorf("the province looking at Putuo")
	}
	// Another district's figures are refused as by the API.
	other := e.consoleAs(t, "huaiyin-admin").get("/?tenant=310107")
	if other.status != http.StatusNotFound || strings.Contains(other.body, "热线") || strings.Contains(other.body, "chart-month") {
		t.Errorf("Huaiyin asking for Putuo: %d", other.status)
	}
	// Periods: each in the query string; a bad date is shown beside its field.
	c := e.consoleAs(t, "putuo-staff")
	for _, q := range []string{"period=month", "period=quarter", "period=year", "period=custom&from=2026-01-01&to=" + to, "period=custom&to=" + to, "period=custom"} {
		if p := c.get("/?" + q); p.status != http.StatusOK || !strings.Contains(p.body, "chart-month") {
			t.Errorf("period %s: %d", q, p.status)
		}
	}
	bad := c.get("/?period=custom&from=" + url.QueryEscape("2026-13-01") + "&to=" + to)
	if bad.status != http.StatusUnprocessableEntity || !strings.Contains(bad.body, `id="dash-from-error"`) || !strings.Contains(bad.body, `aria-invalid="true"`) {
		t.Errorf("a bad date: %d %s", bad.status, bad.body)
	}
	// A mediator reads no statistics: its own cases (none assigned), no figures.
	e.person(t, "putuo-admin", "310107", "med-dash", "mediator", committee)
	m := e.consoleAs(t, "med-dash").get("/")
	if m.status != http.StatusOK || strings.Contains(m.body, "主要指标") || strings.Contains(m.body, "测试案件") || !strings.Contains(m.body, "我的案件") {
		t.Errorf("a mediator's dashboard: %d %s", m.status, m.body)
	}
	// An agency clerk has its own page.
	court := e.org(t, "putuo-admin", "310107", map[string]any{"kind": "court", "name": "普陀区人民法院"})
	e.agencyUser(t, "310107", "court-dash", "agency-clerk", court)
	if p := e.consoleAs(t, "court-dash").get("/"); p.status != http.StatusSeeOther || p.header.Get("Location") != "/agency" {
		t.Errorf("an agency clerk's dashboard: %d %q", p.status, p.header.Get("Location"))
	}
}
