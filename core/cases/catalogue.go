package cases

import (
	"fmt"
	"regexp"
	"time"
)

// DisputeType is an entry of the dispute-type catalogue.
type DisputeType struct {
	Code   string `json:"code"`
	NameZH string `json:"name_zh"`
	NameEN string `json:"name_en"`
	// Industry names the industry committee that handles the type, when one exists (routing).
	Industry string `json:"industry,omitempty"`
	BuiltIn  bool   `json:"built_in"`
}

var builtInTypes = []DisputeType{
	{Code: "marriage_family", NameZH: "婚姻家庭纠纷", NameEN: "Marriage and family"},
	{Code: "neighbour", NameZH: "邻里纠纷", NameEN: "Neighbours"},
	{Code: "property_management", NameZH: "物业纠纷", NameEN: "Property management", Industry: "property"},
	{Code: "housing_homestead", NameZH: "房屋宅基地纠纷", NameEN: "Housing and homestead"},
	{Code: "contract", NameZH: "合同纠纷", NameEN: "Contract"},
	{Code: "damages", NameZH: "损害赔偿纠纷", NameEN: "Damages"},
	{Code: "labour", NameZH: "劳动争议", NameEN: "Labour", Industry: "labour"},
	{Code: "traffic_accident", NameZH: "道路交通事故纠纷", NameEN: "Traffic accident", Industry: "traffic"},
	{Code: "medical", NameZH: "医疗纠纷", NameEN: "Medical", Industry: "medical"},
	{Code: "consumer", NameZH: "消费纠纷", NameEN: "Consumer", Industry: "consumer"},
	{Code: "land_demolition", NameZH: "征地拆迁纠纷", NameEN: "Land requisition and demolition"},
	{Code: "other", NameZH: "其他纠纷", NameEN: "Other"},
}

// BuiltInTypes returns the platform's dispute-type catalogue; tenants may add their own codes.
func BuiltInTypes() []DisputeType {
	out := make([]DisputeType, len(builtInTypes))
	for i, t := range builtInTypes {
		t.BuiltIn = true
		out[i] = t
	}
	return out
}

var typeCode = regexp.MustCompile(`^[a-z][a-z0-9_]{1,39}$`)

// ValidTypeCode checks the shape of a tenant's own dispute-type code.
func ValidTypeCode(code string) bool { return typeCode.MatchString(code) }

// Source is the channel a case came in through (一口受理).
type Source string

const (
	SourceWalkIn        Source = "walk_in"       // 来访
	SourceHotline       Source = "hotline"       // 电话 / 12348
	SourceOnline        Source = "online"        // 网上申请
	SourceScreening     Source = "screening"     // 排查（网格员、信息员）
	SourceCourt         Source = "court"         // 法院委派/委托（诉调对接）
	SourcePolice        Source = "police"        // 公安（警调/公调）
	SourceProcuratorate Source = "procuratorate" // 检察院（检调）
	SourcePetition      Source = "petition"      // 信访（访调）
	SourceDepartment    Source = "department"    // 其他部门委托移交
)

// SourceInfo describes a source.
type SourceInfo struct {
	Code      Source        `json:"code"`
	NameZH    string        `json:"name_zh"`
	Referral  bool          `json:"referral"` // a referring agency expects feedback (反馈)
	TimeLimit time.Duration `json:"-"`        // default time limit from intake to outcome
}

var sources = []SourceInfo{
	{SourceWalkIn, "来访", false, 30 * 24 * time.Hour},
	{SourceHotline, "电话/12348热线", false, 30 * 24 * time.Hour},
	{SourceOnline, "网上申请", false, 30 * 24 * time.Hour},
	{SourceScreening, "排查发现", false, 30 * 24 * time.Hour},
	{SourceCourt, "法院委派/委托", true, 30 * 24 * time.Hour},
	{SourcePolice, "公安移交", true, 15 * 24 * time.Hour},
	{SourceProcuratorate, "检察院移交", true, 30 * 24 * time.Hour},
	{SourcePetition, "信访移交", true, 30 * 24 * time.Hour},
	{SourceDepartment, "其他部门移交", true, 30 * 24 * time.Hour},
}

// Sources lists every intake source.
func Sources() []SourceInfo { return append([]SourceInfo(nil), sources...) }

// LookupSource finds a source by code.
func LookupSource(code string) (SourceInfo, bool) {
	for _, s := range sources {
		if string(s.Code) == code {
			return s, true
		}
	}
	return SourceInfo{}, false
}

var provinceAbbr = map[string]string{
	"11": "京", "12": "津", "13": "冀", "14": "晋", "15": "蒙", "21": "辽", "22": "吉", "23": "黑",
	"31": "沪", "32": "苏", "33": "浙", "34": "皖", "35": "闽", "36": "赣", "37": "鲁", "41": "豫",
	"42": "鄂", "43": "湘", "44": "粤", "45": "桂", "46": "琼", "50": "渝", "51": "川", "52": "贵",
	"53": "云", "54": "藏", "61": "陕", "62": "甘", "63": "青", "64": "宁", "65": "新",
}

// Number formats a case number, unique per tenant and year: (2026)沪0107调字第00001号 — the
// province's abbreviation and the last four digits of the district code.
func Number(tenantCode string, year, seq int) string {
	return fmt.Sprintf("%s%05d号", NumberPrefix(tenantCode, year), seq)
}

// NumberPrefix is a case number up to the sequence: (2026)沪0107调字第.
func NumberPrefix(tenantCode string, year int) string {
	return fmt.Sprintf("(%d)%s%s调字第", year, provinceAbbr[tenantCode[:2]], tenantCode[2:])
}
