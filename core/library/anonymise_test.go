package library

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/fengqiao/fengqiao/core/cases"
)

func person(role cases.PartyRole, name string) cases.Party {
	return cases.Party{Role: role, Kind: cases.KindPerson, Name: name}
}

func TestAnonymise(t *testing.T) {
	a, r, th := cases.RoleApplicant, cases.RoleRespondent, cases.RoleThird
	for _, c := range []struct {
		name    string
		parties []cases.Party
		text    string
		want    string
	}{
		{"two-character names", []cases.Party{person(a, "张三"), person(r, "李四")},
			"张三与李四因漏水发生纠纷，李四同意赔偿张三3500元。", "甲与乙因漏水发生纠纷，乙同意赔偿甲3500元。"},
		{"role order, not list order", []cases.Party{person(r, "李四"), person(th, "赵六"), person(a, "王五")},
			"王五诉李四，赵六为第三人。", "甲诉乙，丙为第三人。"},
		{"three-character names and the given name", []cases.Party{person(a, "张三丰"), person(r, "欧阳娜娜")},
			"张三丰称，三丰每晚被欧阳娜娜家的噪音吵醒；娜娜不认可。", "甲称，甲每晚被乙家的噪音吵醒；乙不认可。"},
		{"a name inside another name", []cases.Party{person(a, "张三"), person(r, "张三丰")},
			"张三丰与张三是邻居。", "乙与甲是邻居。"},
		{"a name inside another word is still replaced", []cases.Party{person(a, "高明"), person(r, "钱多")},
			"高明的做法让钱多多不满。", "甲的做法让乙多不满。"},
		{"repeated names", []cases.Party{person(a, "刘洋"), person(r, "陈静")},
			"刘洋、刘洋之妻与陈静，陈静陈静。", "甲、甲之妻与乙，乙乙。"},
		{"surname with titles", []cases.Party{person(a, "王建国"), person(r, "赵丽")},
			"王先生与赵女士协商，老王同意，赵某签字，王某某到场。", "甲先生与乙女士协商，甲同意，乙签字，甲到场。"},
		{"a shared surname is ambiguous", []cases.Party{person(a, "李明"), person(r, "李华")},
			"李明与李华，李先生未到。", "甲与乙，某当事人先生未到。"},
		{"four parties", []cases.Party{person(a, "甲乙丙"), person(a, "周一"), person(r, "吴二"), person(th, "郑三")},
			"周一、吴二、郑三", "乙、丙、丁"},
		{"organisation", []cases.Party{person(a, "孙红"), {Role: r, Kind: cases.KindOrganisation, Name: "上海某某物业管理有限公司"}},
			"孙红拒交上海某某物业管理有限公司的物业费。", "甲拒交乙的物业费。"},
		{"ID numbers", nil,
			"身份证号310107198001011234，另一证件31010719800101123X，旧证310107800101123。", "身份证号[身份证号]，另一证件[身份证号]，旧证[身份证号]。"},
		{"grouped ID number", nil, "证件 310107 19800101 123x 已核", "证件 [身份证号] 已核"},
		{"phones", nil,
			"电话13800138000，备用 139-0013-9000、+86 137 0013 7000，座机021-52564588。", "电话[电话]，备用 [电话]、[电话]，座机[电话]。"},
		{"a phone next to an amount", nil, "电话13800138000 2000元", "电话[电话] 2000元"},
		{"bank cards", nil,
			"转账至6222021234567890123，或 6222 0212 3456 7890。", "转账至[银行卡号]，或 [银行卡号]。"},
		{"plates", nil,
			"沪A12345与苏E·D12345相撞，京B1234学未参与。", "[车牌]与[车牌]相撞，[车牌]未参与。"},
		{"case numbers", nil,
			"本案（案号(2026)沪0107调字第00001号）经（2025）沪0107民初1234号判决。", "本案（案号[案号]）经[案号]判决。"},
		{"amounts, dates and years stay", nil,
			"2026年3月5日赔偿3500.5元，2026-03-05 前付清，共12期，面积85平方米。", "2026年3月5日赔偿3500.5元，2026-03-05 前付清，共12期，面积85平方米。"},
		{"other long numbers", nil, "合同编号 20260305001。", "合同编号 [号码]。"},
		{"the parties' addresses", []cases.Party{{Role: a, Kind: cases.KindPerson, Name: "张三", Address: "上海市普陀区长寿路100弄3号501室"}},
			"张三住上海市普陀区长寿路100弄3号501室，户籍地长寿路100弄3号501室。", "甲住[地址]，户籍地[地址]。"},
		{"door plates of others", nil,
			"双方住在幸福小区3号楼2单元501室和同心路88号。", "双方住在[地址]和[地址]。"},
		{"bare numbers with units stay", nil, "3月3号开会，5楼会议室。", "3月3号开会，5楼会议室。"},
		{"nothing to do", nil, "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := Anonymise(c.text, c.parties); got != c.want {
				t.Errorf("Anonymise(%q)\n got %q\nwant %q", c.text, got, c.want)
			}
		})
	}
}

func TestAnonymiseLeavesNoPartyData(t *testing.T) {
	parties := []cases.Party{
		{Role: cases.RoleApplicant, Kind: cases.KindPerson, Name: "钱小花", IDNumber: "31010719900307002X", Phone: "13912345678", Address: "上海市普陀区真北路1号2室"},
		{Role: cases.RoleRespondent, Kind: cases.KindPerson, Name: "孙大伟", Phone: "02152564588", Address: "上海市普陀区武宁路300弄5号"},
	}
	text := "钱小花（31010719900307002X，13912345678，住真北路1号2室）与孙大伟（电话021-52564588，住上海市普陀区武宁路300弄5号）" +
		"因车辆沪C88888剐蹭发生纠纷；小花要求大伟赔偿，转账卡号6217 0012 3456 7890 123。案号(2026)沪0107调字第00042号。"
	got := Anonymise(text, parties)
	for _, secret := range []string{"钱", "孙", "小花", "大伟", "31010719900307002X", "13912345678", "52564588", "真北路", "武宁路", "沪C88888", "6217", "00042"} {
		if strings.Contains(got, secret) {
			t.Errorf("%q remains in %q", secret, got)
		}
	}
	if !strings.HasPrefix(got, "甲（") || !strings.Contains(got, "与乙（") {
		t.Errorf("labels: %q", got)
	}
}

func TestLabel(t *testing.T) {
	for i, want := range map[int]string{0: "甲", 1: "乙", 2: "丙", 3: "丁", 9: "癸", 10: "当事人11", 99: "当事人100"} {
		if got := Label(i); got != want {
			t.Errorf("Label(%d) = %q, want %q", i, got, want)
		}
	}
}

var digitRun = regexp.MustCompile(`\d{11,}`)

func FuzzAnonymise(f *testing.F) {
	for _, s := range []string{"张三丰与李四", "身份证310107198001011234", "电话 139-0013-9000", "沪A12345", "(2026)沪0107调字第00001号",
		"住长寿路100弄3号501室", "欧阳娜娜、娜娜、欧阳女士", "老张和小李", "\xff\x00张三丰"} {
		f.Add(s)
	}
	parties := []cases.Party{
		{Role: cases.RoleApplicant, Kind: cases.KindPerson, Name: "张三丰", Address: "上海市普陀区长寿路100弄3号501室"},
		{Role: cases.RoleRespondent, Kind: cases.KindPerson, Name: "欧阳娜娜"},
		{Role: cases.RoleThird, Kind: cases.KindOrganisation, Name: "上海某物业管理有限公司"},
	}
	f.Fuzz(func(t *testing.T, text string) {
		got := Anonymise(text, parties)
		if utf8.ValidString(text) && !utf8.ValidString(got) {
			t.Fatalf("invalid UTF-8 out of valid input: %q", got)
		}
		for _, secret := range []string{"张三丰", "三丰", "欧阳娜娜", "娜娜", "上海某物业管理有限公司", "长寿路100弄3号501室"} {
			if strings.Contains(got, secret) {
				t.Fatalf("%q remains in %q (from %q)", secret, got, text)
			}
		}
		if m := digitRun.FindString(got); m != "" {
			t.Fatalf("a run of %d digits remains in %q (from %q)", len(m), got, text)
		}
	})
}
