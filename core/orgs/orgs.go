// Package orgs is a district's registry of the units and people of mediation: organisations
// (mediation committees 调委会, brand studios 品牌调解室, judicial offices 司法所 and partner
// agencies 大调解成员单位), people's mediators (人民调解员) and the expert pool (专家库). Nothing is
// ever deleted: a unit or person leaves by becoming inactive.
package orgs

import (
	"errors"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/fengqiao/fengqiao/core/kind"
	"github.com/fengqiao/fengqiao/core/valid"
)

// Kind is the kind of an organisation.
type Kind string

// Mediation committees (人民调解委员会).
const (
	KindVillageCommittee    Kind = "village_committee"    // 村（居）民委员会人民调解委员会
	KindStreetCommittee     Kind = "street_committee"     // 街道（乡镇）人民调解委员会
	KindEnterpriseCommittee Kind = "enterprise_committee" // 企事业单位人民调解委员会
	KindIndustryCommittee   Kind = "industry_committee"   // 行业性专业性人民调解委员会
	KindDispatchedCommittee Kind = "dispatched_committee" // 派驻人民调解委员会
)

// Other units of the district.
const (
	KindJudicialOffice Kind = "judicial_office" // 司法所
	KindBrandStudio    Kind = "brand_studio"    // 品牌调解室 / 个人调解工作室
)

// Partner agencies (大调解成员单位).
const (
	KindCourt          Kind = "court"           // 法院
	KindPoliceStation  Kind = "police_station"  // 派出所
	KindProcuratorate  Kind = "procuratorate"   // 检察院
	KindPetitionOffice Kind = "petition_office" // 信访
	KindDepartment     Kind = "department"      // 其他成员单位：人社、市场监管、工会、消保委…
)

// KindInfo describes a kind of organisation.
type KindInfo struct {
	Code   Kind   `json:"code"`
	NameZH string `json:"name_zh"`
	NameEN string `json:"name_en"`
}

var kinds = []KindInfo{
	{KindVillageCommittee, "村（居）调委会", "Village or community mediation committee"},
	{KindStreetCommittee, "街道（乡镇）调委会", "Street or town mediation committee"},
	{KindEnterpriseCommittee, "企事业单位调委会", "Enterprise mediation committee"},
	{KindIndustryCommittee, "行业性专业性调委会", "Industry or professional mediation committee"},
	{KindDispatchedCommittee, "派驻调委会", "Dispatched mediation committee"},
	{KindJudicialOffice, "司法所", "Judicial office"},
	{KindBrandStudio, "品牌调解室/个人调解工作室", "Brand mediation studio"},
	{KindCourt, "法院", "Court"},
	{KindPoliceStation, "派出所", "Police station"},
	{KindProcuratorate, "检察院", "Procuratorate"},
	{KindPetitionOffice, "信访部门", "Petition office"},
	{KindDepartment, "其他成员单位", "Other member department"},
}

// Kinds lists every kind of organisation.
func Kinds() []KindInfo { return slices.Clone(kinds) }

// LookupKind finds a kind by code.
func LookupKind(code string) (KindInfo, bool) {
	for _, k := range kinds {
		if string(k.Code) == code {
			return k, true
		}
	}
	return KindInfo{}, false
}

var committeeKinds = []Kind{KindVillageCommittee, KindStreetCommittee, KindEnterpriseCommittee, KindIndustryCommittee, KindDispatchedCommittee}

var agencyKinds = []Kind{KindCourt, KindPoliceStation, KindProcuratorate, KindPetitionOffice, KindDepartment}

// CommitteeKinds lists the kinds of mediation committee (the units that mediate).
func CommitteeKinds() []Kind { return slices.Clone(committeeKinds) }

// AgencyKinds lists the kinds of partner agency.
func AgencyKinds() []Kind { return slices.Clone(agencyKinds) }

// IsCommittee reports whether kind is a mediation committee.
func IsCommittee(kind Kind) bool { return slices.Contains(committeeKinds, kind) }

// IsAgency reports whether kind is a partner agency (which may refer cases and be told the
// outcome, hence its webhook).
func IsAgency(kind Kind) bool { return slices.Contains(agencyKinds, kind) }

// MediationKinds lists the kinds of unit that mediate and that cases can be assigned to:
// the committees and the brand studios.
func MediationKinds() []Kind { return append(CommitteeKinds(), KindBrandStudio) }

// HostsMediators reports whether mediators may belong to an organisation of kind: a committee
// or a brand studio (a committee-like unit named after its mediator).
func HostsMediators(kind Kind) bool { return IsCommittee(kind) || kind == KindBrandStudio }

// Industries of industry committees (行业性专业性调委会).
var industries = []string{"medical", "property", "consumer", "finance", "ip", "traffic", "labour", "tourism", "internet", "commercial", "other"}

// Industries lists the industries of industry committees.
func Industries() []string { return slices.Clone(industries) }

// Places where a dispatched committee is stationed (派驻).
var stations = []string{"court", "police", "petition", "other"}

// Stations lists where a dispatched committee may be stationed.
func Stations() []string { return slices.Clone(stations) }

// Status tells whether a unit or a person is in service. Nothing is deleted: it becomes inactive.
type Status string

const (
	StatusActive   Status = "active"
	StatusInactive Status = "inactive"
)

// Contact is how to reach an organisation.
type Contact struct {
	Name    string `json:"name"`
	Phone   string `json:"phone"`
	Address string `json:"address"`
}

// Organisation is a unit of the district's mediation network.
type Organisation struct {
	ID           string
	TenantCode   string
	Kind         Kind
	Name         string
	StreetCode   string // 9 digits; required for village and street committees
	VillageCode  string // 12 digits, under StreetCode; optional
	Industry     string // industry committees only
	StationedAt  string // dispatched committees only: court, police, petition or other
	MediatorName string // brand studios only: the mediator the studio is named after
	Contact      Contact
	WebhookURL   string // agencies only; stored for the feedback (反馈) feature
	Status       Status
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// MediatorKind is full-time (专职) or part-time (兼职).
type MediatorKind string

const (
	FullTime MediatorKind = "full_time"
	PartTime MediatorKind = "part_time"
)

// Grades of mediators (等级评定); "" when not graded.
var grades = []string{"junior", "intermediate", "senior"}

// Grades lists the grades a mediator may hold.
func Grades() []string { return slices.Clone(grades) }

// Mediator is a people's mediator (人民调解员).
type Mediator struct {
	ID                string
	TenantCode        string
	Name              string
	Kind              MediatorKind
	CertificateNumber string // 持证上岗
	Grade             string
	Chief             bool     // 首席调解员
	Specialities      []string // dispute-type codes
	OrganisationID    string   // a committee or brand studio of the tenant
	Phone             string   // normalized
	Status            Status
	CreditScore       int // 信用评价, 0–100
	// UserID is the user account of the tenant the mediator logs in with ("" when none): one
	// user is at most one mediator. Through it the mediator sees the cases assigned to them
	// (the mediator relationship, core/access).
	UserID    string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// DefaultCreditScore is a new mediator's credit score.
const DefaultCreditScore = 100

// Fields of the expert pool.
var fields = []string{"lawyer", "doctor", "psychologist", "engineer", "accountant", "other"}

// Fields lists the professional fields of experts.
func Fields() []string { return slices.Clone(fields) }

// Expert is a member of the expert pool (专家库), consulted on hard cases.
type Expert struct {
	ID           string
	TenantCode   string
	Name         string
	Field        string
	Specialities []string // dispute-type codes
	Organisation string   // employer, free text
	Phone        string   // normalized
	Note         string
	Status       Status
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Sentinel errors.
var (
	ErrNotFound = errors.New("not found")
	ErrInvalid  = valid.ErrInvalid
	// ErrNameTaken: another active organisation of the tenant has the name.
	ErrNameTaken = kind.New(kind.Conflict, "organisation name taken")
	// ErrUserLinked: the user account is linked to another mediator already.
	ErrUserLinked = kind.New(kind.Conflict, "user linked to another mediator")
)

// Resources of the registry, as named in errors and problem types.
const (
	ResourceOrganisation = "organisation"
	ResourceMediator     = "mediator"
	ResourceExpert       = "expert"
)

// NotFoundError: the tenant has no such organisation, mediator or expert. It wraps ErrNotFound.
type NotFoundError struct{ Resource string }

var resourceZH = map[string]string{ResourceOrganisation: "调解组织或单位", ResourceMediator: "调解员", ResourceExpert: "专家"}

func (e *NotFoundError) Error() string {
	return resourceZH[e.Resource] + "不存在 / " + e.Resource + " not found"
}
func (e *NotFoundError) Kind() kind.Kind { return kind.NotFound }

// Title is the error's title: "调解员不存在 / Mediator not found".
func (e *NotFoundError) Title() string {
	return resourceZH[e.Resource] + "不存在 / " + strings.ToUpper(e.Resource[:1]) + e.Resource[1:] + " not found"
}

// Detail explains the error.
func (e *NotFoundError) Detail() string {
	return "该租户下没有此" + resourceZH[e.Resource] + " / no such " + e.Resource + " in this tenant"
}

func (e *NotFoundError) Unwrap() error { return ErrNotFound }

// FieldError, ValidationError and the list that collects them are the shared shape of
// validation errors (core/valid).
type (
	FieldError      = valid.FieldError
	ValidationError = valid.Error
	errs            = valid.List
)

func invalid(field, format string, args ...any) error {
	var v errs
	v.Add(field, format, args...)
	return v.Err()
}

func runes(s string) int { return utf8.RuneCountInString(s) }
