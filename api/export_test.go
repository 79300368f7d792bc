package api_test

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

func TestExports(t *testing.T) {
	e, _ := statsEnv(t)
	month := time.Now().In(time.FixedZone("CST", 8*3600)).Format("2006-01")
	t.Run("case list as CSV", func(t *testing.T) {
		res := e.do("putuo-staff", http.MethodGet, "/api/v1/tenants/310107/cases/export", nil)
		if res.status != 200 || !strings.HasPrefix(res.header.Get("Content-Type"), "text/csv") || !strings.Contains(res.header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("%d %v %s", res.status, res.header, res.body)
		}
		recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(res.body, []byte("\ufeff")))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != 4 || recs[0][0] != "案件编号" || recs[0][10] != "调委会" || recs[0][12] != "申请人" || recs[0][16] != "登记人" {
			t.Fatalf("records %q", recs)
		}
		statuses := map[string]bool{}
		uuidOrCode := regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-|\b[0-9]{9,12}\b|user:`)
		for _, r := range recs[1:] {
			statuses[r[4]] = true
			// Names, not UUIDs or codes: the committee, the place, the performance, who registered it.
			if uuidOrCode.MatchString(strings.Join(r, ",")) {
				t.Errorf("an id or code in the export: %q", r)
			}
			if r[10] != "长寿路街道人民调解委员会" && r[10] != "普陀区物业纠纷调委会" && r[10] != "未分派" || r[11] != "长寿路街道" || r[16] == "" {
				t.Errorf("names in row %q", r)
			}
			if r[10] == "长寿路街道人民调解委员会" && r[15] != "履行完毕" {
				t.Errorf("performance of the performed agreement: %q", r[15])
			}
			if !strings.Contains(r[0], "沪0107调字") || r[12] != "张三" || r[13] != "李四" {
				t.Errorf("row %q", r)
			}
			if strings.Contains(strings.Join(r, ","), "13800138000") {
				t.Error("a phone number in the export")
			}
		}
		if !statuses["调解成功"] || !statuses["调解不成"] || !statuses["已受理"] {
			t.Errorf("statuses %v", statuses)
		}
	})
	t.Run("case list filtered, as XLSX", func(t *testing.T) {
		res := e.do("putuo-admin", http.MethodGet, "/api/v1/tenants/310107/cases/export?format=xlsx&status=succeeded", nil)
		if res.status != 200 {
			t.Fatalf("%d %s", res.status, res.body)
		}
		f, err := excelize.OpenReader(bytes.NewReader(res.body))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		rows, err := f.GetRows("案件列表")
		if err != nil || len(rows) != 2 || rows[1][4] != "调解成功" {
			t.Fatalf("rows %q %v", rows, err)
		}
	})
	t.Run("monthly report of a district as XLSX", func(t *testing.T) {
		res := e.do("putuo-admin", http.MethodGet, "/api/v1/tenants/310107/reports/monthly?format=xlsx&month="+month, nil)
		if res.status != 200 {
			t.Fatalf("%d %s", res.status, res.body)
		}
		f, err := excelize.OpenReader(bytes.NewReader(res.body))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if got := strings.Join(f.GetSheetList(), ","); got != "汇总,按调委会,按纠纷类型,按来源" {
			t.Fatalf("sheets %s", got)
		}
		sum, _ := f.GetRows("汇总")
		if len(sum) != 2 || sum[0][1] != "受理" || sum[1][1] != "3" || sum[1][2] != "2" || sum[1][3] != "1" || sum[1][6] != "0.5" {
			t.Fatalf("totals %q", sum)
		}
		com, _ := f.GetRows("按调委会")
		names := ""
		for _, r := range com[1:] {
			names += r[0] + ";"
		}
		if !strings.Contains(names, "长寿路街道人民调解委员会") || !strings.Contains(names, "普陀区物业纠纷调委会") || !strings.Contains(names, "未分派") {
			t.Fatalf("committees %q", com)
		}
	})
	t.Run("monthly report of the province by child tenant as CSV", func(t *testing.T) {
		res := e.do("sh-prov", http.MethodGet, "/api/v1/tenants/310000/reports/monthly?month="+month, nil)
		if res.status != 200 {
			t.Fatalf("%d %s", res.status, res.body)
		}
		body := string(res.body)
		for _, want := range []string{"按下级单位", "上海市", "邻里纠纷", "来访", "人民调解工作月报（上海市）"} {
			if !strings.Contains(body, want) {
				t.Errorf("report lacks %q:\n%s", want, body)
			}
		}
		if strings.Contains(body, "张三") {
			t.Error("personal data in an upper-level report")
		}
	})
	runRows(t, e, nil, []row{
		{name: "bad format", as: "putuo-admin", method: "GET", path: "/api/v1/tenants/310107/cases/export?format=pdf", status: 400, problem: "invalid-field", field: "format"},
		{name: "bad filter", as: "putuo-admin", method: "GET", path: "/api/v1/tenants/310107/cases/export?from=yesterday", status: 400, problem: "invalid-field", field: "from"},
		{name: "bad month", as: "putuo-admin", method: "GET", path: "/api/v1/tenants/310107/reports/monthly?month=2020-13", status: 400, problem: "invalid-field", field: "month"},
		{name: "neighbour's cases", as: "huaiyin-admin", method: "GET", path: "/api/v1/tenants/310107/cases/export", status: 404, problem: "tenant-not-found"},
		{name: "neighbour's report", as: "huaiyin-admin", method: "GET", path: "/api/v1/tenants/310107/reports/monthly", status: 404, problem: "tenant-not-found"},
		{name: "province cannot export a district's case list", as: "sh-prov", method: "GET", path: "/api/v1/tenants/310107/cases/export", status: 403, problem: "forbidden"},
		{name: "anonymous", method: "GET", path: "/api/v1/tenants/310107/reports/monthly", status: 401, problem: "unauthenticated"},
	})
}
