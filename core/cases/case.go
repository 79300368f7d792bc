package cases

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/fengqiao/fengqiao/core/kind"
	"github.com/fengqiao/fengqiao/core/pii"
	"github.com/fengqiao/fengqiao/core/valid"
)

// PartyRole is a party's side in the dispute.
type PartyRole string

const (
	RoleApplicant  PartyRole = "applicant"   // 申请人
	RoleRespondent PartyRole = "respondent"  // 被申请人
	RoleThird      PartyRole = "third_party" // 第三人
)

// PartyKind tells persons from organisations.
type PartyKind string

const (
	KindPerson       PartyKind = "person"
	KindOrganisation PartyKind = "organisation"
)

// Party is one party of a case. The personal data (ID number, phone, address) is held in clear
// only in memory; the store keeps it sealed (encrypted) with a blind index for exact lookup.
type Party struct {
	ID       string
	Role     PartyRole
	Kind     PartyKind
	Name     string
	IDNumber string
	// IDType is a person's identity document (证件类型) the IDNumber belongs to: a resident ID
	// card unless given otherwise; "" for an organisation (its IDNumber is its unified social
	// credit code).
	IDType     pii.DocType
	Phone      string
	Address    string
	Gender     string // "male", "female" or "" — derived from a resident ID number
	BirthYear  int    // derived from a resident ID number; 0 when unknown
	Occupation string

	Sealed Sealed // set by the service before storing, read back from the store
}

// Sealed is the protected form of a party's personal data.
type Sealed struct {
	IDNumber, Phone, Address  []byte // AES-GCM ciphertexts (nil when the value is empty)
	IDNumberIndex, PhoneIndex []byte // blind indexes for exact lookup (nil when empty)
}

// Referral identifies the agency that referred a case and its reference.
type Referral struct {
	Agency string `json:"agency"`
	// AgencyID links the referring agency to an organisation of the registry (court, police
	// station…): the outcome is reported back to it (诉调对接 feedback).
	AgencyID  string `json:"agency_id,omitempty"`
	Reference string `json:"reference,omitempty"`
	// Kind for court referrals: "pre_filing" (诉前委派) or "in_litigation" (诉中委托).
	Kind string `json:"kind,omitempty"`
}

// Case is a dispute taken in by a tenant.
type Case struct {
	ID          string
	TenantCode  string
	Number      string
	Year, Seq   int
	Title       string
	Description string
	DisputeType string
	Source      Source
	Referral    *Referral
	PlaceCode   string // street (9 digits) or village (12 digits) of the dispute
	AmountFen   int64  // amount in dispute, in fen (0.01 yuan)
	Status      Status
	Risk        Assessment
	ReceivedAt  time.Time
	DueAt       time.Time
	CreatedBy   string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	Version     int
	Parties     []Party

	CommitteeID  string
	Outcome      map[string]any // channel and reason of a failure or guidance
	Agreement    *Agreement
	Confirmation *Confirmation
	Performance  string // the current performance (a Performance; "" when none was reported)
	// Performances are the case's performance records, oldest first (loaded with the case).
	Performances []PerformanceRecord
	ConcludedAt  *time.Time
	// FirstContactDueAt: the parties must be contacted by then; ContactedAt: when they were.
	FirstContactDueAt *time.Time
	ContactedAt       *time.Time
	// Joint is set on each participant's record of a jointly mediated case (联合调解).
	Joint     *Joint
	Sessions  []Session  // loaded with the case
	FollowUps []FollowUp // loaded with the case
	// Mediators are the registry mediators assigned to the case, the lead (主办) first; Experts
	// the experts of the pool attached to it. Loaded with the case.
	Mediators []CaseMediator
	Experts   []CaseExpert
	// Unchecked, on a new case, names the before-hooks its intake passed unchecked: the store
	// records them in its history.
	Unchecked *Unchecked
	// DueExtendedAt: when the court time limit was extended (once, extend_time_limit).
	DueExtendedAt *time.Time
	// TransferredTo: the district the case was transferred to; the record here is read-only.
	TransferredTo string
}

// Overdue reports whether the case passed its time limit without an outcome.
func (c Case) Overdue(now time.Time) bool {
	return !Concluded(c.Status) && c.TransferredTo == "" && (now.After(c.DueAt) || c.ContactOverdue(now))
}

// ContactOverdue reports whether the first contact with the parties is late.
func (c Case) ContactOverdue(now time.Time) bool {
	return !Concluded(c.Status) && c.TransferredTo == "" && c.ContactedAt == nil && c.FirstContactDueAt != nil && now.After(*c.FirstContactDueAt)
}

// Joint describes a case mediated jointly by several tenants (联合调解): each keeps its own
// record of the case under one shared id; Lead is the tenant that invited the others.
type Joint struct {
	ID      string   `json:"id"`
	Lead    string   `json:"lead"`
	Tenants []string `json:"tenants"` // every participant, the lead included
}

// Event is one entry of a case's append-only history.
type Event struct {
	Seq    int64
	At     time.Time
	Actor  string
	Action string
	Before []byte // JSON
	After  []byte // JSON
}

// Sentinel errors.
var (
	ErrNotFound            = kind.New(kind.NotFound, "case not found")
	ErrInvalid             = valid.ErrInvalid
	ErrIdempotencyMismatch = kind.New(kind.Unprocessable, "idempotency key reused with a different request")
	// ErrFollowUpNotFound is invalid input, not a missing resource: the request names a
	// follow-up the case does not have, and fixes follow_up_id.
	ErrFollowUpNotFound = kind.New(kind.Invalid, "no such pending follow-up of the case")
)

// VersionConflictError says the case changed since the caller read it.
type VersionConflictError struct{ Current int }

func (e *VersionConflictError) Error() string   { return "the case changed since it was read" }
func (e *VersionConflictError) Kind() kind.Kind { return kind.Conflict }

// ReferralAgencyError says the referring agency is not an active partner agency of the tenant.
type ReferralAgencyError struct{ ID string }

func (e *ReferralAgencyError) Error() string {
	return "not an active partner agency of the tenant: " + e.ID
}
func (e *ReferralAgencyError) Kind() kind.Kind { return kind.Invalid }

// ReferralForbiddenError says the principal may not refer a case in the name of the agency
// given: a principal of an organisation refers for its own (Own), one without refers for none.
type ReferralForbiddenError struct{ ID, Own string }

func (e *ReferralForbiddenError) Error() string {
	if e.Own == "" {
		return "a principal without an organisation refers in no agency's name: " + e.ID
	}
	return "a principal of organisation " + e.Own + " refers in its own name only, not " + e.ID
}
func (e *ReferralForbiddenError) Kind() kind.Kind { return kind.Forbidden }

// CaseMediator is a registry mediator assigned to a case, as the case shows it.
type CaseMediator struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Chief bool   `json:"chief"` // 首席调解员
}

// CaseExpert is an expert of the pool attached to a case.
type CaseExpert struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Field string `json:"field"`
}

// MaxCaseMediators bounds the mediators of a case, and MaxCaseExperts its experts.
const (
	MaxCaseMediators = 10
	MaxCaseExperts   = 10
)

// RegistryError is the validation error of an id given for a mediator or an expert (field,
// e.g. "mediators[1]") that names no active mediator (expert) of the case's tenant. The store
// finds it, as it finds an unknown committee.
func RegistryError(field, id string, expert bool) error {
	msg := "不是本区县调解员名册中在用的调解员 / not an active mediator of this district's registry: " + id
	if expert {
		msg = "不是本区县专家库中在用的专家 / not an active expert of this district's pool: " + id
	}
	return valid.New(ErrInvalid, field, msg)
}

// CommitteeError says the committee given is not a usable committee of the tenant.
type CommitteeError struct{ ID string }

func (e *CommitteeError) Error() string   { return "not an active committee of the tenant: " + e.ID }
func (e *CommitteeError) Kind() kind.Kind { return kind.Invalid }

var (
	_ error = (*VersionConflictError)(nil)
)

// FieldError, ValidationError and the list that collects them are the shared shape of
// validation errors (core/valid).
type (
	FieldError      = valid.FieldError
	ValidationError = valid.Error
	errs            = valid.List
)

func runes(s string) int { return utf8.RuneCountInString(s) }

// Limits of the intake form.
const (
	MaxParties     = 200
	MaxAmountFen   = 1_000_000_000_000_00 // one trillion yuan
	maxTitle       = 200
	maxDescription = 10_000
)

// residentID derives gender and birth year from an 18-digit resident ID number or residence
// permit number of Hong Kong, Macao and Taiwan residents (same structure; already validated);
// zero values otherwise.
func residentID(id string) (gender string, birthYear int) {
	if len(id) != 18 || !isDigits(id[:17], 17) {
		return "", 0
	}
	for _, c := range id[6:10] {
		birthYear = birthYear*10 + int(c-'0')
	}
	if (id[16]-'0')%2 == 1 {
		return "male", birthYear
	}
	return "female", birthYear
}

// docTypeMessage says which identity document types there are: the message of an unknown
// id_type, Chinese names in the Chinese sentence, codes in the English one.
func docTypeMessage() string {
	var zh, en []string
	for _, d := range pii.DocTypes() {
		zh = append(zh, d.NameZH)
		en = append(en, string(d.Code)+" ("+d.NameEN+")")
	}
	return "证件类型须为" + strings.Join(zh, "、") + "之一 / id_type must be one of " + strings.Join(en, ", ")
}
