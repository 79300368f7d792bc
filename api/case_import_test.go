package api_test

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// importCSV is a small legacy file: header, then rows (CSV lines without the header).
func importCSV(rows ...string) string {
	return "tenant,title,dispute_type,source,received_at,status,concluded_at,applicant_name,applicant_phone,respondent_name\n" +
		strings.Join(rows, "\n") + "\n"
}

func importRow(tenant, title string) string {
	return tenant + "," + title + ",neighbour,walk_in,2024-05-06,succeeded,2024-05-20,张三,13800138000,李四"
}

// upload posts a file to the import route as user.
func (e *env) upload(as, code, contentType, body, query string) response {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.srv.URL+"/api/v1/tenants/"+code+"/cases/import"+query, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Authorization", "Bearer "+e.tokens[as])
	return e.send(req)
}

func (e *env) caseCount(code string) int {
	e.t.Helper()
	// Upper levels read no case: count as the district's administrator.
	res := e.do(map[string]string{"310107": "putuo-admin", "310118": "qingpu-admin", "370104": "huaiyin-admin"}[code], http.MethodGet, "/api/v1/tenants/"+code+"/cases?limit=500", nil)
	if res.status != http.StatusOK {
		e.t.Fatalf("list %s: %d %s", code, res.status, res.body)
	}
	return len(res.json["items"].([]any))
}

// TestImportCasesUpload: the upload reports errors by line and field and imports nothing; with
// skip_invalid it imports the valid rows; imported cases read like any other.
func TestImportCasesUpload(t *testing.T) {
	e := newEnv(t)
	file := importCSV(importRow("310107", "历史案件一"), importRow("310107", ""), importRow("", "历史案件三"), importRow("310118", "邻区的案件"))
	res := e.upload("putuo-admin", "310107", "text/csv", file, "")
	if res.status != http.StatusUnprocessableEntity || res.header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("atomic upload with bad rows: %d %s", res.status, res.body)
	}
	errs := map[string]bool{}
	for _, it := range res.json["errors"].([]any) {
		m := it.(map[string]any)
		errs[fmt.Sprintf("%v:%v", m["line"], m["field"])] = true
	}
	if len(errs) != 2 || !errs["3:title"] || !errs["5:tenant"] {
		t.Errorf("errors %v; want line 3 title and line 5 tenant: %s", errs, res.body)
	}
	if n := e.caseCount("310107"); n != 0 {
		t.Fatalf("%d cases after a refused upload", n)
	}

	res = e.upload("putuo-admin", "310107", "text/csv; charset=utf-8", file, "?skip_invalid=true&filename=legacy-2024.csv")
	if res.status != http.StatusOK || res.json["imported"].(float64) != 2 || res.json["rejected"].(float64) != 2 || res.json["validated"].(float64) != 4 {
		t.Fatalf("skip_invalid upload: %d %s", res.status, res.body)
	}
	if got := len(res.json["errors"].([]any)); got != 2 {
		t.Errorf("%d errors listed, want 2", got)
	}
	list := e.do("putuo-admin", http.MethodGet, "/api/v1/tenants/310107/cases", nil)
	items := list.json["items"].([]any)
	if len(items) != 2 {
		t.Fatalf("listed %d imported cases: %s", len(items), list.body)
	}
	c := items[0].(map[string]any)
	if c["number"] != "(2024)沪0107调字第00002号" || c["status"] != "succeeded" || c["concluded_at"] == nil {
		t.Errorf("imported case: %v", c)
	}
	one := e.do("putuo-admin", http.MethodGet, "/api/v1/tenants/310107/cases/"+c["id"].(string), nil)
	p0 := one.json["parties"].([]any)[0].(map[string]any)
	if one.status != http.StatusOK || p0["phone"] != "138****8000" || p0["masked"] != true {
		t.Errorf("get imported case: %d %s", one.status, one.body)
	}
	hist := e.do("putuo-admin", http.MethodGet, "/api/v1/tenants/310107/cases/"+c["id"].(string)+"/history", nil)
	if evs := hist.json["items"].([]any); len(evs) != 1 || evs[0].(map[string]any)["action"] != "import" {
		t.Errorf("history of an imported case: %s", hist.body)
	}
	audit := e.do("putuo-admin", http.MethodGet, "/api/v1/tenants/310107/audit", nil)
	if !strings.Contains(string(audit.body), `"case.import"`) || !strings.Contains(string(audit.body), "legacy-2024.csv") {
		t.Errorf("no audit entry of the import: %s", audit.body)
	}

	nd := `{"title":"网上导入","dispute_type":"consumer","source":"online","received_at":"2025-01-02","status":"received","parties":[{"name":"王五","role":"applicant"}]}` + "\n"
	res = e.upload("putuo-admin", "310107", "application/x-ndjson", nd, "")
	if res.status != http.StatusOK || res.json["imported"].(float64) != 1 {
		t.Fatalf("ndjson upload: %d %s", res.status, res.body)
	}
}

// TestImportCasesIsolation: administrators and district staff import (the import permission,
// narrowed by a tenant's deny rule), into their own subtree; agencies' clerks, committee heads
// and other tenants do not; a row naming another tenant than the path's is an error, even for
// an upper level.
func TestImportCasesIsolation(t *testing.T) {
	e := newEnv(t)
	court := e.org(t, "putuo-admin", "310107", map[string]any{"kind": "court", "name": "普陀区人民法院"})
	committee := e.org(t, "putuo-admin", "310107", map[string]any{"kind": "street_committee", "name": "长寿路街道人民调解委员会", "street_code": "310107015"})
	for _, u := range []struct{ name, role, org string }{{"court-clerk", "agency-clerk", court}, {"committee-head", "committee-head", committee}} {
		e.tokens[u.name] = strings.TrimPrefix(e.agencyUser(t, "310107", u.name, u.role, u.org), "Bearer ")
	}
	putuo := importCSV(importRow("310107", "普陀的案件"))
	for _, c := range []struct {
		as, code string
		status   int
	}{
		{"qingpu-admin", "310107", http.StatusNotFound}, // a neighbour does not exist for Qingpu
		{"huaiyin-admin", "310107", http.StatusNotFound},
		{"huaiyin-staff", "310107", http.StatusNotFound}, // staff of another district
		{"court-clerk", "310107", http.StatusForbidden},  // a court's clerk does not load a bureau's records
		{"committee-head", "310107", http.StatusForbidden},
		{"sd-prov", "310107", http.StatusNotFound},
		{"jinan-city", "310107", http.StatusNotFound},
	} {
		res := e.upload(c.as, c.code, "text/csv", putuo, "")
		if res.status != c.status {
			t.Errorf("%s into %s: %d, want %d: %s", c.as, c.code, res.status, c.status, res.body)
		}
	}
	if n := e.caseCount("310107"); n != 0 {
		t.Fatalf("%d cases imported by outsiders", n)
	}
	// District staff migrate their bureau's records…
	res := e.upload("putuo-staff", "310107", "text/csv", putuo, "")
	if res.status != http.StatusOK || res.json["imported"].(float64) != 1 {
		t.Fatalf("district staff import: %d %s", res.status, res.body)
	}
	// …until the district's administrator narrows the permission with a deny rule.
	rule := e.do("putuo-admin", http.MethodPost, "/api/v1/tenants/310107/policies",
		map[string]any{"role": "district-staff", "resource": "cases", "action": "import", "relationship": "*", "effect": "deny"})
	if rule.status != http.StatusCreated {
		t.Fatalf("deny import to staff: %d %s", rule.status, rule.body)
	}
	if res := e.upload("putuo-staff", "310107", "text/csv", importCSV(importRow("310107", "又一件")), ""); res.status != http.StatusForbidden {
		t.Errorf("staff import after the deny rule: %d %s", res.status, res.body)
	}
	if res := e.upload("huaiyin-staff", "370104", "text/csv", importCSV(importRow("", "槐荫的案件")), ""); res.status != http.StatusOK {
		t.Errorf("another district's staff, untouched by Putuo's rule: %d %s", res.status, res.body)
	}
	if n := e.caseCount("310107"); n != 1 {
		t.Fatalf("%d cases in Putuo, want the staff's one", n)
	}
	// Qingpu's administrator, through its own path, cannot smuggle Putuo's rows in.
	res = e.upload("qingpu-admin", "310118", "text/csv", putuo, "?skip_invalid=true")
	if res.status != http.StatusOK || res.json["imported"].(float64) != 0 || res.json["rejected"].(float64) != 1 {
		t.Fatalf("rows of another tenant: %d %s", res.status, res.body)
	}
	// Shanghai's province imports into Putuo, and only Putuo's rows.
	res = e.upload("sh-prov", "310107", "text/csv", importCSV(importRow("310107", "普陀的案件"), importRow("310118", "青浦的案件")), "?skip_invalid=true")
	if res.status != http.StatusOK || res.json["imported"].(float64) != 1 || res.json["rejected"].(float64) != 1 {
		t.Fatalf("province upload: %d %s", res.status, res.body)
	}
	if e.caseCount("310107") != 2 || e.caseCount("310118") != 0 {
		t.Error("cases landed in the wrong tenant")
	}
}

// TestImportCasesBodies: media types, empty bodies, size limit of the route (larger than the
// server's), never a 5xx.
func TestImportCasesBodies(t *testing.T) {
	e := newEnv(t)
	for _, c := range []struct {
		name, ct, body, query string
		status                int
	}{
		{"json is refused", "application/json", `{"title":"x"}`, "", http.StatusUnsupportedMediaType},
		{"no content type", "", "a,b\n", "", http.StatusUnsupportedMediaType},
		{"empty", "text/csv", " \n", "", http.StatusBadRequest},
		{"bad skip_invalid", "text/csv", importCSV(importRow("310107", "x")), "?skip_invalid=maybe", http.StatusBadRequest},
		{"header only", "text/csv", importCSV(), "", http.StatusOK},
		{"unknown column", "text/csv", "title,colour\nx,red\n", "", http.StatusUnprocessableEntity},
		{"binary garbage", "text/csv", "\x00\xff\xfe\"\n\"", "", http.StatusUnprocessableEntity},
		{"garbage ndjson", "application/x-ndjson", "{\n[\n\"\n", "", http.StatusUnprocessableEntity},
	} {
		res := e.upload("putuo-admin", "310107", c.ct, c.body, c.query)
		if res.status != c.status {
			t.Errorf("%s: %d, want %d: %s", c.name, res.status, c.status, res.body)
		}
	}
	// Beyond the server's limit (64 KiB in tests) but within the route's: accepted.
	var rows []string
	for i := 0; len(strings.Join(rows, "\n")) < 2*testBodyLimit; i++ {
		rows = append(rows, importRow("310107", fmt.Sprintf("历史案件 %05d", i)))
	}
	res := e.upload("putuo-admin", "310107", "text/csv", importCSV(rows...), "")
	if res.status != http.StatusOK || int(res.json["imported"].(float64)) != len(rows) {
		t.Fatalf("upload of %d rows (%d bytes): %d %.300s", len(rows), len(importCSV(rows...)), res.status, res.body)
	}
	// Other routes keep the server's limit.
	big := e.do("putuo-admin", http.MethodPost, "/api/v1/tenants/310107/cases", strings.Repeat(" ", 2*testBodyLimit)+"{}")
	if big.status != http.StatusRequestEntityTooLarge {
		t.Errorf("create case with a large body: %d", big.status)
	}
}

// xlsxOf builds an Excel workbook whose first sheet holds the rows.
func xlsxOf(t *testing.T, rows ...[]any) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, r := range rows {
		for j, v := range r {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
			if err := f.SetCellValue("Sheet1", cell, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// TestImportCasesXLSX: a bureau's Excel sheet, headers and values in Chinese, imports as its
// codes — district staff may upload it; errors name the sheet's row, the column and the
// accepted values, and nothing is imported; another district's staff cannot.
func TestImportCasesXLSX(t *testing.T) {
	e := newEnv(t)
	header := []any{"标题", "纠纷类型", "来源", "受理时间", "状态", "办结时间", "履行情况", "申请人姓名", "申请人证件类型", "申请人证件号码", "被申请人姓名", "被申请人类型"}
	good := []any{"楼上漏水赔偿", "邻里纠纷", "上门", time.Date(2024, 3, 15, 0, 0, 0, 0, time.UTC), "调解成功", "2024-04-01", "已履行", "陈大文", "回乡证", "H12345678", "某物业公司", "单位"}
	second := []any{"拖欠工资", "劳动争议", "电话", "2024-05-06", "已受理", "", "", "王五"}
	bad := []any{"吵架", "吵架纠纷", "飞鸽传书", "2024-05-06", "已受理", "", "", "赵六"}

	res := e.upload("putuo-staff", "310107", xlsxType, xlsxOf(t, header, good, nil, bad), "")
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("a sheet with a bad row: %d %s", res.status, res.body)
	}
	var got []string
	for _, it := range res.json["errors"].([]any) {
		m := it.(map[string]any)
		got = append(got, fmt.Sprintf("%v:%v", m["line"], m["field"]))
		if m["field"] == "source" && !strings.Contains(m["detail"].(string), "来访、电话/12348热线") {
			t.Errorf("the error does not list the accepted sources: %v", m["detail"])
		}
	}
	if strings.Join(got, ",") != "4:dispute_type,4:source" {
		t.Errorf("errors %v, want row 4 (after an empty row 3): dispute_type, source", got)
	}
	if n := e.caseCount("310107"); n != 0 {
		t.Fatalf("%d cases after a refused upload", n)
	}
	if res := e.upload("huaiyin-staff", "310107", xlsxType, xlsxOf(t, header, good), ""); res.status != http.StatusNotFound {
		t.Errorf("another district's staff: %d %s", res.status, res.body)
	}

	res = e.upload("putuo-staff", "310107", xlsxType, xlsxOf(t, header, good, second), "?filename=旧系统导出.xlsx")
	if res.status != http.StatusOK || res.json["imported"].(float64) != 2 {
		t.Fatalf("a Chinese sheet: %d %s", res.status, res.body)
	}
	list := e.do("putuo-staff", http.MethodGet, "/api/v1/tenants/310107/cases?status=succeeded", nil)
	items := list.json["items"].([]any)
	if len(items) != 1 {
		t.Fatalf("succeeded cases: %s", list.body)
	}
	c := items[0].(map[string]any)
	parties := c["parties"].([]any)
	p0, p1 := parties[0].(map[string]any), parties[1].(map[string]any)
	if c["dispute_type"] != "neighbour" || c["source"] != "walk_in" || c["performance"] != "performed" ||
		!strings.HasPrefix(c["received_at"].(string), "2024-03-14T16:00:00") ||
		p0["id_type"] != "hk_macao_permit" || p0["id_number"] != "H******78" || p1["kind"] != "organisation" {
		t.Errorf("imported case: %v", c)
	}
}
