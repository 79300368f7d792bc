package cases

import (
	"context"
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fengqiao/fengqiao/core/access"
	"github.com/fengqiao/fengqiao/core/kind"

	"github.com/fengqiao/fengqiao/core/division"
	"github.com/fengqiao/fengqiao/core/pii"
	"github.com/google/uuid"
)

// Protector seals and opens parties' personal data (implemented with core/pii).
type Protector interface {
	Seal(kind pii.Kind, value string, aad []byte) (cipher, index []byte, err error)
	Open(cipher, aad []byte) (string, error)
	Reseal(cipher, aad []byte) ([]byte, bool, error)
}

// Repo is the storage the case service needs. CreateCase runs in one transaction: it claims
// the idempotency key (a concurrent retry waits, then replays), counts earlier cases sharing a
// party index to assess the risk with assess, numbers the case, stores it with its parties and
// its first history event.
type Repo interface {
	CreateCase(ctx context.Context, c Case, idem *Idempotency, assess func(prior, failed int) Assessment) (Case, bool, error)
	// IntakeDraft reads, without writing, what CreateCase would read for c: the earlier cases
	// sharing a party (and of them the failed), checking the tenant active and the referring
	// agency one of its own; and the committees routing proposes from.
	IntakeDraft(ctx context.Context, c Case) (prior, failed int, committees []Committee, err error)
	CaseDetail(ctx context.Context, tenantCode, id string, now time.Time) (Case, error)
	ApplyAction(ctx context.Context, tenantCode, id string, in ActionInput, now time.Time, plan func(Case) (Effect, error)) (Case, error)
	FollowUps(ctx context.Context, tenantCode, state string, now, afterDue time.Time, afterID string, limit int, scope *access.Scope) ([]FollowUp, error)
	CountFollowUps(ctx context.Context, tenantCode string, now time.Time, scope *access.Scope) (FollowUpCounts, error)
	Committees(ctx context.Context, tenantCode string) ([]Committee, error)
	CommitteeName(ctx context.Context, tenantCode, id string) (string, error)
	CaseSettings(ctx context.Context, tenantCode string) (Settings, error)
	IntakeRules(ctx context.Context, tenantCode string) ([]DisputeType, Settings, error)
	SealedParties(ctx context.Context, tenantCode, afterID string, limit int) ([]SealedParty, error)
	ResealParties(ctx context.Context, tenantCode string, parties []SealedParty) error
	CreateDisputeType(ctx context.Context, tenantCode string, t DisputeType) error
	PutCaseSettings(ctx context.Context, tenantCode string, st Settings) error
	Cases(ctx context.Context, tenantCode string, f Filter) ([]Case, error)
	History(ctx context.Context, tenantCode, id string) ([]Event, error)
	TenantTypes(ctx context.Context, tenantCode string) ([]DisputeType, error)
	RecordPIIRead(ctx context.Context, tenantCode, caseID string, partyIDs []string) error
	// ReferringAgency returns the name of an organisation of the tenant and whether it is a
	// partner agency (of any status: the store refuses an inactive one when the case is stored).
	ReferringAgency(ctx context.Context, tenantCode, orgID string) (name string, agency bool, err error)
	ImportRepo
	TransferRepo
}

// Idempotency is the Idempotency-Key of a create call and the fingerprint of its request. A key
// is scoped to its caller (Subject, the principal that sent it: a user or an API token), as
// Stripe scopes keys to an account: the same key from two callers is two requests.
type Idempotency struct {
	Subject     string
	Key         string
	Fingerprint []byte
}

// Filter selects cases in a listing, newest first, after a cursor.
type Filter struct {
	Status      Status
	Source      Source
	DisputeType string
	RiskLevel   RiskLevel
	CommitteeID string // cases assigned to this committee
	MediatorID  string // cases this registry mediator mediates (a UUID)
	Overdue     bool
	Now         time.Time
	// ReceivedFrom and ReceivedTo bound the intake time: [from, to).
	ReceivedFrom, ReceivedTo time.Time
	// Cursor: the (received_at, id) of the last case of the previous page.
	AfterTime time.Time
	AfterID   string
	Limit     int
	// Access, when set, keeps the cases the principal may see (the store turns it into SQL).
	Access *access.Scope
}

// Service runs the case use cases.
type Service struct {
	repo    Repo
	protect Protector
	now     func() time.Time
	hooks   Hooks // nil: no plugins
}

// NewService returns a case service.
func NewService(repo Repo, protect Protector, opts ...Option) *Service {
	s := &Service{repo: repo, protect: protect, now: time.Now}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Option is what a case service may be built with beyond its repository and protector.
type Option func(*Service)

// SetClock replaces the clock (tests of time limits and warnings).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// NewParty is a party as given at intake.
type NewParty struct {
	Role       string
	Kind       string
	Name       string
	IDNumber   string
	IDType     string // a pii.DocType code; empty: a resident ID card (persons only)
	Phone      string
	Address    string
	Occupation string
}

// NewCase is the intake form.
type NewCase struct {
	Title       string
	Description string
	DisputeType string
	Source      string
	Referral    *Referral
	PlaceCode   string
	Amount      float64 // yuan
	Parties     []NewParty
	CreatedBy   string
	// EnteredBy is who takes the case in, for the referral rule (bindReferral); nil for the
	// platform's own loads (import, the command line), which act as the bureau's staff.
	EnteredBy *Intaker
}

// Intaker is the principal taking a case in or correcting it, as the referral rule needs it.
type Intaker struct {
	// Org: the organisation of the tenant the principal works for; "" for the bureau's staff.
	Org string
	// AgencyRole: the principal holds a partner agency's role (agency clerk, agency system),
	// with or without an organisation.
	AgencyRole bool
}

// staff tells whether the principal is the bureau's own staff, who enter referrals received on
// paper in the name of any agency of their district.
func (by *Intaker) staff() bool { return by == nil || by.Org == "" && !by.AgencyRole }

var (
	orgCode    = regexp.MustCompile(`^[0-9A-HJ-NPQRTUWXY]{18}$`) // unified social credit code
	referralOK = map[string]bool{"": true, "pre_filing": true, "in_litigation": true}
)

// Types returns the dispute types a tenant may use: the platform's and its own.
func (s *Service) Types(ctx context.Context, tenantCode string) ([]DisputeType, error) {
	own, err := s.repo.TenantTypes(ctx, tenantCode)
	if err != nil {
		return nil, err
	}
	return append(BuiltInTypes(), own...), nil
}

// Create validates an intake, protects the parties' personal data, assesses the risk and
// stores the case. With an idempotency key, a retry returns the first result (replayed true).
func (s *Service) Create(ctx context.Context, tenantCode string, in NewCase, idem *Idempotency) (Case, bool, error) {
	if idem != nil && idem.Subject == "" {
		return Case{}, false, errors.New("cases: an idempotency key without its caller (Idempotency.Subject)")
	}
	own, settings, err := s.repo.IntakeRules(ctx, tenantCode)
	if err != nil {
		return Case{}, false, err
	}
	types, settings := append(BuiltInTypes(), own...), settings.Merged()
	now := s.now()
	c, err := s.validate(tenantCode, in, types, settings, now)
	if err != nil {
		return Case{}, false, err
	}
	if err := s.bindReferral(ctx, tenantCode, in.EnteredBy, &c); err != nil {
		return Case{}, false, err
	}
	if c.Unchecked, err = s.before(ctx, tenantCode, HookIntake, "", c, in); err != nil {
		return Case{}, false, err
	}
	for i := range c.Parties {
		if err := s.seal(&c, &c.Parties[i]); err != nil {
			return Case{}, false, err
		}
	}
	base := RiskInput{Title: c.Title, Description: c.Description, Parties: len(c.Parties), AmountYuan: float64(c.AmountFen) / 100, Source: c.Source}
	stored, replayed, err := s.repo.CreateCase(ctx, c, idem, func(prior, failed int) Assessment {
		in := base
		in.PriorCases, in.PriorFailed = prior, failed
		return Assess(in)
	})
	if err != nil {
		return Case{}, false, err
	}
	if err := s.open(&stored); err != nil {
		return Case{}, false, err
	}
	return stored, replayed, nil
}

// bindReferral applies the referral rule: a case taken in by a principal of an organisation is
// referred in that organisation's name only. An agency's principal (its system's token or one
// of its users) refers for its own agency, always: the referral is bound to it when the body
// names none (or has no referral at all), so the agency keeps the case it sent; naming another
// organisation is refused. A principal with an agency role but no organisation refers in no
// agency's name. Staff name any agency of the district (the store checks it is one); the case
// records them as its creator.
func (s *Service) bindReferral(ctx context.Context, tenantCode string, by *Intaker, c *Case) error {
	if by.staff() {
		return nil
	}
	named := ""
	if c.Referral != nil {
		named = c.Referral.AgencyID
	}
	if by.Org == "" {
		if named != "" {
			return &ReferralForbiddenError{ID: named}
		}
		return nil
	}
	if named != "" && named != by.Org {
		return &ReferralForbiddenError{ID: named, Own: by.Org}
	}
	name, agency, err := s.repo.ReferringAgency(ctx, tenantCode, by.Org)
	if err != nil || !agency {
		return err // a committee's principal has no agency to refer for
	}
	if c.Referral == nil {
		c.Referral = &Referral{Agency: name}
	}
	c.Referral.AgencyID = by.Org
	return nil
}

// checkIntake validates the intake fields other than the parties into c.
func checkIntake(v *errs, c *Case, in NewCase, types []DisputeType, settings Settings, now time.Time) {
	tenantCode := c.TenantCode
	c.Title, c.Description = strings.TrimSpace(in.Title), strings.TrimSpace(in.Description)
	c.DisputeType, c.Source, c.PlaceCode = in.DisputeType, Source(in.Source), in.PlaceCode
	if c.Title == "" || runes(c.Title) > maxTitle {
		v.Add("title", "标题须为 1–%d 个字符 / title must be 1–%d characters", maxTitle, maxTitle)
	}
	if runes(c.Description) > maxDescription {
		v.Add("description", "纠纷描述最多 %d 个字符 / description must be at most %d characters", maxDescription, maxDescription)
	}
	knownType := false
	for _, t := range types {
		knownType = knownType || t.Code == in.DisputeType
	}
	if !knownType {
		codes := make([]string, 0, len(types))
		for _, t := range types {
			codes = append(codes, t.Code)
		}
		v.Add("dispute_type", "未知纠纷类型 %q；可选：%s / unknown dispute_type %q; one of: %s", in.DisputeType, strings.Join(codes, ", "), in.DisputeType, strings.Join(codes, ", "))
	}
	src, ok := LookupSource(in.Source)
	if !ok {
		names := make([]string, 0, len(sources))
		for _, s := range sources {
			names = append(names, string(s.Code))
		}
		v.Add("source", "未知来源 %q；可选：%s / unknown source %q; one of: %s", in.Source, strings.Join(names, ", "), in.Source, strings.Join(names, ", "))
	}
	if r := in.Referral; r != nil {
		ref := Referral{Agency: strings.TrimSpace(r.Agency), AgencyID: strings.TrimSpace(r.AgencyID), Reference: strings.TrimSpace(r.Reference), Kind: r.Kind}
		switch {
		case ref.Agency == "" || runes(ref.Agency) > 100:
			v.Add("referral.agency", "请填写移交单位名称（1–100 字） / referral.agency must name the referring agency (1–100 characters)")
		case runes(ref.Reference) > 100:
			v.Add("referral.reference", "文号最多 100 字 / referral.reference must be at most 100 characters")
		case !referralOK[ref.Kind] || ref.Kind != "" && c.Source != SourceCourt:
			v.Add("referral.kind", `kind 只用于法院：pre_filing（诉前委派）或 in_litigation（诉中委托） / referral.kind is for courts only: "pre_filing" or "in_litigation"`)
		}
		c.Referral = &ref
	}
	if ok {
		// A court-entrusted case follows the court's limit of its kind (诉前委派, 诉中委托).
		c.DueAt = now.Add(settings.CaseTimeLimit(src.Code, c.Referral))
	}
	if c.PlaceCode != "" {
		lvl, err := division.LevelOf(c.PlaceCode)
		switch {
		case err != nil || (lvl != division.LevelStreet && lvl != division.LevelVillage) || !strings.HasPrefix(c.PlaceCode, tenantCode):
			ex := exampleStreet(tenantCode)
			v.Add("place_code", "纠纷发生地须为本区县的街道（9 位）或村居（12 位）代码，如 %s / place_code must be a street (9 digits) or village (12 digits) code of this district, e.g. %s", ex, ex)
		default:
			if _, err := division.Lookup(c.PlaceCode[:9]); err != nil {
				v.Add("place_code", "街道代码 %s 不存在 / street code %s does not exist", c.PlaceCode[:9], c.PlaceCode[:9])
			}
		}
	}
	if in.Amount < 0 || math.IsNaN(in.Amount) || in.Amount*100 > MaxAmountFen {
		v.Add("amount", "标的额须为 0 至 1 万亿元 / amount must be between 0 and 1,000,000,000,000 yuan")
	} else {
		c.AmountFen = int64(math.Round(in.Amount * 100))
	}
}

func (s *Service) validate(tenantCode string, in NewCase, types []DisputeType, settings Settings, now time.Time) (Case, error) {
	var v errs
	c := Case{
		ID: uuid.NewString(), TenantCode: tenantCode, Status: StatusReceived, ReceivedAt: now, CreatedBy: in.CreatedBy,
	}
	checkIntake(&v, &c, in, types, settings, now)
	contact := AddWorkingDays(now, settings.FirstContactWorkingDays)
	c.FirstContactDueAt = &contact
	switch n := len(in.Parties); {
	case n == 0:
		v.Add("parties", "至少需要一方当事人（申请人） / at least one party (an applicant) is required")
	case n > MaxParties:
		v.Add("parties", "当事人最多 %d 方；更多请拆分或作为群体纠纷登记 / at most %d parties", MaxParties, MaxParties)
	}
	hasApplicant := false
	for i, p := range in.Parties {
		party, ok := s.validateParty(&v, i, p, now)
		if ok {
			c.Parties = append(c.Parties, party)
			hasApplicant = hasApplicant || party.Role == RoleApplicant
		}
	}
	if len(in.Parties) > 0 && len(in.Parties) <= MaxParties && !hasApplicant && v.Len() == 0 {
		v.Add("parties", "至少需要一位申请人（role: applicant） / at least one party must have role \"applicant\"")
	}
	return c, v.Err()
}

func (s *Service) validateParty(v *errs, i int, p NewParty, now time.Time) (Party, bool) {
	f := func(name string) string { return "parties[" + strconv.Itoa(i) + "]." + name }
	before := v.Len()
	party := Party{ID: uuid.NewString(), Role: PartyRole(p.Role), Kind: PartyKind(p.Kind), Name: strings.TrimSpace(p.Name),
		Address: strings.Join(strings.Fields(p.Address), " "), Occupation: strings.TrimSpace(p.Occupation)}
	if party.Kind == "" {
		party.Kind = KindPerson
	}
	switch party.Role {
	case RoleApplicant, RoleRespondent, RoleThird:
	default:
		v.Add(f("role"), `当事人角色须为 applicant（申请人）、respondent（被申请人）或 third_party（第三人） / role must be "applicant", "respondent" or "third_party"`)
	}
	if party.Kind != KindPerson && party.Kind != KindOrganisation {
		v.Add(f("kind"), `kind 须为 "person"（自然人）或 "organisation"（单位） / kind must be "person" or "organisation"`)
	}
	if party.Name == "" || runes(party.Name) > 100 {
		v.Add(f("name"), "姓名/名称须为 1–100 个字符 / name must be 1–100 characters")
	}
	idType := pii.DocType(strings.TrimSpace(p.IDType))
	switch {
	case party.Kind == KindOrganisation && idType != "":
		v.Add(f("id_type"), "单位当事人的证件号码是统一社会信用代码，不填证件类型 / an organisation's id_number is its unified social credit code: give no id_type")
	case party.Kind == KindPerson:
		party.IDType = pii.DefaultDocType
		if idType != "" {
			if _, ok := pii.LookupDocType(idType); !ok {
				v.Add(f("id_type"), "%s", docTypeMessage())
			}
			party.IDType = idType
		}
	}
	if p.IDNumber != "" {
		if party.Kind == KindOrganisation {
			code := strings.ToUpper(strings.TrimSpace(p.IDNumber))
			if !orgCode.MatchString(code) {
				v.Add(f("id_number"), "统一社会信用代码应为 18 位数字或大写字母 / an organisation's id_number is its 18-character unified social credit code")
			}
			party.IDNumber = code
		} else if _, known := pii.LookupDocType(party.IDType); known {
			id := pii.NormalizeDocument(party.IDType, p.IDNumber)
			if err := pii.ValidateDocument(party.IDType, id, now); err != nil {
				v.Add(f("id_number"), "%s", err.Error())
			}
			party.IDNumber = id
			if party.IDType == pii.DocResidentID || party.IDType == pii.DocHMTResidence {
				party.Gender, party.BirthYear = residentID(id)
			}
		}
	}
	if p.Phone != "" {
		if err := pii.ValidatePhone(p.Phone); err != nil {
			v.Add(f("phone"), "%s", err.Error())
		}
		party.Phone = pii.NormalizePhone(p.Phone)
	}
	if runes(party.Address) > 200 {
		v.Add(f("address"), "地址最多 200 个字符 / address must be at most 200 characters")
	}
	if runes(party.Occupation) > 50 {
		v.Add(f("occupation"), "职业最多 50 个字符 / occupation must be at most 50 characters")
	}
	return party, v.Len() == before
}

// aad binds a sealed value to its tenant, case, party and field.
func aad(c *Case, p *Party, field string) []byte {
	return []byte(c.TenantCode + "/" + c.ID + "/" + p.ID + "/" + field)
}

func (s *Service) seal(c *Case, p *Party) error {
	var err error
	if p.Sealed.IDNumber, p.Sealed.IDNumberIndex, err = s.protect.Seal(pii.KindIDNumber, p.IDNumber, aad(c, p, "id_number")); err != nil {
		return err
	}
	if p.Sealed.Phone, p.Sealed.PhoneIndex, err = s.protect.Seal(pii.KindPhone, p.Phone, aad(c, p, "phone")); err != nil {
		return err
	}
	p.Sealed.Address, _, err = s.protect.Seal(pii.KindAddress, p.Address, aad(c, p, "address"))
	return err
}

// open decrypts the parties' personal data of a stored case into memory (the API masks it
// unless the caller may and asks to see it).
func (s *Service) open(c *Case) error {
	for i := range c.Parties {
		p := &c.Parties[i]
		var err error
		if p.IDNumber, err = s.protect.Open(p.Sealed.IDNumber, aad(c, p, "id_number")); err != nil {
			return err
		}
		if p.Phone, err = s.protect.Open(p.Sealed.Phone, aad(c, p, "phone")); err != nil {
			return err
		}
		if p.Address, err = s.protect.Open(p.Sealed.Address, aad(c, p, "address")); err != nil {
			return err
		}
	}
	return nil
}

// Get returns a case with its parties' data opened. With reveal, the read of the full personal
// data is recorded in the audit trail (the caller checked the permission).
func (s *Service) Get(ctx context.Context, tenantCode, id string, reveal bool) (Case, error) {
	c, err := s.repo.CaseDetail(ctx, tenantCode, id, s.now())
	if err != nil {
		return Case{}, err
	}
	if err := s.open(&c); err != nil {
		return Case{}, err
	}
	if reveal {
		ids := make([]string, len(c.Parties))
		for i, p := range c.Parties {
			ids[i] = p.ID
		}
		if err := s.repo.RecordPIIRead(ctx, tenantCode, c.ID, ids); err != nil {
			return Case{}, err
		}
	}
	return c, nil
}

// List returns cases of a tenant, newest first (parties' data opened for masking).
func (s *Service) List(ctx context.Context, tenantCode string, f Filter) ([]Case, error) {
	f.Now = s.now()
	cs, err := s.repo.Cases(ctx, tenantCode, f)
	if err != nil {
		return nil, err
	}
	for i := range cs {
		if err := s.open(&cs[i]); err != nil {
			return nil, err
		}
	}
	return cs, nil
}

// History returns the case's append-only history.
func (s *Service) History(ctx context.Context, tenantCode, id string) ([]Event, error) {
	return s.repo.History(ctx, tenantCode, id)
}

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.now() }

// exampleStreet names a real street of the district for error messages.
func exampleStreet(district string) string {
	if ss, err := division.Streets(district); err == nil && len(ss) > 0 {
		return ss[0].Code
	}
	return district + "001"
}

// Act performs an action on a case (the lifecycle's state machine decides whether it may) and
// returns the case as it is afterwards.
func (s *Service) Act(ctx context.Context, tenantCode, id string, in ActionInput) (Case, error) {
	settings, err := s.Settings(ctx, tenantCode)
	if err != nil {
		return Case{}, err
	}
	in.FollowUpDays, in.ExtensionDays = settings.FollowUpDays, settings.ExtensionDays()
	if in.Unchecked, err = s.before(ctx, tenantCode, HookOf(in.Action), id, Case{}, in); err != nil {
		return Case{}, err
	}
	now := s.now()
	c, err := s.repo.ApplyAction(ctx, tenantCode, id, in, now, func(c Case) (Effect, error) { return Plan(c, in, now) })
	if err != nil {
		return Case{}, err
	}
	return c, s.open(&c)
}

// before runs the plugins' before-hook of an intake (c) or of an action on the case id; it
// returns the plugins skipped (deactivated), for the change to record.
func (s *Service) before(ctx context.Context, tenantCode, hook, id string, c Case, input any) (*Unchecked, error) {
	if s.hooks == nil || !s.hooks.Hooked(tenantCode, hook) {
		return nil, nil
	}
	if id != "" {
		var err error
		if c, err = s.Get(ctx, tenantCode, id, false); err != nil {
			return nil, err
		}
	}
	return s.hooks.BeforeCase(ctx, tenantCode, hook, c, input)
}

// FollowUps lists a tenant's follow-ups (state: due, overdue, done or "" for all), of the cases
// scope allows when it is set.
func (s *Service) FollowUps(ctx context.Context, tenantCode, state string, afterDue time.Time, afterID string, limit int, scope *access.Scope) ([]FollowUp, error) {
	return s.repo.FollowUps(ctx, tenantCode, state, s.now(), afterDue, afterID, limit, scope)
}

// CountFollowUps counts a tenant's pending follow-ups (due, and of them overdue), of the cases
// scope allows when it is set.
func (s *Service) CountFollowUps(ctx context.Context, tenantCode string, scope *access.Scope) (FollowUpCounts, error) {
	return s.repo.CountFollowUps(ctx, tenantCode, s.now(), scope)
}

// Routing proposes committees for a case, with the reasons (staff accept or override it with
// the assign action).
func (s *Service) Routing(ctx context.Context, tenantCode, id string) (Routing, error) {
	c, err := s.repo.CaseDetail(ctx, tenantCode, id, s.now())
	if err != nil {
		return Routing{}, err
	}
	committees, err := s.repo.Committees(ctx, tenantCode)
	if err != nil {
		return Routing{}, err
	}
	own, settings, err := s.repo.IntakeRules(ctx, tenantCode)
	if err != nil {
		return Routing{}, err
	}
	return Route(c, committees, append(BuiltInTypes(), own...), settings.Routing), nil
}

// CommitteeName names a committee of the tenant ("" when id is empty).
func (s *Service) CommitteeName(ctx context.Context, tenantCode, id string) (string, error) {
	if id == "" {
		return "", nil
	}
	return s.repo.CommitteeName(ctx, tenantCode, id)
}

// Settings returns a tenant's lifecycle rules, the platform's defaults filled in.
func (s *Service) Settings(ctx context.Context, tenantCode string) (Settings, error) {
	st, err := s.repo.CaseSettings(ctx, tenantCode)
	if err != nil {
		return Settings{}, err
	}
	return st.Merged(), nil
}

// UpdateSettings replaces a tenant's lifecycle rules; they apply to cases taken in and
// agreements reached from now on.
func (s *Service) UpdateSettings(ctx context.Context, tenantCode string, st Settings) (Settings, error) {
	if err := st.Validate(); err != nil {
		return Settings{}, err
	}
	if err := s.repo.PutCaseSettings(ctx, tenantCode, st); err != nil {
		return Settings{}, err
	}
	return s.Settings(ctx, tenantCode)
}

// ErrTypeExists means the tenant (or the platform) has the dispute-type code already.
var ErrTypeExists = kind.New(kind.Conflict, "dispute type exists")

// industries are the industry committees' fields a dispute type may route to.
var industries = []string{"", "medical", "property", "consumer", "finance", "ip", "traffic", "labour", "tourism", "internet", "commercial", "other"}

// AddType adds a tenant's own dispute type to the catalogue.
func (s *Service) AddType(ctx context.Context, tenantCode string, t DisputeType) (DisputeType, error) {
	var v errs
	t.NameZH, t.NameEN = strings.TrimSpace(t.NameZH), strings.TrimSpace(t.NameEN)
	if !ValidTypeCode(t.Code) {
		v.Add("code", "代码须为 2–40 位小写字母、数字或下划线，以字母开头，如 %q / code must be 2–40 lower-case letters, digits or _, starting with a letter, e.g. %s", "rural_land", "rural_land")
	}
	if t.NameZH == "" || runes(t.NameZH) > 50 {
		v.Add("name_zh", "中文名称须为 1–50 字 / name_zh must be 1–50 characters")
	}
	if runes(t.NameEN) > 80 {
		v.Add("name_en", "英文名称最多 80 字 / name_en must be at most 80 characters")
	}
	if !slices.Contains(industries, t.Industry) {
		v.Add("industry", "行业须为 %s 之一 / industry must be one of %s", strings.Join(industries[1:], ", "), strings.Join(industries[1:], ", "))
	}
	if err := v.Err(); err != nil {
		return DisputeType{}, err
	}
	for _, b := range builtInTypes {
		if b.Code == t.Code {
			return DisputeType{}, ErrTypeExists
		}
	}
	t.BuiltIn = false
	return t, s.repo.CreateDisputeType(ctx, tenantCode, t)
}

// EditInput corrects the intake of a case; nil fields are left alone.
type EditInput struct {
	Version     int
	Title       *string
	Description *string
	DisputeType *string
	PlaceCode   *string
	Amount      *float64
	Referral    *Referral
	// Parties corrects persons' identity documents (证件类型 and number), by party id.
	Parties []PartyDocument
	// By: who corrects the case (see Intaker); nil acts as staff.
	By *Intaker
}

// PartyDocument is the corrected identity document of a party of the case (a person): its type
// (empty: a resident ID card) and number, validated as at intake.
type PartyDocument struct {
	ID       string
	IDType   string
	IDNumber string
}

// Edit corrects a case's intake (validated as at intake), re-assesses its warning and records
// what changed in the history.
func (s *Service) Edit(ctx context.Context, tenantCode, id string, in EditInput) (Case, error) {
	// (What this asks unchecked, Act's own asking records.)
	// Plugins' hooks see corrected document numbers masked, as they see the case's.
	shown := in
	shown.Parties = nil
	for _, d := range in.Parties {
		d.IDNumber = pii.MaskDocument(pii.DocType(d.IDType), d.IDNumber)
		shown.Parties = append(shown.Parties, d)
	}
	if _, err := s.before(ctx, tenantCode, HookOf(ActionEdit), id, Case{}, shown); err != nil {
		return Case{}, err
	}
	cur, err := s.repo.CaseDetail(ctx, tenantCode, id, s.now())
	if err != nil {
		return Case{}, err
	}
	types, err := s.Types(ctx, tenantCode)
	if err != nil {
		return Case{}, err
	}
	settings, err := s.Settings(ctx, tenantCode)
	if err != nil {
		return Case{}, err
	}
	form := NewCase{Title: cur.Title, Description: cur.Description, DisputeType: cur.DisputeType, Source: string(cur.Source),
		PlaceCode: cur.PlaceCode, Amount: float64(cur.AmountFen) / 100, Referral: cur.Referral}
	if in.Title != nil {
		form.Title = *in.Title
	}
	if in.Description != nil {
		form.Description = *in.Description
	}
	if in.DisputeType != nil {
		form.DisputeType = *in.DisputeType
	}
	if in.PlaceCode != nil {
		form.PlaceCode = *in.PlaceCode
	}
	if in.Amount != nil {
		form.Amount = *in.Amount
	}
	if in.Referral != nil {
		form.Referral = in.Referral
	}
	var v errs
	checked := Case{TenantCode: tenantCode}
	checkIntake(&v, &checked, form, types, settings, s.now())
	docs := s.checkDocuments(&v, &cur, in.Parties)
	if err := v.Err(); err != nil {
		return Case{}, err
	}
	// The referral rule of intake holds for corrections: only staff move a case into another
	// agency's name.
	if in.Referral != nil && !in.By.staff() {
		was := ""
		if cur.Referral != nil {
			was = cur.Referral.AgencyID
		}
		if id := checked.Referral.AgencyID; id != was && id != in.By.Org {
			return Case{}, &ReferralForbiddenError{ID: id, Own: in.By.Org}
		}
	}
	edit := &CaseEdit{Title: &checked.Title, Description: &checked.Description, DisputeType: &checked.DisputeType,
		PlaceCode: &checked.PlaceCode, AmountFen: &checked.AmountFen, Referral: checked.Referral, Parties: docs}
	// A corrected court referral kind moves an open case to the court's limit of the new kind
	// (an extension granted stays granted).
	if before, after := settings.CaseTimeLimit(cur.Source, cur.Referral), settings.CaseTimeLimit(cur.Source, checked.Referral); before != after && !Concluded(cur.Status) {
		due := cur.DueAt.Add(after - before)
		edit.DueAt = &due
	}
	return s.Act(ctx, tenantCode, id, ActionInput{Action: ActionEdit, Version: in.Version, Edit: edit})
}

// checkDocuments validates corrected identity documents of the case's persons and returns
// those parties with the new document sealed (type, sealed number and index, gender and birth
// year as the number gives them); the clear number is not kept.
func (s *Service) checkDocuments(v *errs, cur *Case, in []PartyDocument) []Party {
	var out []Party
	seen := map[string]bool{}
	for i, d := range in {
		f := func(name string) string { return "parties[" + strconv.Itoa(i) + "]." + name }
		idx := slices.IndexFunc(cur.Parties, func(p Party) bool { return p.ID == d.ID })
		switch {
		case idx < 0:
			v.Add(f("id"), "本案没有该当事人 / the case has no such party")
			continue
		case seen[d.ID]:
			v.Add(f("id"), "同一当事人只能更正一次 / a party is corrected once per request")
			continue
		case cur.Parties[idx].Kind != KindPerson:
			v.Add(f("id_type"), "单位当事人的证件号码是统一社会信用代码，不填证件类型 / an organisation's id_number is its unified social credit code: give no id_type")
			continue
		case strings.TrimSpace(d.IDNumber) == "":
			v.Add(f("id_number"), "请填写证件号码 / id_number is required")
			continue
		}
		seen[d.ID] = true
		p := cur.Parties[idx]
		checked, ok := s.validateParty(v, i, NewParty{Role: string(p.Role), Kind: string(p.Kind), Name: p.Name, IDType: d.IDType, IDNumber: d.IDNumber}, s.now())
		if !ok {
			continue
		}
		p.IDType, p.IDNumber = checked.IDType, checked.IDNumber
		if checked.BirthYear != 0 { // a resident ID or residence permit says them; other documents keep what was known
			p.Gender, p.BirthYear = checked.Gender, checked.BirthYear
		}
		var err error
		if p.Sealed.IDNumber, p.Sealed.IDNumberIndex, err = s.protect.Seal(pii.KindIDNumber, p.IDNumber, aad(cur, &p, "id_number")); err != nil {
			v.Add(f("id_number"), "证件号码无法加密保存 / the number cannot be sealed")
			continue
		}
		p.IDNumber = ""
		out = append(out, p)
	}
	return out
}

// SealedParty is a party's sealed personal data, for key rotation.
type SealedParty struct {
	CaseID, PartyID string
	Sealed          Sealed
}

// Rotate re-encrypts a tenant's parties' personal data under the active key, page by page,
// and returns how many parties it changed. Run after making a new key active (the old ones
// stay in the ring until no ciphertext names them).
func (s *Service) Rotate(ctx context.Context, tenantCode string) (int, error) {
	changed, after := 0, ""
	for {
		page, err := s.repo.SealedParties(ctx, tenantCode, after, 500)
		if err != nil || len(page) == 0 {
			return changed, err
		}
		var update []SealedParty
		for _, sp := range page {
			c, p := &Case{TenantCode: tenantCode, ID: sp.CaseID}, &Party{ID: sp.PartyID}
			dirty := false
			for _, f := range []struct {
				field string
				value *[]byte
			}{{"id_number", &sp.Sealed.IDNumber}, {"phone", &sp.Sealed.Phone}, {"address", &sp.Sealed.Address}} {
				if len(*f.value) == 0 {
					continue
				}
				out, ch, err := s.protect.Reseal(*f.value, aad(c, p, f.field))
				if err != nil {
					return changed, fmt.Errorf("party %s %s: %w", sp.PartyID, f.field, err)
				}
				if ch {
					*f.value, dirty = out, true
				}
			}
			if dirty {
				update = append(update, sp)
			}
		}
		if err := s.repo.ResealParties(ctx, tenantCode, update); err != nil {
			return changed, err
		}
		changed += len(update)
		after = page[len(page)-1].PartyID
	}
}
