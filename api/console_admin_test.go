package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// adminRow is one console request of the administration and what it must show (or not).
type adminRow struct {
	name   string
	as     *consoleClient
	method string // GET (default) or POST
	path   string
	form   url.Values
	status int
	want   []string // in the body
	absent []string // never in the body
}

func runAdminRows(t *testing.T, rows []adminRow) {
	t.Helper()
	for _, r := range rows {
		var p page
		if r.method == http.MethodPost {
			form := url.Values{}
			for k, v := range r.form {
				form[k] = append([]string(nil), v...)
			}
			p = r.as.post(r.path, form)
		} else {
			p = r.as.get(r.path)
		}
		if p.status != r.status {
			t.Errorf("%s: %s %s → %d, want %d\n%s", r.name, r.method, r.path, p.status, r.status, excerpt(p.body))
			continue
		}
		for _, w := range r.want {
			if !strings.Contains(p.body, w) {
				t.Errorf("%s: %s lacks %q\n%s", r.name, r.path, w, excerpt(p.body))
			}
		}
		for _, a := range r.absent {
			if strings.Contains(p.body, a) {
				t.Errorf("%s: %s shows %q", r.name, r.path, a)
			}
		}
	}
}

// excerpt is the main part of a page, for failure messages.
func excerpt(body string) string {
	if i := strings.Index(body, `<main`); i >= 0 {
		body = body[i:]
	}
	if len(body) > 3000 {
		body = body[:3000]
	}
	return body
}

// auditedAs tells whether the tenant's audit trail has action by the user.
func (e *env) auditedAs(t *testing.T, code, action, username string) bool {
	t.Helper()
	res := e.do("putuo-admin", http.MethodGet, "/api/v1/tenants/"+code+"/audit?limit=500", nil)
	var out struct {
		Items []struct{ Actor, Action string }
	}
	if err := json.Unmarshal(res.body, &out); err != nil {
		t.Fatalf("audit: %v %s", err, res.body)
	}
	for _, ev := range out.Items {
		if ev.Action == action && strings.Contains(ev.Actor, e.ids[username]) {
			return true
		}
	}
	return false
}

// TestConsoleAdminRegistry: organisations, mediators, experts, users and tokens through the
// console, as the district's administrator, its staff and another district's administrator.
func TestConsoleAdminRegistry(t *testing.T) {
	e := newEnv(t)
	admin := e.consoleAs(t, "putuo-admin")
	staff := e.consoleAs(t, "putuo-staff")
	qingpu := e.consoleAs(t, "qingpu-admin")
	committee := e.org(t, "putuo-admin", "310107", map[string]any{"kind": "street_committee", "name": "长寿路街道人民调解委员会", "street_code": "310107015"})
	e.org(t, "putuo-admin", "310107", map[string]any{"kind": "court", "name": "普陀区人民法院"})
	if res := e.do("putuo-admin", http.MethodPost, "/api/v1/tenants/310107/mediators", map[string]any{"name": "王调解", "kind": "full_time", "organisation_id": committee, "chief": true, "phone": "13912345678"}); res.status != http.StatusCreated {
		t.Fatalf("mediator: %d %s", res.status, res.body)
	}
	if res := e.do("putuo-admin", http.MethodPost, "/api/v1/tenants/310107/experts", map[string]any{"name": "李律师", "field": "lawyer"}); res.status != http.StatusCreated {
		t.Fatalf("expert: %d %s", res.status, res.body)
	}

	runAdminRows(t, []adminRow{
		{name: "admin home goes to the first section", as: admin, path: "/admin", status: http.StatusSeeOther},
		{name: "admin: organisations", as: admin, path: "/admin/organisations", status: 200,
			want: []string{"长寿路街道人民调解委员会", "普陀区人民法院", "街道（乡镇）调委会", `method="post" action="/admin/organisations"`, `href="/admin/users"`, `href="/admin/policy"`}},
		{name: "admin: mediators", as: admin, path: "/admin/mediators", status: 200, want: []string{"王调解", "首席", "13912345678", "长寿路街道人民调解委员会"}},
		{name: "admin: experts", as: admin, path: "/admin/experts", status: 200, want: []string{"李律师", "律师", `name="specialities" value="neighbour"`}},
		{name: "admin: an expert with specialities", as: admin, method: http.MethodPost, path: "/admin/experts", form: url.Values{"name": {"赵医生"}, "field": {"doctor"}, "specialities": {"neighbour", "medical"}}, status: http.StatusSeeOther},
		{name: "admin: a speciality not in the catalogue", as: admin, method: http.MethodPost, path: "/admin/experts", form: url.Values{"name": {"钱律师"}, "field": {"lawyer"}, "specialities": {"no_such_type"}}, status: http.StatusUnprocessableEntity,
			want: []string{`value="钱律师"`}, absent: []string{`id="exp-spec-error"></p>`}},
		{name: "admin: users, offered the roles it may grant", as: admin, path: "/admin/users", status: 200,
			want: []string{"putuo-staff", "区县工作人员", "新建用户", `name="roles" value="mediator"`}, absent: []string{`name="roles" value="province-admin"`, `name="roles" value="city-admin"`}},
		{name: "admin: tokens", as: admin, path: "/admin/tokens", status: 200, want: []string{"新建令牌"}},
		{name: "staff: organisations, read only", as: staff, path: "/admin/organisations", status: 200,
			want: []string{"长寿路街道人民调解委员会"}, absent: []string{`method="post" action="/admin/organisations"`, `href="/admin/users"`, `href="/admin/policy"`, `href="/admin/tokens"`}},
		{name: "staff: mediators, read only", as: staff, path: "/admin/mediators", status: 200, want: []string{"王调解"}, absent: []string{"登记调解员"}},
		{name: "staff may not list users", as: staff, path: "/admin/users", status: 403, absent: []string{"putuo-admin"}},
		{name: "staff may not list tokens", as: staff, path: "/admin/tokens", status: 403},
		{name: "another district sees its own registry", as: qingpu, path: "/admin/organisations", status: 200, absent: []string{"长寿路街道人民调解委员会"}},
		{name: "another district may not open Putuo's", as: qingpu, path: "/admin/organisations?tenant=310107", status: 404, absent: []string{"长寿路街道人民调解委员会"}},
		{name: "another district: Putuo's mediators", as: qingpu, path: "/admin/mediators?tenant=310107", status: 404, absent: []string{"王调解"}},
		{name: "another district: Putuo's users", as: qingpu, path: "/admin/users?tenant=310107", status: 404, absent: []string{"putuo-staff"}},
		{name: "staff: experts, read only", as: staff, path: "/admin/experts", status: 200, want: []string{"李律师"}, absent: []string{"加入专家库", "/edit"}},
		{name: "another district: Putuo's experts", as: qingpu, path: "/admin/experts?tenant=310107", status: 404, absent: []string{"李律师"}},
		{name: "another district: Putuo's tokens", as: qingpu, path: "/admin/tokens?tenant=310107", status: 404},
		{name: "another district: Putuo's plugins", as: qingpu, path: "/admin/plugins?tenant=310107", status: 404},
		{name: "another district: a Putuo record's edit form", as: qingpu, path: "/admin/experts/00000000-0000-0000-0000-000000000000/edit?tenant=310107", status: 404},
		{name: "another district may not create in Putuo", as: qingpu, method: http.MethodPost, path: "/admin/organisations",
			form: url.Values{"tenant": {"310107"}, "kind": {"court"}, "name": {"冒名法院"}}, status: 404},
		{name: "staff may not create an organisation", as: staff, method: http.MethodPost, path: "/admin/organisations",
			form: url.Values{"kind": {"court"}, "name": {"冒名法院"}}, status: 403},
	})

	// Creating an organisation through the console: audited as the administrator.
	p := admin.post("/admin/organisations", url.Values{"kind": {"police_station"}, "name": {"长寿路派出所"}, "contact_name": {"张警官"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("create organisation: %d %s", p.status, excerpt(p.body))
	}
	if l := admin.get(p.header.Get("Location")); !strings.Contains(l.body, "长寿路派出所") || !strings.Contains(l.body, "已新建") {
		t.Errorf("the list after creating lacks the organisation or the confirmation")
	}
	if !e.auditedAs(t, "310107", "organisation.create", "putuo-admin") {
		t.Error("organisation.create not audited as putuo-admin")
	}
	// A bad value: 422, the message beside the field, the values kept, nothing created.
	p = admin.post("/admin/organisations", url.Values{"kind": {"village_committee"}, "name": {"缺街道的村调委会"}})
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, `id="org-street-error">`) || !strings.Contains(p.body, `aria-invalid="true"`) || !strings.Contains(p.body, `value="缺街道的村调委会"`) {
		t.Errorf("village committee without a street: %d\n%s", p.status, excerpt(p.body))
	}
	if strings.Contains(p.body, `id="org-street-error"></p>`) {
		t.Errorf("no message beside the street code")
	}

	// Editing a record: the form filled from it, a bad value beside its field, then saved.
	orgList := admin.get("/admin/organisations?q=" + url.QueryEscape("长寿路派出所"))
	i := strings.Index(orgList.body, `href="/admin/organisations/`)
	if i < 0 {
		t.Fatalf("no edit link\n%s", excerpt(orgList.body))
	}
	edit := orgList.body[i+len(`href="`):]
	edit = edit[:strings.IndexByte(edit, '"')]
	if p := admin.get(edit); p.status != 200 || !strings.Contains(p.body, `value="长寿路派出所"`) || !strings.Contains(p.body, `value="张警官"`) {
		t.Errorf("edit form: %d\n%s", p.status, excerpt(p.body))
	}
	if p := staff.get(edit); p.status != http.StatusForbidden {
		t.Errorf("staff opens the edit form: %d", p.status)
	}
	if p := admin.post(edit, url.Values{"kind": {"police_station"}, "name": {"长寿路派出所"}, "webhook_url": {"not a url"}}); p.status != http.StatusUnprocessableEntity || strings.Contains(p.body, `id="org-webhook-error"></p>`) {
		t.Errorf("a bad webhook: %d, want 422 beside it\n%s", p.status, excerpt(p.body))
	}
	if p := admin.post(edit, url.Values{"kind": {"police_station"}, "name": {"长寿路派出所（新址）"}, "contact_name": {"李警官"}}); p.status != http.StatusSeeOther {
		t.Errorf("save: %d %s", p.status, excerpt(p.body))
	}
	if l := admin.get("/admin/organisations"); !strings.Contains(l.body, "长寿路派出所（新址）") || !strings.Contains(l.body, "李警官") {
		t.Errorf("the edit is not shown")
	}
	if p := qingpu.post(edit+"?tenant=310107", url.Values{"kind": {"police_station"}, "name": {"冒名"}}); p.status != http.StatusNotFound {
		t.Errorf("another district edits Putuo's organisation: %d", p.status)
	}

	// Users: create, a role the caller may not grant, a weak password, disable, end sessions.
	p = admin.post("/admin/users", url.Values{"username": {"clerk-zhang"}, "display_name": {"张书记员"}, "password": {testPassword}, "roles": {"district-staff"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("create user: %d %s", p.status, excerpt(p.body))
	}
	if !e.auditedAs(t, "310107", "user.create", "putuo-admin") {
		t.Error("user.create not audited as putuo-admin")
	}
	p = admin.post("/admin/users", url.Values{"username": {"would-be-prov"}, "password": {testPassword}, "roles": {"province-admin"}})
	if p.status != http.StatusForbidden && p.status != http.StatusUnprocessableEntity {
		t.Errorf("granting province-admin: %d, want the API's refusal", p.status)
	}
	if !strings.Contains(p.body, `class="problem"`) || !strings.Contains(p.body, `value="would-be-prov"`) {
		t.Errorf("the refusal is not shown with the form kept\n%s", excerpt(p.body))
	}
	p = admin.post("/admin/users", url.Values{"username": {"weak"}, "password": {"1"}, "roles": {"district-staff"}})
	if p.status != http.StatusUnprocessableEntity || strings.Contains(p.body, `id="user-password-error"></p>`) {
		t.Errorf("weak password: %d, want 422 with the message by the password\n%s", p.status, excerpt(p.body))
	}
	zhang := e.userID(t, "clerk-zhang")
	zc := e.consoleAs(t, "clerk-zhang")
	if p := admin.post("/admin/users/"+zhang, url.Values{"action": {"sessions"}}); p.status != http.StatusSeeOther {
		t.Errorf("end sessions: %d %s", p.status, excerpt(p.body))
	}
	if p := zc.get("/"); p.status != http.StatusSeeOther {
		t.Errorf("the ended session still works: %d", p.status)
	}
	if p := admin.post("/admin/users/"+zhang, url.Values{"action": {"disable"}}); p.status != http.StatusSeeOther {
		t.Errorf("disable: %d %s", p.status, excerpt(p.body))
	}
	if l := admin.get("/admin/users"); !strings.Contains(l.body, "已停用") {
		t.Errorf("the disabled user is not shown as disabled")
	}
	if p := qingpu.post("/admin/users/"+zhang, url.Values{"tenant": {"310107"}, "action": {"enable"}}); p.status != http.StatusNotFound {
		t.Errorf("another district enables Putuo's user: %d", p.status)
	}

	// Roles and password: a role change and a reset through the console; a role the
	// administrator may not grant is refused by the API and shown.
	if p := admin.post("/admin/users/"+zhang, url.Values{"action": {"roles"}, "roles": {"district-staff", "analyst"}}); p.status != http.StatusSeeOther {
		t.Errorf("roles: %d %s", p.status, excerpt(p.body))
	}
	if p := admin.post("/admin/users/"+zhang, url.Values{"action": {"roles"}, "roles": {"city-admin"}}); p.status < 400 || p.status >= 500 || !strings.Contains(p.body, `class="problem"`) {
		t.Errorf("granting city-admin: %d", p.status)
	}
	if p := admin.post("/admin/users/"+zhang, url.Values{"action": {"password"}, "new_password": {"short"}}); p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, `<details open>`) {
		t.Errorf("a short password: %d, want 422 with the user's form open", p.status)
	}
	if p := admin.post("/admin/users/"+zhang, url.Values{"action": {"password"}, "new_password": {"another-horse-43"}}); p.status != http.StatusSeeOther {
		t.Errorf("reset password: %d %s", p.status, excerpt(p.body))
	}
	if !e.auditedAs(t, "310107", "user.update", "putuo-admin") {
		t.Error("user.update not audited as putuo-admin")
	}
	if p := admin.post("/admin/users/"+zhang, url.Values{"action": {"enable"}}); p.status != http.StatusSeeOther {
		t.Errorf("enable: %d", p.status)
	}
	e.consoleAs(t, "clerk-zhang", "another-horse-43")

	// Mediators: linked to a user account, made chief or not.
	med := admin.get("/admin/mediators")
	i = strings.Index(med.body, `action="/admin/mediators/`)
	if i < 0 {
		t.Fatalf("no mediator management\n%s", excerpt(med.body))
	}
	mpath := med.body[i+len(`action="`):]
	mpath = mpath[:strings.IndexByte(mpath, '"')]
	if p := admin.post(mpath, url.Values{"action": {"user"}, "user_id": {zhang}}); p.status != http.StatusSeeOther {
		t.Errorf("link the mediator: %d %s", p.status, excerpt(p.body))
	}
	if p := admin.post(mpath, url.Values{"action": {"chief"}, "chief": {"false"}}); p.status != http.StatusSeeOther {
		t.Errorf("not chief: %d %s", p.status, excerpt(p.body))
	}
	if l := admin.get("/admin/mediators"); !strings.Contains(l.body, "已关联") || strings.Contains(l.body, `badge-blue">首席`) {
		t.Errorf("the mediator is not shown linked and not chief\n%s", excerpt(l.body))
	}
	if p := staff.post(mpath, url.Values{"action": {"chief"}, "chief": {"true"}}); p.status != http.StatusForbidden {
		t.Errorf("staff changes a mediator: %d", p.status)
	}
	if p := admin.get(mpath + "/edit"); p.status != 200 || !strings.Contains(p.body, `value="王调解"`) || !strings.Contains(p.body, `value="13912345678"`) {
		t.Errorf("mediator edit form: %d\n%s", p.status, excerpt(p.body))
	}
	if p := admin.post(mpath+"/edit", url.Values{"name": {"王调解"}, "kind": {"part_time"}, "organisation_id": {committee}, "phone": {"12"}, "user_id": {zhang}}); p.status != http.StatusUnprocessableEntity || strings.Contains(p.body, `id="med-phone-error"></p>`) {
		t.Errorf("a bad phone: %d, want 422 beside it\n%s", p.status, excerpt(p.body))
	}
	if p := admin.post(mpath+"/edit", url.Values{"name": {"王调解"}, "kind": {"part_time"}, "organisation_id": {committee}, "phone": {"13912345679"}, "user_id": {zhang}}); p.status != http.StatusSeeOther {
		t.Errorf("save the mediator: %d\n%s", p.status, excerpt(p.body))
	}
	if l := admin.get("/admin/mediators"); !strings.Contains(l.body, "兼职") || !strings.Contains(l.body, "13912345679") {
		t.Errorf("the mediator's edit is not shown")
	}

	// Tokens: shown once, then only the prefix; revoked.
	if p := admin.post("/admin/tokens", url.Values{"name": {"过期的令牌"}, "role": {"analyst"}, "expires_on": {"2001-01-01"}}); p.status != http.StatusUnprocessableEntity || strings.Contains(p.body, `id="token-expires-error"></p>`) {
		t.Errorf("a token expired already: %d, want 422 beside the date\n%s", p.status, excerpt(p.body))
	}
	p = admin.post("/admin/tokens", url.Values{"name": {"统计系统"}, "role": {"analyst"}, "expires_on": {"2099-12-31"}})
	if p.status != http.StatusCreated || !strings.Contains(p.body, `id="token-value"`) {
		t.Fatalf("create token: %d %s", p.status, excerpt(p.body))
	}
	l := admin.get("/admin/tokens")
	if strings.Contains(l.body, `id="token-value"`) || !strings.Contains(l.body, "统计系统") {
		t.Errorf("the token is shown again or not listed")
	}
	i = strings.Index(l.body, `action="/admin/tokens/`)
	if i < 0 {
		t.Fatalf("no revoke form")
	}
	action := l.body[i+len(`action="`):]
	action = action[:strings.IndexByte(action, '"')]
	if p := admin.post(action, nil); p.status != http.StatusSeeOther {
		t.Errorf("revoke: %d %s", p.status, excerpt(p.body))
	}
	if l := admin.get("/admin/tokens"); !strings.Contains(l.body, "已吊销") {
		t.Errorf("the revoked token is not shown as revoked")
	}
}

// userID finds a user of Putuo by username.
func (e *env) userID(t *testing.T, username string) string {
	t.Helper()
	res := e.do("putuo-admin", http.MethodGet, "/api/v1/tenants/310107/users?limit=500", nil)
	var out struct {
		Items []struct{ ID, Username string }
	}
	if err := json.Unmarshal(res.body, &out); err != nil {
		t.Fatal(err)
	}
	for _, u := range out.Items {
		if u.Username == username {
			return u.ID
		}
	}
	t.Fatalf("no user %s", username)
	return ""
}

// TestConsoleAdminOnboarding: a provincial administrator onboards a district and a whole city
// and sees the report; a district administrator is not offered onboarding and is refused it.
func TestConsoleAdminOnboarding(t *testing.T) {
	e := newEnv(t)
	sh := e.consoleAs(t, "sh-prov")
	sd := e.consoleAs(t, "sd-prov")
	putuo := e.consoleAs(t, "putuo-admin")
	runAdminRows(t, []adminRow{
		{name: "province: administration opens on onboarding", as: sh, path: "/admin", status: http.StatusSeeOther},
		{name: "province: the section", as: sh, path: "/admin/tenants", status: 200, want: []string{`action="/admin/tenants/onboard"`, "上海市普陀区", "上海市青浦区"}, absent: []string{"济南"}},
		{name: "province onboards a district", as: sh, method: http.MethodPost, path: "/admin/tenants/onboard", form: url.Values{"code": {"310104"}, "scope": {"one"}},
			status: 200, want: []string{"开通结果", "上海市徐汇区"}},
		{name: "again: already there", as: sh, method: http.MethodPost, path: "/admin/tenants/onboard", form: url.Values{"code": {"310104"}, "scope": {"one"}},
			status: 200, want: []string{"已存在", "上海市徐汇区"}},
		{name: "a code outside the jurisdiction", as: sh, method: http.MethodPost, path: "/admin/tenants/onboard", form: url.Values{"code": {"370102"}, "scope": {"one"}},
			status: 403, absent: []string{"开通结果"}},
		{name: "not a division code: beside the field", as: sh, method: http.MethodPost, path: "/admin/tenants/onboard", form: url.Values{"code": {"12"}, "scope": {"one"}},
			status: 422, want: []string{`id="onboard-code"`, `aria-invalid="true"`}},
		{name: "a whole city", as: sd, method: http.MethodPost, path: "/admin/tenants/onboard", form: url.Values{"code": {"370100"}, "scope": {"within"}},
			status: 200, want: []string{"开通结果", "山东省济南市历下区", "山东省济南市槐荫区"}},
		{name: "district admin: no onboarding offered", as: putuo, path: "/admin/organisations", status: 200, absent: []string{`href="/admin/tenants"`}},
		{name: "district admin may not onboard", as: putuo, method: http.MethodPost, path: "/admin/tenants/onboard", form: url.Values{"code": {"310104"}, "scope": {"one"}}, status: 403},
	})
	p := sh.post("/admin/tenants/310104/suspend", url.Values{"reason": {"试运行结束"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("suspend: %d %s", p.status, excerpt(p.body))
	}
	if l := sh.get("/admin/tenants?q=310104"); !strings.Contains(l.body, "已暂停") || !strings.Contains(l.body, "/admin/tenants/310104/resume") {
		t.Errorf("the suspended tenant is not shown suspended with resume offered\n%s", excerpt(l.body))
	}
	if p := putuo.post("/admin/tenants/310118/suspend", url.Values{"reason": {"x"}}); p.status != http.StatusForbidden && p.status != http.StatusNotFound {
		t.Errorf("a district suspends another: %d", p.status)
	}
}

// TestConsoleAdminPolicy: the rules in plain words, adding and removing one, and the "why can /
// can't" explainer for a can and a can't, as a page and as an htmx fragment.
func TestConsoleAdminPolicy(t *testing.T) {
	e := newEnv(t)
	admin := e.consoleAs(t, "putuo-admin")
	staff := e.consoleAs(t, "putuo-staff")
	qingpu := e.consoleAs(t, "qingpu-admin")
	runAdminRows(t, []adminRow{
		{name: "admin: the rules in words", as: admin, path: "/admin/policy", status: 200, want: []string{"区县管理员", "可以", "平台默认", "为什么能"}},
		{name: "staff may not read the policy", as: staff, path: "/admin/policy", status: 403},
		{name: "another district may not read Putuo's", as: qingpu, path: "/admin/policy?tenant=310107", status: 404},
		{name: "explain a can", as: admin, path: "/admin/policy/explain?username=putuo-staff&resource=cases&action=create", status: 200,
			want: []string{`badge-green">可以`, "区县工作人员", "允许", "新建案件", `<option value="putuo-staff">`}},
		{name: "explain a can't", as: admin, path: "/admin/policy/explain?username=putuo-staff&resource=users&action=create", status: 200,
			want: []string{`badge-red">不能`, "没有规则允许"}},
		{name: "explain without a resource", as: admin, path: "/admin/policy/explain?username=putuo-staff&action=create", status: 422,
			want: []string{`id="ex-resource-error">`}},
		{name: "explain someone outside", as: qingpu, path: "/admin/policy/explain?username=putuo-staff&resource=cases&action=read", status: 404},
	})
	tok := e.do("putuo-admin", http.MethodPost, "/api/v1/tenants/310107/tokens", map[string]any{"name": "统计大屏", "role": "analyst"})
	if tok.status != http.StatusCreated {
		t.Fatalf("token: %d %s", tok.status, tok.body)
	}
	runAdminRows(t, []adminRow{
		{name: "explain a token", as: admin, path: "/admin/policy/explain?token_id=" + tok.json["id"].(string) + "&resource=stats&action=read", status: 200,
			want: []string{`badge-green">可以`, "接口令牌「统计大屏」", "统计分析员"}},
	})
	frag := admin.htmx(http.MethodGet, "/admin/policy/explain?username=putuo-staff&resource=users&action=read", nil)
	if frag.status != 200 || strings.Contains(frag.body, "<html") || !strings.Contains(frag.body, `id="explain"`) || !strings.Contains(frag.body, "不能") {
		t.Errorf("explain fragment: %d %s", frag.status, frag.body)
	}

	p := admin.post("/admin/policy", url.Values{"role": {"analyst"}, "resource": {"library"}, "action": {"read"}, "effect": {"allow"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("add rule: %d %s", p.status, excerpt(p.body))
	}
	l := admin.get("/admin/policy?role=analyst")
	if !strings.Contains(l.body, "统计分析员可以查看案例库") || !strings.Contains(l.body, "本租户") {
		t.Fatalf("the added rule is not listed in words\n%s", excerpt(l.body))
	}
	if !e.auditedAs(t, "310107", "policy.add", "putuo-admin") {
		t.Error("policy.add not audited as putuo-admin")
	}
	p = admin.post("/admin/policy", url.Values{"role": {"analyst"}, "resource": {"plugins"}, "action": {"restart"}})
	if p.status < 400 || p.status >= 500 || !strings.Contains(p.body, `class="problem"`) {
		t.Errorf("granting more than held: %d, want the API's refusal shown", p.status)
	}
	i := strings.Index(l.body, `name="rule" value="`)
	if i < 0 {
		t.Fatal("no remove form for the tenant's rule")
	}
	rule := l.body[i+len(`name="rule" value="`):]
	rule = rule[:strings.IndexByte(rule, '"')]
	if p := admin.post("/admin/policy/remove", url.Values{"rule": {rule}}); p.status != http.StatusSeeOther {
		t.Errorf("remove: %d %s", p.status, excerpt(p.body))
	}
	if l := admin.get("/admin/policy?role=analyst"); strings.Contains(l.body, "统计分析员可以查看案例库") {
		t.Error("the removed rule is still listed")
	}
}

// postFile submits a multipart form with one file, with the CSRF token of the last page.
func (c *consoleClient) postFile(path, field, filename, content string, fields url.Values, hx bool) page {
	c.t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, vs := range fields {
		for _, v := range vs {
			_ = w.WriteField(k, v)
		}
	}
	_ = w.WriteField("_csrf", c.csrf)
	fw, err := w.CreateFormFile(field, filename)
	if err != nil {
		c.t.Fatal(err)
	}
	_, _ = fw.Write([]byte(content))
	_ = w.Close()
	req, err := http.NewRequest(http.MethodPost, c.e.srv.URL+path, &buf)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	if hx {
		req.Header.Set("HX-Request", "true")
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	return c.do(req)
}

// TestConsoleAdminImportExport: an upload with a bad line shows the line number and imports
// nothing; a good one shows the report; the exports download as files.
func TestConsoleAdminImportExport(t *testing.T) {
	e := newEnv(t)
	admin := e.consoleAs(t, "putuo-admin")
	qingpu := e.consoleAs(t, "qingpu-admin")
	runAdminRows(t, []adminRow{
		{name: "admin: the upload form", as: admin, path: "/admin/import", status: 200, want: []string{`enctype="multipart/form-data"`, `hx-indicator="#import-busy"`, "<progress"}},
		{name: "admin: the exports", as: admin, path: "/admin/export", status: 200, want: []string{`action="/admin/export/cases"`, `action="/admin/export/monthly"`}},
	})
	before := e.caseCount("310107")
	bad := importCSV(importRow("310107", "历史案件一"), importRow("310107", ""), importRow("310107", "历史案件三"))
	p := admin.postFile("/admin/import", "file", "legacy.csv", bad, nil, true)
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, `<td class="num">3</td>`) || !strings.Contains(p.body, "<code>title</code>") || strings.Contains(p.body, "<html") {
		t.Errorf("import with a bad line: %d\n%s", p.status, p.body)
	}
	if n := e.caseCount("310107"); n != before {
		t.Errorf("a refused import imported %d cases", n-before)
	}
	p = admin.postFile("/admin/import", "file", "legacy.csv", bad, url.Values{"skip_invalid": {"true"}}, false)
	if p.status != http.StatusOK || !strings.Contains(p.body, "导入结果") || !strings.Contains(p.body, `<td class="num">3</td>`) || !strings.Contains(p.body, "<html") {
		t.Errorf("import skipping the bad line: %d\n%s", p.status, excerpt(p.body))
	}
	if n := e.caseCount("310107"); n != before+2 {
		t.Errorf("imported %d cases, want 2", n-before)
	}
	if p := admin.postFile("/admin/import", "file", "legacy.pdf", "x", nil, false); p.status != http.StatusUnprocessableEntity || strings.Contains(p.body, `id="import-file-error"></p>`) {
		t.Errorf("a .pdf: %d, want 422 beside the file\n%s", p.status, excerpt(p.body))
	}
	if p := qingpu.postFile("/admin/import", "file", "legacy.csv", importCSV(importRow("310107", "冒名导入")), url.Values{"tenant": {"310107"}}, false); p.status != http.StatusNotFound {
		t.Errorf("another district imports into Putuo: %d", p.status)
	}

	// A file larger than the server's body limit: the import's own limit applies to the upload.
	var rows []string
	for i := 0; i < 800; i++ {
		rows = append(rows, importRow("310107", fmt.Sprintf("大文件中的历史案件%04d", i)))
	}
	big := importCSV(rows...)
	if len(big) <= testBodyLimit {
		t.Fatalf("the big file has %d bytes only", len(big))
	}
	if p := admin.postFile("/admin/import", "file", "big.csv", big, nil, true); p.status != http.StatusOK || !strings.Contains(p.body, `<div class="value">800</div>`) {
		t.Errorf("a big upload: %d\n%s", p.status, excerpt(p.body))
	}
	if p := admin.post("/admin/organisations", url.Values{"kind": {"court"}, "name": {strings.Repeat("法", testBodyLimit)}}); p.status != http.StatusRequestEntityTooLarge {
		t.Errorf("a big form elsewhere: %d, want 413", p.status)
	}

	p = admin.get("/admin/export/cases?format=csv")
	if p.status != 200 || !strings.HasPrefix(p.header.Get("Content-Type"), "text/csv") || !strings.Contains(p.header.Get("Content-Disposition"), "attachment") || !strings.Contains(p.body, "历史案件一") {
		t.Errorf("case export: %d %q %q", p.status, p.header.Get("Content-Type"), p.header.Get("Content-Disposition"))
	}
	p = admin.get("/admin/export/monthly?format=xlsx&month=2024-05")
	if p.status != 200 || !strings.Contains(p.header.Get("Content-Type"), "spreadsheetml") || !strings.HasPrefix(p.body, "PK") {
		t.Errorf("monthly report: %d %q", p.status, p.header.Get("Content-Type"))
	}
	p = admin.get("/admin/export/monthly?month=2024-13-01")
	if p.status != http.StatusUnprocessableEntity || strings.Contains(p.body, `id="xr-month-error"></p>`) {
		t.Errorf("a bad month: %d, want 422 beside the month\n%s", p.status, excerpt(p.body))
	}
}

// TestConsoleAdminPlugins: the settings form is generated from the example plugin's schema; a
// bad value is shown by its field; enabling and disabling work; staff only read.
func TestConsoleAdminPlugins(t *testing.T) {
	e := newEnvWith(t, envOptions{plugins: true})
	e.install(t, buildPlugin(t, "plugins/example/cmd", "-X main.version=1.0.0"))
	admin := e.consoleAs(t, "putuo-admin")
	staff := e.consoleAs(t, "putuo-staff")
	runAdminRows(t, []adminRow{
		{name: "admin: the plugins", as: admin, path: "/admin/plugins", status: 200, want: []string{"example", "未启用", `href="/admin/plugins/example"`}},
		{name: "admin: the settings form from the schema", as: admin, path: "/admin/plugins/example", status: 200,
			want: []string{`name="s.greeting"`, `value="你好"`, `name="s.forbidden_word"`, `value="禁止"`, "至少", `name="enabled"`}},
		{name: "staff: read only", as: staff, path: "/admin/plugins/example", status: 200, want: []string{`name="s.greeting"`}, absent: []string{`type="submit" class="btn btn-primary"`}},
		{name: "staff may not save", as: staff, method: http.MethodPost, path: "/admin/plugins/example", form: url.Values{"enabled": {"true"}}, status: 403},
		{name: "no such plugin", as: admin, path: "/admin/plugins/nonesuch", status: 404},
	})
	p := admin.post("/admin/plugins/example", url.Values{"enabled": {"true"}, "s.greeting": {"您好"}, "s.forbidden_word": {""}})
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, `id="set-forbidden_word-error">`) || strings.Contains(p.body, `id="set-forbidden_word-error"></p>`) || !strings.Contains(p.body, `value="您好"`) {
		t.Errorf("a bad setting: %d\n%s", p.status, excerpt(p.body))
	}
	p = admin.post("/admin/plugins/example", url.Values{"enabled": {"true"}, "s.greeting": {"您好"}, "s.forbidden_word": {"测试"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("enable: %d %s", p.status, excerpt(p.body))
	}
	if l := admin.get("/admin/plugins/example"); !strings.Contains(l.body, `value="测试"`) || !strings.Contains(l.body, "已启用") {
		t.Errorf("the saved settings are not shown\n%s", excerpt(l.body))
	}
	if res := e.do("putuo-admin", http.MethodGet, "/api/v1/tenants/310107/plugins/example", nil); !strings.Contains(string(res.body), `"enabled":true`) || !strings.Contains(string(res.body), "测试") {
		t.Errorf("the API does not show the enablement: %s", res.body)
	}
	if p := admin.post("/admin/plugins/example/disable", nil); p.status != http.StatusSeeOther {
		t.Errorf("disable: %d", p.status)
	}
	if l := admin.get("/admin/plugins"); !strings.Contains(l.body, "未启用") {
		t.Errorf("the disabled plugin is shown enabled")
	}
}

// TestConsoleAdminPagination: a registry of more than a page links to the next page and back,
// keeping its filter.
func TestConsoleAdminPagination(t *testing.T) {
	e := newEnv(t)
	for i := 1; i <= 51; i++ {
		if res := e.do("putuo-admin", http.MethodPost, "/api/v1/tenants/310107/experts", map[string]any{"name": fmt.Sprintf("专家%02d", i), "field": "lawyer"}); res.status != http.StatusCreated {
			t.Fatalf("expert %d: %d %s", i, res.status, res.body)
		}
	}
	admin := e.consoleAs(t, "putuo-admin")
	first := admin.get("/admin/experts?field=lawyer")
	if !strings.Contains(first.body, "专家50") || strings.Contains(first.body, "专家51") {
		t.Fatalf("the first page is not the first 50")
	}
	i := strings.Index(first.body, `href="/admin/experts?after=`)
	if i < 0 {
		t.Fatalf("no next page link\n%s", excerpt(first.body))
	}
	next := first.body[i+len(`href="`):]
	next = strings.ReplaceAll(next[:strings.IndexByte(next, '"')], "&amp;", "&")
	if !strings.Contains(next, "field=lawyer") {
		t.Errorf("the next page loses the filter: %s", next)
	}
	second := admin.get(next)
	if second.status != 200 || !strings.Contains(second.body, "专家51") || strings.Contains(second.body, "专家50") || !strings.Contains(second.body, "回到第一页") {
		t.Errorf("second page: %d\n%s", second.status, excerpt(second.body))
	}
	if p := admin.get("/admin/experts?after=garbage"); p.status != http.StatusBadRequest && p.status != http.StatusUnprocessableEntity {
		t.Errorf("a bad cursor: %d", p.status)
	}
}
