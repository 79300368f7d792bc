package orgs

import (
	"context"
	"slices"

	"github.com/fengqiao/fengqiao/core/cases"
	"github.com/google/uuid"
)

// OrgLookup finds an organisation of the tenant inside the repository's transaction, locked
// against concurrent changes until the transaction ends; nil when the tenant has none.
type OrgLookup func(id string) (*Organisation, error)

// Repo is the storage the registry needs. Every write is one transaction acting for the
// tenant: it checks the tenant is active, applies the change, and appends an audit event
// ("organisation.create", "mediator.update"…) with the record before and after. Update
// methods load the record locked, call apply on it (an error from apply is returned as is and
// nothing is written), and store the result; a change that changes nothing writes nothing.
// Reads of an unknown id (or a malformed one) return a *NotFoundError.
type Repo interface {
	// CreateOrganisation returns ErrNameTaken when an active organisation of the tenant has the name.
	CreateOrganisation(ctx context.Context, o Organisation) (Organisation, error)
	Organisation(ctx context.Context, tenantCode, id string) (Organisation, error)
	Organisations(ctx context.Context, tenantCode string, f Filter) ([]Organisation, error)
	// UpdateOrganisation returns ErrNameTaken as CreateOrganisation does.
	UpdateOrganisation(ctx context.Context, tenantCode, id string, apply func(*Organisation) error) (Organisation, error)

	// CreateMediator calls check with a lookup of the tenant's organisations before inserting.
	// CreateMediator and UpdateMediator check that a (new) UserID names an active user of the
	// tenant (else UserError) and return ErrUserLinked when that user is another mediator's.
	CreateMediator(ctx context.Context, m Mediator, check func(OrgLookup) error) (Mediator, error)
	Mediator(ctx context.Context, tenantCode, id string) (Mediator, error)
	Mediators(ctx context.Context, tenantCode string, f Filter) ([]Mediator, error)
	// MediatorCounts counts the mediators of the tenant and of every tenant below it, by tenant.
	MediatorCounts(ctx context.Context, tenantCode string, f Filter) ([]MediatorCount, error)
	UpdateMediator(ctx context.Context, tenantCode, id string, apply func(*Mediator, OrgLookup) error) (Mediator, error)

	CreateExpert(ctx context.Context, e Expert) (Expert, error)
	Expert(ctx context.Context, tenantCode, id string) (Expert, error)
	Experts(ctx context.Context, tenantCode string, f Filter) ([]Expert, error)
	UpdateExpert(ctx context.Context, tenantCode, id string, apply func(*Expert) error) (Expert, error)

	// TenantTypes lists the tenant's own dispute types (specialities may name them too).
	TenantTypes(ctx context.Context, tenantCode string) ([]cases.DisputeType, error)
}

// Filter selects records in a listing ordered by name, then id, after a cursor.
type Filter struct {
	// Kind: an organisation's kind, a mediator's kind (full_time, part_time) or an expert's field.
	Kind           string
	Status         Status
	Query          string // the name contains it (case-insensitive)
	OrganisationID string // mediators of one organisation
	Speciality     string // mediators and experts with this dispute-type code
	Chief          *bool  // mediators: chief mediators (首席调解员) only, or all but them
	// Subtree lists the records of the tenant and of every tenant below it (a city's or a
	// province's view of its districts' registries), ordered by name, then id, across them.
	Subtree bool
	// Cursor: the (name, id) of the last record of the previous page.
	AfterName string
	AfterID   string
	Limit     int
}

// Service runs the registry's use cases.
type Service struct{ repo Repo }

// NewService returns a registry service.
func NewService(repo Repo) *Service { return &Service{repo: repo} }

// NewOrganisation is the registration form of an organisation.
type NewOrganisation struct {
	Kind         string
	Name         string
	StreetCode   string
	VillageCode  string
	Industry     string
	StationedAt  string
	MediatorName string
	Contact      Contact
	WebhookURL   string
}

// OrganisationUpdate changes the given fields (nil: unchanged). The kind cannot change.
type OrganisationUpdate struct {
	Kind         *string
	Name         *string
	StreetCode   *string
	VillageCode  *string
	Industry     *string
	StationedAt  *string
	MediatorName *string
	Contact      *Contact // replaces the whole contact
	WebhookURL   *string
	Status       *string
}

// CreateOrganisation validates and registers an organisation.
func (s *Service) CreateOrganisation(ctx context.Context, tenantCode string, in NewOrganisation) (Organisation, error) {
	o := Organisation{ID: uuid.NewString(), TenantCode: tenantCode, Kind: Kind(in.Kind), Name: in.Name, StreetCode: in.StreetCode,
		VillageCode: in.VillageCode, Industry: in.Industry, StationedAt: in.StationedAt, MediatorName: in.MediatorName,
		Contact: in.Contact, WebhookURL: in.WebhookURL, Status: StatusActive}
	if err := validateOrganisation(tenantCode, &o); err != nil {
		return Organisation{}, err
	}
	return s.repo.CreateOrganisation(ctx, o)
}

// Organisation returns an organisation of the tenant.
func (s *Service) Organisation(ctx context.Context, tenantCode, id string) (Organisation, error) {
	if !isUUID(id) {
		return Organisation{}, &NotFoundError{Resource: ResourceOrganisation}
	}
	return s.repo.Organisation(ctx, tenantCode, id)
}

// Organisations lists the tenant's organisations.
func (s *Service) Organisations(ctx context.Context, tenantCode string, f Filter) ([]Organisation, error) {
	var v errs
	if _, ok := LookupKind(f.Kind); f.Kind != "" && !ok {
		v.Add("kind", "未知组织类型 %q；可选：%s / unknown kind %q; one of: %s", f.Kind, joinStrings(kindCodes()), f.Kind, joinStrings(kindCodes()))
	}
	checkFilter(&v, f, false)
	if err := v.Err(); err != nil {
		return nil, err
	}
	return s.repo.Organisations(ctx, tenantCode, f)
}

// UpdateOrganisation applies a partial update; deactivating (status "inactive") is how an
// organisation leaves the registry.
func (s *Service) UpdateOrganisation(ctx context.Context, tenantCode, id string, in OrganisationUpdate) (Organisation, error) {
	if !isUUID(id) {
		return Organisation{}, &NotFoundError{Resource: ResourceOrganisation}
	}
	return s.repo.UpdateOrganisation(ctx, tenantCode, id, func(o *Organisation) error {
		if in.Kind != nil && Kind(*in.Kind) != o.Kind {
			return invalid("kind", "组织类型不能修改；请登记新组织并停用此组织 / kind cannot change: register a new organisation and deactivate this one")
		}
		set(&o.Name, in.Name)
		set(&o.StreetCode, in.StreetCode)
		set(&o.VillageCode, in.VillageCode)
		set(&o.Industry, in.Industry)
		set(&o.StationedAt, in.StationedAt)
		set(&o.MediatorName, in.MediatorName)
		set(&o.WebhookURL, in.WebhookURL)
		if in.Contact != nil {
			o.Contact = *in.Contact
		}
		if in.Status != nil {
			o.Status = Status(*in.Status)
		}
		return validateOrganisation(tenantCode, o)
	})
}

// NewMediator is the registration form of a mediator.
type NewMediator struct {
	Name              string
	Kind              string
	CertificateNumber string
	Grade             string
	Chief             bool
	Specialities      []string
	OrganisationID    string
	Phone             string
	CreditScore       *int   // nil: DefaultCreditScore
	UserID            string // the user account the mediator logs in with, or ""
}

// MediatorUpdate changes the given fields (nil: unchanged).
type MediatorUpdate struct {
	Name              *string
	Kind              *string
	CertificateNumber *string
	Grade             *string
	Chief             *bool
	Specialities      *[]string
	OrganisationID    *string
	Phone             *string
	Status            *string
	CreditScore       *int
	UserID            *string // "" unlinks the user account
}

// CreateMediator validates and registers a mediator of an active committee or brand studio.
func (s *Service) CreateMediator(ctx context.Context, tenantCode string, in NewMediator) (Mediator, error) {
	m := Mediator{ID: uuid.NewString(), TenantCode: tenantCode, Name: in.Name, Kind: MediatorKind(in.Kind),
		CertificateNumber: in.CertificateNumber, Grade: in.Grade, Chief: in.Chief, OrganisationID: in.OrganisationID,
		Phone: in.Phone, Status: StatusActive, CreditScore: DefaultCreditScore, UserID: in.UserID}
	if in.CreditScore != nil {
		m.CreditScore = *in.CreditScore
	}
	var err error
	if m.Specialities, err = s.specialities(ctx, tenantCode, in.Specialities, validateMediator(&m)); err != nil {
		return Mediator{}, err
	}
	return s.repo.CreateMediator(ctx, m, func(lookup OrgLookup) error {
		org, err := lookup(m.OrganisationID)
		if err != nil {
			return err
		}
		return checkHost(org)
	})
}

// Mediator returns a mediator of the tenant.
func (s *Service) Mediator(ctx context.Context, tenantCode, id string) (Mediator, error) {
	if !isUUID(id) {
		return Mediator{}, &NotFoundError{Resource: ResourceMediator}
	}
	return s.repo.Mediator(ctx, tenantCode, id)
}

// Mediators lists the tenant's mediators.
func (s *Service) Mediators(ctx context.Context, tenantCode string, f Filter) ([]Mediator, error) {
	var v errs
	if f.Kind != "" && f.Kind != string(FullTime) && f.Kind != string(PartTime) {
		v.Add("kind", `调解员类型须为 full_time（专职）或 part_time（兼职） / kind must be "full_time" or "part_time"`)
	}
	checkFilter(&v, f, true)
	if err := v.Err(); err != nil {
		return nil, err
	}
	return s.repo.Mediators(ctx, tenantCode, f)
}

// MediatorCount is the number of mediators of one tenant of a subtree (the filter's status
// and kind apply; Chief counts the chief mediators among them).
type MediatorCount struct {
	TenantCode string
	TenantName string
	Total      int
	Chief      int
	FullTime   int
	PartTime   int
	Linked     int // with a user account
}

// MediatorCounts counts the mediators of the tenant's subtree by tenant, so that a city can
// count its districts' chief mediators (the Shanghai brand's target of 300).
func (s *Service) MediatorCounts(ctx context.Context, tenantCode string, f Filter) ([]MediatorCount, error) {
	var v errs
	if f.Kind != "" && f.Kind != string(FullTime) && f.Kind != string(PartTime) {
		v.Add("kind", `调解员类型须为 full_time（专职）或 part_time（兼职） / kind must be "full_time" or "part_time"`)
	}
	if f.Status != "" {
		checkStatus(&v, "status", f.Status)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return s.repo.MediatorCounts(ctx, tenantCode, f)
}

// UpdateMediator applies a partial update. A new organisation, or a mediator coming back into
// service, is checked like at registration.
func (s *Service) UpdateMediator(ctx context.Context, tenantCode, id string, in MediatorUpdate) (Mediator, error) {
	if !isUUID(id) {
		return Mediator{}, &NotFoundError{Resource: ResourceMediator}
	}
	var specs []string
	if in.Specialities != nil {
		var err error
		if specs, err = s.specialities(ctx, tenantCode, *in.Specialities, nil); err != nil {
			return Mediator{}, err
		}
	}
	return s.repo.UpdateMediator(ctx, tenantCode, id, func(m *Mediator, lookup OrgLookup) error {
		before := *m
		set(&m.Name, in.Name)
		set(&m.CertificateNumber, in.CertificateNumber)
		set(&m.Grade, in.Grade)
		set(&m.OrganisationID, in.OrganisationID)
		set(&m.Phone, in.Phone)
		if in.Kind != nil {
			m.Kind = MediatorKind(*in.Kind)
		}
		if in.Chief != nil {
			m.Chief = *in.Chief
		}
		if in.Specialities != nil {
			m.Specialities = specs
		}
		if in.Status != nil {
			m.Status = Status(*in.Status)
		}
		if in.CreditScore != nil {
			m.CreditScore = *in.CreditScore
		}
		set(&m.UserID, in.UserID)
		if err := validateMediator(m); err != nil {
			return err
		}
		if m.OrganisationID == before.OrganisationID && (m.Status != StatusActive || before.Status == StatusActive) {
			return nil
		}
		org, err := lookup(m.OrganisationID)
		if err != nil {
			return err
		}
		return checkHost(org)
	})
}

// NewExpert is the registration form of an expert.
type NewExpert struct {
	Name         string
	Field        string
	Specialities []string
	Organisation string
	Phone        string
	Note         string
}

// ExpertUpdate changes the given fields (nil: unchanged).
type ExpertUpdate struct {
	Name         *string
	Field        *string
	Specialities *[]string
	Organisation *string
	Phone        *string
	Note         *string
	Status       *string
}

// CreateExpert validates and adds an expert to the pool.
func (s *Service) CreateExpert(ctx context.Context, tenantCode string, in NewExpert) (Expert, error) {
	e := Expert{ID: uuid.NewString(), TenantCode: tenantCode, Name: in.Name, Field: in.Field, Organisation: in.Organisation,
		Phone: in.Phone, Note: in.Note, Status: StatusActive}
	var err error
	if e.Specialities, err = s.specialities(ctx, tenantCode, in.Specialities, validateExpert(&e)); err != nil {
		return Expert{}, err
	}
	return s.repo.CreateExpert(ctx, e)
}

// Expert returns an expert of the tenant.
func (s *Service) Expert(ctx context.Context, tenantCode, id string) (Expert, error) {
	if !isUUID(id) {
		return Expert{}, &NotFoundError{Resource: ResourceExpert}
	}
	return s.repo.Expert(ctx, tenantCode, id)
}

// Experts lists the tenant's expert pool; Filter.Kind is the field.
func (s *Service) Experts(ctx context.Context, tenantCode string, f Filter) ([]Expert, error) {
	var v errs
	if f.Kind != "" && !slices.Contains(fields, f.Kind) {
		v.Add("field", "专业领域须为：%s / field must be one of: %s", joinStrings(fields), joinStrings(fields))
	}
	checkFilter(&v, f, false)
	if err := v.Err(); err != nil {
		return nil, err
	}
	return s.repo.Experts(ctx, tenantCode, f)
}

// UpdateExpert applies a partial update.
func (s *Service) UpdateExpert(ctx context.Context, tenantCode, id string, in ExpertUpdate) (Expert, error) {
	if !isUUID(id) {
		return Expert{}, &NotFoundError{Resource: ResourceExpert}
	}
	var specs []string
	if in.Specialities != nil {
		var err error
		if specs, err = s.specialities(ctx, tenantCode, *in.Specialities, nil); err != nil {
			return Expert{}, err
		}
	}
	return s.repo.UpdateExpert(ctx, tenantCode, id, func(e *Expert) error {
		set(&e.Name, in.Name)
		set(&e.Field, in.Field)
		set(&e.Organisation, in.Organisation)
		set(&e.Phone, in.Phone)
		set(&e.Note, in.Note)
		if in.Specialities != nil {
			e.Specialities = specs
		}
		if in.Status != nil {
			e.Status = Status(*in.Status)
		}
		return validateExpert(e)
	})
}

// specialities checks dispute-type codes against the platform's catalogue and the tenant's
// own types, and merges the errors with prior (a *ValidationError or nil) so that a request
// gets every error at once.
func (s *Service) specialities(ctx context.Context, tenantCode string, given []string, prior error) ([]string, error) {
	var v errs
	v.Merge(prior)
	out := []string{}
	if len(given) > 0 {
		known := []string{}
		for _, t := range cases.BuiltInTypes() {
			known = append(known, t.Code)
		}
		if slices.ContainsFunc(given, func(c string) bool { return !slices.Contains(known, c) }) {
			own, err := s.repo.TenantTypes(ctx, tenantCode)
			if err != nil {
				return nil, err
			}
			for _, t := range own {
				known = append(known, t.Code)
			}
		}
		out = checkSpecialities(&v, given, known)
	}
	return out, v.Err()
}

// checkFilter checks the filters shared by the listings.
func checkFilter(v *errs, f Filter, byOrganisation bool) {
	if f.Status != "" {
		checkStatus(v, "status", f.Status)
	}
	if runes(f.Query) > MaxQuery {
		v.Add("q", "搜索词最多 %d 个字符 / q must be at most %d characters", MaxQuery, MaxQuery)
	}
	if f.Speciality != "" && !cases.ValidTypeCode(f.Speciality) {
		v.Add("speciality", "speciality 须为纠纷类型代码，如 neighbour / speciality must be a dispute-type code such as neighbour")
	}
	if byOrganisation && f.OrganisationID != "" && !isUUID(f.OrganisationID) {
		v.Add("organisation_id", "organisation_id 须为调解组织的 id（UUID） / organisation_id must be an organisation's id (a UUID)")
	}
	if f.Limit < 1 {
		v.Add("limit", "limit 须为正整数 / limit must be a positive integer")
	}
}

func isUUID(s string) bool { return len(s) == 36 && uuid.Validate(s) == nil }

func set(dst *string, v *string) {
	if v != nil {
		*dst = *v
	}
}
