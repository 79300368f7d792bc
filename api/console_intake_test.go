package api_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// intakeForm is the intake form as a browser posts it: sampleCase's case in Putuo.
func intakeForm(t testing.TB, idem string) url.Values {
	return url.Values{
		"idem":                  {idem},
		"title":                 {"张三与李四漏水纠纷"},
		"description":           {"楼上漏水导致楼下天花板受损，双方就赔偿金额协商未果。"},
		"dispute_type":          {"neighbour"},
		"source":                {"walk_in"},
		"place_code":            {"310107015"},
		"amount":                {"3,500.50"},
		"parties[0].role":       {"applicant"},
		"parties[0].kind":       {"person"},
		"parties[0].name":       {"张三"},
		"parties[0].id_number":  {idNumber(t, "310107", "19800101", 123)},
		"parties[0].phone":      {"13800138000"},
		"parties[1].role":       {"respondent"},
		"parties[1].kind":       {"person"},
		"parties[1].name":       {"李四"},
		"parties[1].phone":      {"+86 139-0013-9000"},
		"parties[1].occupation": {""},
	}
}

var caseLocation = regexp.MustCompile(`^/cases/310107/([0-9a-f-]{36})$`)

// intakeWorld is Putuo with a street committee (routing proposes it), an intake officer, a
// mediator of the committee, a court and its clerk.
type intakeWorld struct {
	e                 *env
	committee, court  string
	officer, mediator string // user ids
}

func newIntakeWorld(t *testing.T) intakeWorld {
	e := newEnv(t)
	w := intakeWorld{e: e}
	w.committee = e.org(t, "putuo-admin", "310107", map[string]any{"kind": "street_committee", "name": "长寿路街道人民调解委员会", "street_code": "310107015"})
	w.court = e.org(t, "putuo-admin", "310107", map[string]any{"kind": "court", "name": "普陀区人民法院"})
	w.officer, _ = e.person(t, "putuo-admin", "310107", "putuo-intake", "intake-officer", "")
	w.mediator, _ = e.person(t, "putuo-admin", "310107", "putuo-mediator", "mediator", w.committee)
	e.agencyUser(t, "310107", "putuo-court-clerk", "agency-clerk", w.court)
	return w
}

// TestConsoleIntake: the district's staff, administrator and intake officer take in a case
// through the form (the case is theirs, its history names them); a mediator, an agency clerk and
// the province get 403 and no case, and see no form.
func TestConsoleIntake(t *testing.T) {
	w := newIntakeWorld(t)
	e := w.e
	ids := map[string]string{"putuo-admin": e.ids["putuo-admin"], "putuo-staff": e.ids["putuo-staff"], "putuo-intake": w.officer}
	for _, as := range []string{"putuo-admin", "putuo-staff", "putuo-intake"} {
		t.Run("may: "+as, func(t *testing.T) {
			c := e.consoleAs(t, as)
			form := c.get("/intake")
			if form.status != http.StatusOK {
				t.Fatalf("intake form: %d %s", form.status, form.body)
			}
			for _, want := range []string{`name="idem"`, "邻里纠纷", "来访", "申请人", "被申请人", "居民身份证", `inputmode="tel"`, `<label for="f-parties-0-name">`} {
				if !strings.Contains(form.body, want) {
					t.Errorf("form lacks %q", want)
				}
			}
			if strings.Contains(form.body, ">neighbour<") || strings.Contains(form.body, ">walk_in<") {
				t.Errorf("the form shows codes, not names")
			}
			before := e.caseCount("310107")
			res := c.post("/intake", intakeForm(t, "key-"+as))
			m := caseLocation.FindStringSubmatch(res.header.Get("Location"))
			if res.status != http.StatusSeeOther || m == nil {
				t.Fatalf("submit: %d %q %s", res.status, res.header.Get("Location"), res.body)
			}
			if n := e.caseCount("310107"); n != before+1 {
				t.Fatalf("%d cases, want %d", n, before+1)
			}
			got := e.do("putuo-admin", http.MethodGet, "/api/v1/tenants/310107/cases/"+m[1], nil)
			if got.json["created_by"] != "user:"+ids[as] || got.json["amount"] != 3500.5 || got.json["title"] != "张三与李四漏水纠纷" {
				t.Errorf("created case: %s", got.body)
			}
			h := e.do("putuo-admin", http.MethodGet, "/api/v1/tenants/310107/cases/"+m[1]+"/history", nil)
			if ev := items(h); len(ev) == 0 || ev[0]["action"] != "create" || ev[0]["actor"] != "user:"+ids[as] {
				t.Errorf("history: %s", h.body)
			}
			// The flash of the redirect says what was done, once.
			var flash bool
			for _, ck := range c.http.Jar.Cookies(mustURL(t, e.srv.URL)) {
				flash = flash || ck.Name == "fq_flash"
			}
			if !flash {
				t.Errorf("no flash after the intake")
			}
		})
	}
	for _, as := range []string{"putuo-mediator", "putuo-court-clerk", "sh-prov"} {
		t.Run("may not: "+as, func(t *testing.T) {
			c := e.consoleAs(t, as)
			before := e.caseCount("310107")
			for _, res := range []page{c.get("/intake"), c.post("/intake", intakeForm(t, "key-"+as)), c.htmx(http.MethodPost, "/intake/check", intakeForm(t, "k")),
				c.htmx(http.MethodPost, "/intake/parties", url.Values{"op": {"add_party"}})} {
				if res.status != http.StatusForbidden {
					t.Errorf("status %d, want 403", res.status)
				}
				if strings.Contains(res.body, `name="idem"`) || strings.Contains(res.body, "张三") || strings.Contains(res.body, "长寿路街道") {
					t.Errorf("a refused page shows the form or data: %s", res.body)
				}
			}
			if n := e.caseCount("310107"); n != before {
				t.Errorf("%d cases, want %d", n, before)
			}
			if home := c.get("/"); strings.Contains(home.body, `href="/intake"`) {
				t.Errorf("the menu offers intake to %s", as)
			}
		})
	}
	t.Run("another district takes in for its own district only", func(t *testing.T) {
		c := e.consoleAs(t, "huaiyin-admin")
		putuo, huaiyin := e.caseCount("310107"), e.caseCount("370104")
		f := intakeForm(t, "key-huaiyin")
		f.Set("place_code", "")
		res := c.post("/intake", f)
		if res.status != http.StatusSeeOther || !strings.HasPrefix(res.header.Get("Location"), "/cases/370104/") {
			t.Fatalf("huaiyin intake: %d %q", res.status, res.header.Get("Location"))
		}
		if e.caseCount("310107") != putuo || e.caseCount("370104") != huaiyin+1 {
			t.Errorf("the case went to the wrong district")
		}
		// Its check refuses Putuo's street: the place must be in its own district.
		f.Set("place_code", "310107015")
		f.Set("touched", "place_code")
		if p := c.htmx(http.MethodPost, "/intake/check", f); p.status != http.StatusUnprocessableEntity || !strings.Contains(fieldMessageIn(p.body, "f-place-code"), "本区县") {
			t.Errorf("check of another district's street: %d %s", p.status, p.body)
		}
	})
}

func mustURL(t testing.TB, s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// fieldMessage finds a field's message element and its text.
func fieldMessageIn(body, id string) string {
	m := regexp.MustCompile(`id="` + regexp.QuoteMeta(id) + `-error"[^>]*>([^<]*)<`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return m[1]
}

// TestConsoleIntakeInvalid: bad input answers 422 with each field's message beside the field
// (aria-invalid, aria-describedby), the values kept, and no case.
func TestConsoleIntakeInvalid(t *testing.T) {
	w := newIntakeWorld(t)
	e := w.e
	c := e.consoleAs(t, "putuo-staff")
	c.get("/intake")
	before := e.caseCount("310107")
	f := intakeForm(t, "bad-1")
	f.Set("title", "")
	f.Set("amount", "三千")
	f.Set("parties[1].phone", "12345")
	f.Set("parties[0].id_number", "310107198001011234")
	res := c.post("/intake", f)
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422: %s", res.status, res.body)
	}
	for id, want := range map[string]string{"f-title": "标题须为", "f-amount": "标的额须为数字", "f-parties-1-phone": "手机", "f-parties-0-id-number": "身份证"} {
		msg := fieldMessageIn(res.body, id)
		if !strings.Contains(msg, want) {
			t.Errorf("%s: message %q, want it to say %q", id, msg, want)
		}
		if strings.Contains(msg, " / ") {
			t.Errorf("%s: message in both languages %q", id, msg)
		}
		if !regexp.MustCompile(`id="` + id + `"[^>]*aria-describedby="` + id + `-error[^"]*"[^>]*aria-invalid="true"`).MatchString(res.body) {
			t.Errorf("%s is not marked invalid and described by its message", id)
		}
	}
	if fieldMessageIn(res.body, "f-source") != "" || strings.Contains(res.body, `id="f-source" name="source" required aria-describedby="f-source-error" aria-invalid`) {
		t.Errorf("a valid field has a message")
	}
	if !strings.Contains(res.body, `value="李四"`) || !strings.Contains(res.body, `value="bad-1"`) {
		t.Errorf("the form lost its values or its idempotency key")
	}
	if !strings.Contains(res.body, `href="#f-title"`) {
		t.Errorf("the summary does not link to the field at fault")
	}
	if n := e.caseCount("310107"); n != before {
		t.Errorf("%d cases after a refused intake, want %d", n, before)
	}
	// The live check says the same beside the same fields (out of band), nothing saved — for
	// the fields the user has reached; the others wait.
	f.Set("touched", "title,amount,parties[1].phone,source")
	p := c.htmx(http.MethodPost, "/intake/check", f)
	if msg := fieldMessageIn(p.body, "f-parties-0-id-number"); msg != "" {
		t.Errorf("check faults a field the user has not reached: %q", msg)
	}
	if !strings.Contains(p.body, "有 3 处需更正") {
		t.Errorf("check status: %s", p.body)
	}
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(fieldMessageIn(p.body, "f-title"), "标题须为") || !strings.Contains(p.body, `hx-swap-oob="true"`) {
		t.Errorf("check: %d %s", p.status, p.body)
	}
	if fieldMessageIn(p.body, "f-source") != "" {
		t.Errorf("check: a valid field has a message")
	}
	// Amounts a float parser takes but JSON cannot carry are a field's problem, not an error.
	for _, a := range []string{"Inf", "-Infinity", "NaN", "1e400"} {
		h := intakeForm(t, "amount-"+a)
		h.Set("amount", a)
		if p := c.post("/intake", h); p.status != http.StatusUnprocessableEntity || fieldMessageIn(p.body, "f-amount") == "" {
			t.Errorf("amount %q: %d", a, p.status)
		}
	}
	// A choice left empty asks for it by name, not by the codes the API takes.
	f.Set("dispute_type", "")
	f.Set("touched", "dispute_type")
	if p := c.htmx(http.MethodPost, "/intake/check", f); fieldMessageIn(p.body, "f-dispute-type") != "请选择纠纷类型" {
		t.Errorf("empty dispute type: %q", fieldMessageIn(p.body, "f-dispute-type"))
	}
	// Without parties: the parties group says so.
	g := url.Values{"title": {"无当事人"}, "dispute_type": {"neighbour"}, "source": {"walk_in"}, "touched": {"title,parties[0].name"}}
	if p := c.htmx(http.MethodPost, "/intake/check", g); !strings.Contains(fieldMessageIn(p.body, "f-parties"), "至少需要一方当事人") {
		t.Errorf("check without parties: %d %s", p.status, p.body)
	}
	if n := e.caseCount("310107"); n != before {
		t.Errorf("the check saved a case")
	}
}

// TestConsoleIntakeCheck: the live check of a complete draft shows the warning level with its
// signals and the proposed committee with its reasons, and offers "take in and route" to staff.
func TestConsoleIntakeCheck(t *testing.T) {
	w := newIntakeWorld(t)
	e := w.e
	c := e.consoleAs(t, "putuo-staff")
	c.get("/intake")
	before := e.caseCount("310107")
	f := intakeForm(t, "risky")
	f.Set("description", "张三称李四不赔偿就同归于尽，还说不想活了。")
	p := c.htmx(http.MethodPost, "/intake/check", f)
	if p.status != http.StatusOK {
		t.Fatalf("check: %d %s", p.status, p.body)
	}
	for _, want := range []string{"badge-red", "红色", "民转刑苗头", "同归于尽", "自伤自杀倾向", "长寿路街道人民调解委员会", "纠纷发生在本街镇", "重大疑难复杂", `name="route_to" value="` + w.committee + `"`} {
		if !strings.Contains(p.body, want) {
			t.Errorf("check lacks %q: %s", want, p.body)
		}
	}
	if strings.Contains(p.body, "<html") || strings.Contains(p.body, "self-harm") {
		t.Errorf("check answers a whole page or English in Chinese")
	}
	if n := e.caseCount("310107"); n != before {
		t.Errorf("the check saved a case")
	}
	// A calm draft: no warning, the street committee proposed as a small matter.
	p = c.htmx(http.MethodPost, "/intake/check", intakeForm(t, "calm"))
	if !strings.Contains(p.body, "未发现预警信号") || !strings.Contains(p.body, "大事不出街镇") {
		t.Errorf("calm check: %s", p.body)
	}
	// The API's check operation: the same rules for the same roles.
	body := riskyCase(t, "310107", "red")
	e.tokens["mediator"] = e.login("putuo-mediator", testPassword)
	e.tokens["clerk"] = e.login("putuo-court-clerk", testPassword)
	runRows(t, e, nil, []row{
		{name: "staff check", as: "putuo-staff", method: "POST", path: "/api/v1/tenants/310107/cases/check", body: body, status: 200},
		{name: "invalid", as: "putuo-staff", method: "POST", path: "/api/v1/tenants/310107/cases/check", body: map[string]any{"title": "", "dispute_type": "neighbour", "source": "walk_in", "parties": []any{}}, status: 400, problem: "invalid-field", field: "title"},
		{name: "unknown field", as: "putuo-staff", method: "POST", path: "/api/v1/tenants/310107/cases/check", body: map[string]any{"titel": "x"}, status: 400, problem: "invalid-field"},
		{name: "mediator", as: "mediator", method: "POST", path: "/api/v1/tenants/310107/cases/check", body: body, status: 403, problem: "forbidden"},
		{name: "agency clerk", as: "clerk", method: "POST", path: "/api/v1/tenants/310107/cases/check", body: body, status: 403, problem: "forbidden"},
		{name: "province", as: "sh-prov", method: "POST", path: "/api/v1/tenants/310107/cases/check", body: body, status: 403, problem: "forbidden"},
		{name: "other district", as: "huaiyin-admin", method: "POST", path: "/api/v1/tenants/310107/cases/check", body: body, status: 404, problem: "tenant-not-found"},
	})
	res := e.do("putuo-staff", http.MethodPost, "/api/v1/tenants/310107/cases/check", body)
	risk := res.json["risk"].(map[string]any)
	routing := res.json["routing"].(map[string]any)
	if risk["level"] != "red" || len(risk["signals"].([]any)) == 0 || routing["complexity"] != "complex" || res.json["due_at"] == nil {
		t.Errorf("check answer: %s", res.body)
	}
	if n := e.caseCount("310107"); n != before {
		t.Errorf("the API check saved a case")
	}
}

// TestConsoleIntakeSubmitOnce: a double submit of the same form (its idempotency key) takes in
// one case; "take in and route" assigns it to the chosen committee.
func TestConsoleIntakeSubmitOnce(t *testing.T) {
	w := newIntakeWorld(t)
	e := w.e
	c := e.consoleAs(t, "putuo-staff")
	form := c.get("/intake")
	key := regexp.MustCompile(`name="idem" value="([^"]+)"`).FindStringSubmatch(form.body)
	if key == nil || len(key[1]) < 20 {
		t.Fatalf("no idempotency key in the form")
	}
	before := e.caseCount("310107")
	f := intakeForm(t, key[1])
	f.Set("route_to", w.committee)
	f.Set("route_name_"+w.committee, "长寿路街道人民调解委员会")
	first := c.post("/intake", f)
	second := c.post("/intake", f)
	if first.status != http.StatusSeeOther || second.status != http.StatusSeeOther || first.header.Get("Location") != second.header.Get("Location") {
		t.Fatalf("double submit: %d %q, %d %q", first.status, first.header.Get("Location"), second.status, second.header.Get("Location"))
	}
	if n := e.caseCount("310107"); n != before+1 {
		t.Fatalf("%d cases after a double submit, want %d", n, before+1)
	}
	id := caseLocation.FindStringSubmatch(first.header.Get("Location"))[1]
	got := e.do("putuo-staff", http.MethodGet, "/api/v1/tenants/310107/cases/"+id, nil)
	if got.json["status"] != "assigned" || got.json["committee_id"] != w.committee {
		t.Errorf("take in and route: %s", got.body)
	}
	// The same form changed and submitted again: not saved, said so, and a new key offered.
	f.Set("title", "改过的标题")
	changed := c.post("/intake", f)
	if changed.status != http.StatusUnprocessableEntity || !strings.Contains(changed.body, "此表单此前已提交并受理") {
		t.Fatalf("changed resubmit: %d %s", changed.status, changed.body)
	}
	fresh := regexp.MustCompile(`name="idem" value="([^"]+)"`).FindStringSubmatch(changed.body)
	if fresh == nil || fresh[1] == key[1] {
		t.Fatalf("no new idempotency key after a reused one")
	}
	if n := e.caseCount("310107"); n != before+1 {
		t.Fatalf("%d cases after a changed resubmit, want %d", n, before+1)
	}
	f.Set("idem", fresh[1])
	f.Del("route_to")
	if again := c.post("/intake", f); again.status != http.StatusSeeOther || e.caseCount("310107") != before+2 {
		t.Fatalf("submit with the new key: %d", again.status)
	}
	// The next page shows the flash once.
	home := c.get("/")
	if !strings.Contains(home.body, "已受理") && !strings.Contains(home.body, "未重复登记") {
		t.Errorf("no flash on the next page: %s", home.body)
	}
	if again := c.get("/"); strings.Contains(again.body, "已受理，案号") {
		t.Errorf("the flash shows twice")
	}
}

// TestConsoleIntakeParties: party rows are added and removed, by htmx (the parties' block) and
// without script (the whole form), and nothing is saved.
func TestConsoleIntakeParties(t *testing.T) {
	w := newIntakeWorld(t)
	e := w.e
	c := e.consoleAs(t, "putuo-staff")
	c.get("/intake")
	before := e.caseCount("310107")
	f := intakeForm(t, "parties")
	f.Set("op", "add_party")
	p := c.htmx(http.MethodPost, "/intake/parties", f)
	if p.status != http.StatusOK || !strings.Contains(p.body, `id="f-parties-2-name"`) || !strings.Contains(p.body, `value="李四"`) || strings.Contains(p.body, "<html") {
		t.Fatalf("add a party: %d %s", p.status, p.body)
	}
	f.Set("op", "remove:0")
	p = c.htmx(http.MethodPost, "/intake/parties", f)
	if strings.Contains(p.body, `value="张三"`) || !strings.Contains(p.body, `value="李四"`) || strings.Contains(p.body, `id="f-parties-1-name"`) {
		t.Errorf("remove a party: %s", p.body)
	}
	f.Set("op", "add_party")
	if p := c.post("/intake", f); p.status != http.StatusOK || !strings.Contains(p.body, `id="f-parties-2-name"`) {
		t.Errorf("add a party without script: %d", p.status)
	}
	if n := e.caseCount("310107"); n != before {
		t.Errorf("adding a party saved a case")
	}
}

// TestConsoleIntakeReferral: staff choose the referring court among the district's partner
// agencies (its name filled in from the registry); the court's clerk then reads the case it
// referred. A court kind without a court source is refused beside the kind.
func TestConsoleIntakeReferral(t *testing.T) {
	w := newIntakeWorld(t)
	e := w.e
	c := e.consoleAs(t, "putuo-staff")
	form := c.get("/intake")
	if !strings.Contains(form.body, `<option value="`+w.court+`">普陀区人民法院（法院）</option>`) || !strings.Contains(form.body, "诉前委派") {
		t.Fatalf("the form offers no court: %s", form.body)
	}
	f := intakeForm(t, "court-1")
	f.Set("source", "walk_in")
	f.Set("referral.agency_id", w.court)
	f.Set("referral.kind", "pre_filing")
	p := c.post("/intake", f)
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(fieldMessageIn(p.body, "f-referral-kind"), "法院") {
		t.Fatalf("court kind for a walk-in: %d %s", p.status, p.body)
	}
	f.Set("source", "court")
	f.Set("referral.reference", "（2026）沪0107民诉前调1号")
	p = c.post("/intake", f)
	m := caseLocation.FindStringSubmatch(p.header.Get("Location"))
	if p.status != http.StatusSeeOther || m == nil {
		t.Fatalf("court referral: %d %s", p.status, p.body)
	}
	got := e.do("putuo-staff", http.MethodGet, "/api/v1/tenants/310107/cases/"+m[1], nil)
	ref, _ := got.json["referral"].(map[string]any)
	if ref["agency_id"] != w.court || ref["agency"] != "普陀区人民法院" || ref["kind"] != "pre_filing" {
		t.Errorf("referral: %s", got.body)
	}
	if res := e.do("Bearer "+e.login("putuo-court-clerk", testPassword), http.MethodGet, "/api/v1/tenants/310107/cases/"+m[1], nil); res.status != http.StatusOK {
		t.Errorf("the court's clerk cannot read the case it referred: %d", res.status)
	}
}
