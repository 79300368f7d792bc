package orgs

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/fengqiao/fengqiao/core/cases"
)

// memRepo is an in-memory Repo: enough to exercise the service's rules.
type memRepo struct {
	orgs      map[string]Organisation
	mediators map[string]Mediator
	experts   map[string]Expert
	own       []cases.DisputeType
	typeReads int
}

func newMemRepo() *memRepo {
	return &memRepo{orgs: map[string]Organisation{}, mediators: map[string]Mediator{}, experts: map[string]Expert{}}
}

func (r *memRepo) CreateOrganisation(_ context.Context, o Organisation) (Organisation, error) {
	for _, x := range r.orgs {
		if x.TenantCode == o.TenantCode && x.Name == o.Name && x.Status == StatusActive && o.Status == StatusActive {
			return Organisation{}, ErrNameTaken
		}
	}
	r.orgs[o.ID] = o
	return o, nil
}

func (r *memRepo) Organisation(_ context.Context, tenantCode, id string) (Organisation, error) {
	o, ok := r.orgs[id]
	if !ok || o.TenantCode != tenantCode {
		return Organisation{}, &NotFoundError{Resource: ResourceOrganisation}
	}
	return o, nil
}

func (r *memRepo) Organisations(context.Context, string, Filter) ([]Organisation, error) {
	return nil, nil
}

func (r *memRepo) UpdateOrganisation(ctx context.Context, tenantCode, id string, apply func(*Organisation) error) (Organisation, error) {
	o, err := r.Organisation(ctx, tenantCode, id)
	if err != nil {
		return o, err
	}
	if err := apply(&o); err != nil {
		return Organisation{}, err
	}
	r.orgs[id] = o
	return o, nil
}

func (r *memRepo) lookup(tenantCode string) OrgLookup {
	return func(id string) (*Organisation, error) {
		o, err := r.Organisation(context.Background(), tenantCode, id)
		if err != nil {
			return nil, nil
		}
		return &o, nil
	}
}

func (r *memRepo) CreateMediator(_ context.Context, m Mediator, check func(OrgLookup) error) (Mediator, error) {
	if err := check(r.lookup(m.TenantCode)); err != nil {
		return Mediator{}, err
	}
	r.mediators[m.ID] = m
	return m, nil
}

func (r *memRepo) Mediator(_ context.Context, tenantCode, id string) (Mediator, error) {
	m, ok := r.mediators[id]
	if !ok || m.TenantCode != tenantCode {
		return Mediator{}, &NotFoundError{Resource: ResourceMediator}
	}
	return m, nil
}

func (r *memRepo) Mediators(context.Context, string, Filter) ([]Mediator, error) { return nil, nil }
func (r *memRepo) MediatorCounts(context.Context, string, Filter) ([]MediatorCount, error) {
	return nil, nil
}

func (r *memRepo) UpdateMediator(ctx context.Context, tenantCode, id string, apply func(*Mediator, OrgLookup) error) (Mediator, error) {
	m, err := r.Mediator(ctx, tenantCode, id)
	if err != nil {
		return m, err
	}
	if err := apply(&m, r.lookup(tenantCode)); err != nil {
		return Mediator{}, err
	}
	r.mediators[id] = m
	return m, nil
}

func (r *memRepo) CreateExpert(_ context.Context, e Expert) (Expert, error) {
	r.experts[e.ID] = e
	return e, nil
}

func (r *memRepo) Expert(_ context.Context, tenantCode, id string) (Expert, error) {
	e, ok := r.experts[id]
	if !ok || e.TenantCode != tenantCode {
		return Expert{}, &NotFoundError{Resource: ResourceExpert}
	}
	return e, nil
}

func (r *memRepo) Experts(context.Context, string, Filter) ([]Expert, error) { return nil, nil }

func (r *memRepo) UpdateExpert(ctx context.Context, tenantCode, id string, apply func(*Expert) error) (Expert, error) {
	e, err := r.Expert(ctx, tenantCode, id)
	if err != nil {
		return e, err
	}
	if err := apply(&e); err != nil {
		return Expert{}, err
	}
	r.experts[id] = e
	return e, nil
}

func (r *memRepo) TenantTypes(context.Context, string) ([]cases.DisputeType, error) {
	r.typeReads++
	return r.own, nil
}

const putuo = "310107"

// fields returns the fields named by a validation error, or the error's text when it is another error.
func fieldsOf(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	var ve *ValidationError
	if !errors.As(err, &ve) {
		return []string{"!" + err.Error()}
	}
	if !errors.Is(err, ErrInvalid) {
		t.Errorf("%v does not wrap ErrInvalid", err)
	}
	var out []string
	for _, f := range ve.Errors {
		out = append(out, f.Field)
		if !strings.Contains(f.Message, " / ") {
			t.Errorf("%s: message not bilingual: %q", f.Field, f.Message)
		}
	}
	return out
}

func TestKindCategories(t *testing.T) {
	for _, k := range Kinds() {
		n := 0
		for _, in := range []bool{IsCommittee(k.Code), IsAgency(k.Code), k.Code == KindJudicialOffice, k.Code == KindBrandStudio} {
			if in {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%s is in %d categories, want 1", k.Code, n)
		}
		if k.NameZH == "" || k.NameEN == "" {
			t.Errorf("%s lacks a name", k.Code)
		}
	}
	if len(CommitteeKinds()) != 5 || len(AgencyKinds()) != 5 || len(Kinds()) != 12 {
		t.Errorf("kinds: %d committees, %d agencies, %d in all", len(CommitteeKinds()), len(AgencyKinds()), len(Kinds()))
	}
	if !HostsMediators(KindBrandStudio) || !HostsMediators(KindIndustryCommittee) || HostsMediators(KindCourt) || HostsMediators(KindJudicialOffice) {
		t.Error("HostsMediators")
	}
	if got := MediationKinds(); len(got) != 6 || !slices.Contains(got, KindBrandStudio) {
		t.Errorf("MediationKinds = %v", got)
	}
	// The lists are copies.
	CommitteeKinds()[0] = "x"
	if !IsCommittee(KindVillageCommittee) {
		t.Error("CommitteeKinds exposes its backing array")
	}
}

func TestValidateOrganisation(t *testing.T) {
	base := func(kind Kind) NewOrganisation {
		return NewOrganisation{Kind: string(kind), Name: "长寿路街道人民调解委员会", StreetCode: "310107015"}
	}
	with := func(o NewOrganisation, f func(*NewOrganisation)) NewOrganisation {
		f(&o)
		return o
	}
	rows := []struct {
		name string
		in   NewOrganisation
		want []string
	}{
		{"street committee", base(KindStreetCommittee), nil},
		{"village committee with village", with(base(KindVillageCommittee), func(o *NewOrganisation) { o.VillageCode = "310107015001" }), nil},
		{"enterprise without street", NewOrganisation{Kind: "enterprise_committee", Name: "某集团调委会"}, nil},
		{"industry committee", NewOrganisation{Kind: "industry_committee", Name: "医调委", Industry: "medical"}, nil},
		{"dispatched committee", NewOrganisation{Kind: "dispatched_committee", Name: "驻法院调委会", StationedAt: "court"}, nil},
		{"brand studio", NewOrganisation{Kind: "brand_studio", Name: "老郭明理调解室", MediatorName: "郭明理"}, nil},
		{"judicial office", NewOrganisation{Kind: "judicial_office", Name: "长寿路司法所", StreetCode: "310107015"}, nil},
		{"court with webhook", NewOrganisation{Kind: "court", Name: "普陀区人民法院", WebhookURL: "https://court.example.cn/hook"}, nil},
		{"department with loopback webhook", NewOrganisation{Kind: "department", Name: "区人社局", WebhookURL: "http://127.0.0.1:8080/x"}, nil},
		{"contact", NewOrganisation{Kind: "police_station", Name: "长寿路派出所", Contact: Contact{Name: "王警官", Phone: "021-5256 4588", Address: "长寿路 1 号"}}, nil},

		{"unknown kind", NewOrganisation{Kind: "club", Name: "x"}, []string{"kind"}},
		{"no kind", NewOrganisation{Name: "x"}, []string{"kind"}},
		{"blank name", with(base(KindStreetCommittee), func(o *NewOrganisation) { o.Name = "  " }), []string{"name"}},
		{"long name", with(base(KindStreetCommittee), func(o *NewOrganisation) { o.Name = strings.Repeat("调", 101) }), []string{"name"}},
		{"village committee without street", NewOrganisation{Kind: "village_committee", Name: "x"}, []string{"street_code"}},
		{"street committee without street", NewOrganisation{Kind: "street_committee", Name: "x"}, []string{"street_code"}},
		{"street of another district", with(base(KindStreetCommittee), func(o *NewOrganisation) { o.StreetCode = "370104001" }), []string{"street_code"}},
		{"unknown street", with(base(KindStreetCommittee), func(o *NewOrganisation) { o.StreetCode = "310107999" }), []string{"street_code"}},
		{"district as street", with(base(KindStreetCommittee), func(o *NewOrganisation) { o.StreetCode = "310107" }), []string{"street_code"}},
		{"village not under the street", with(base(KindVillageCommittee), func(o *NewOrganisation) { o.VillageCode = "310107014001" }), []string{"village_code"}},
		{"village without street", NewOrganisation{Kind: "enterprise_committee", Name: "x", VillageCode: "310107015001"}, []string{"village_code"}},
		{"village malformed", with(base(KindVillageCommittee), func(o *NewOrganisation) { o.VillageCode = "31010701500x" }), []string{"village_code"}},
		{"industry missing", NewOrganisation{Kind: "industry_committee", Name: "x"}, []string{"industry"}},
		{"industry unknown", NewOrganisation{Kind: "industry_committee", Name: "x", Industry: "fishing"}, []string{"industry"}},
		{"industry on a street committee", with(base(KindStreetCommittee), func(o *NewOrganisation) { o.Industry = "medical" }), []string{"industry"}},
		{"stationed_at missing", NewOrganisation{Kind: "dispatched_committee", Name: "x"}, []string{"stationed_at"}},
		{"stationed_at unknown", NewOrganisation{Kind: "dispatched_committee", Name: "x", StationedAt: "school"}, []string{"stationed_at"}},
		{"stationed_at elsewhere", NewOrganisation{Kind: "court", Name: "x", StationedAt: "court"}, []string{"stationed_at"}},
		{"studio without mediator", NewOrganisation{Kind: "brand_studio", Name: "x"}, []string{"mediator_name"}},
		{"mediator_name elsewhere", NewOrganisation{Kind: "court", Name: "x", MediatorName: "郭"}, []string{"mediator_name"}},
		{"webhook on a committee", with(base(KindStreetCommittee), func(o *NewOrganisation) { o.WebhookURL = "https://x.cn/h" }), []string{"webhook_url"}},
		{"webhook over plain http", NewOrganisation{Kind: "court", Name: "x", WebhookURL: "http://court.example.cn/hook"}, []string{"webhook_url"}},
		{"webhook with credentials", NewOrganisation{Kind: "court", Name: "x", WebhookURL: "https://u:p@court.example.cn/hook"}, []string{"webhook_url"}},
		{"webhook not a URL", NewOrganisation{Kind: "court", Name: "x", WebhookURL: "court"}, []string{"webhook_url"}},
		{"webhook too long", NewOrganisation{Kind: "court", Name: "x", WebhookURL: "https://x.cn/" + strings.Repeat("a", 500)}, []string{"webhook_url"}},
		{"bad phone", NewOrganisation{Kind: "court", Name: "x", Contact: Contact{Phone: "12345"}}, []string{"contact.phone"}},
		{"long contact name", NewOrganisation{Kind: "court", Name: "x", Contact: Contact{Name: strings.Repeat("王", 51)}}, []string{"contact.name"}},
		{"long address", NewOrganisation{Kind: "court", Name: "x", Contact: Contact{Address: strings.Repeat("路", 201)}}, []string{"contact.address"}},
		{"every error at once", NewOrganisation{Kind: "industry_committee", Contact: Contact{Phone: "1"}}, []string{"name", "industry", "contact.phone"}},
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			s := NewService(newMemRepo())
			o, err := s.CreateOrganisation(context.Background(), putuo, r.in)
			if got := fieldsOf(t, err); !slices.Equal(got, r.want) {
				t.Fatalf("fields %v, want %v (%v)", got, r.want, err)
			}
			if err == nil && (o.ID == "" || o.Status != StatusActive || o.TenantCode != putuo) {
				t.Errorf("created %+v", o)
			}
		})
	}
}

func TestOrganisationNormalized(t *testing.T) {
	s := NewService(newMemRepo())
	o, err := s.CreateOrganisation(context.Background(), putuo, NewOrganisation{Kind: "court", Name: "  普陀区人民法院 ",
		Contact: Contact{Name: " 李 ", Phone: "+86 138-0013-8000", Address: " 长寿路\n 1 号 "}, WebhookURL: " https://c.cn/h "})
	if err != nil {
		t.Fatal(err)
	}
	if o.Name != "普陀区人民法院" || o.Contact.Phone != "13800138000" || o.Contact.Name != "李" || o.Contact.Address != "长寿路 1 号" || o.WebhookURL != "https://c.cn/h" {
		t.Errorf("normalized %+v", o)
	}
}

func TestUpdateOrganisation(t *testing.T) {
	ctx := context.Background()
	repo := newMemRepo()
	s := NewService(repo)
	o, err := s.CreateOrganisation(ctx, putuo, NewOrganisation{Kind: "industry_committee", Name: "医调委", Industry: "medical"})
	if err != nil {
		t.Fatal(err)
	}
	str := func(v string) *string { return &v }
	rows := []struct {
		name string
		in   OrganisationUpdate
		want []string
	}{
		{"kind cannot change", OrganisationUpdate{Kind: str("court")}, []string{"kind"}},
		{"same kind is fine", OrganisationUpdate{Kind: str("industry_committee"), Industry: str("property")}, nil},
		{"industry cannot be cleared", OrganisationUpdate{Industry: str("")}, []string{"industry"}},
		{"bad status", OrganisationUpdate{Status: str("deleted")}, []string{"status"}},
		{"street of another district", OrganisationUpdate{StreetCode: str("370104001")}, []string{"street_code"}},
		{"deactivate", OrganisationUpdate{Status: str("inactive")}, nil},
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			_, err := s.UpdateOrganisation(ctx, putuo, o.ID, r.in)
			if got := fieldsOf(t, err); !slices.Equal(got, r.want) {
				t.Fatalf("fields %v, want %v (%v)", got, r.want, err)
			}
		})
	}
	if got := repo.orgs[o.ID]; got.Industry != "property" || got.Status != StatusInactive {
		t.Errorf("stored %+v", got)
	}
	var nf *NotFoundError
	if _, err := s.UpdateOrganisation(ctx, "370104", o.ID, OrganisationUpdate{}); !errors.As(err, &nf) || !errors.Is(err, ErrNotFound) {
		t.Errorf("another tenant's organisation: %v", err)
	}
	if _, err := s.Organisation(ctx, putuo, "not-a-uuid"); !errors.As(err, &nf) || nf.Resource != ResourceOrganisation {
		t.Errorf("malformed id: %v", err)
	}
	if !strings.Contains(nf.Title(), "Organisation not found") || !strings.Contains(nf.Detail(), " / ") {
		t.Errorf("not found texts: %q %q", nf.Title(), nf.Detail())
	}
}

func TestMediators(t *testing.T) {
	ctx := context.Background()
	repo := newMemRepo()
	repo.own = []cases.DisputeType{{Code: "pet_noise", NameZH: "宠物扰民"}}
	s := NewService(repo)
	mk := func(tenantCode string, in NewOrganisation) Organisation {
		o, err := s.CreateOrganisation(ctx, tenantCode, in)
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	committee := mk(putuo, NewOrganisation{Kind: "street_committee", Name: "长寿路调委会", StreetCode: "310107015"})
	studio := mk(putuo, NewOrganisation{Kind: "brand_studio", Name: "老杨调解室", MediatorName: "杨"})
	court := mk(putuo, NewOrganisation{Kind: "court", Name: "普陀法院"})
	office := mk(putuo, NewOrganisation{Kind: "judicial_office", Name: "长寿路司法所"})
	closed := mk(putuo, NewOrganisation{Kind: "village_committee", Name: "旧村调委会", StreetCode: "310107015"})
	if _, err := s.UpdateOrganisation(ctx, putuo, closed.ID, OrganisationUpdate{Status: ptr("inactive")}); err != nil {
		t.Fatal(err)
	}
	foreign := mk("370104", NewOrganisation{Kind: "street_committee", Name: "振兴街调委会", StreetCode: "370104001"})
	good := NewMediator{Name: "张调解", Kind: "full_time", OrganisationID: committee.ID, Specialities: []string{"neighbour"}}
	with := func(f func(*NewMediator)) NewMediator {
		m := good
		f(&m)
		return m
	}
	rows := []struct {
		name string
		in   NewMediator
		want []string
	}{
		{"committee member", good, nil},
		{"studio member", with(func(m *NewMediator) { m.OrganisationID = studio.ID; m.Chief = true; m.Grade = "senior" }), nil},
		{"tenant's own type", with(func(m *NewMediator) { m.Specialities = []string{"pet_noise", "medical"} }), nil},
		{"credit score given", with(func(m *NewMediator) { m.CreditScore = ptr(0) }), nil},
		{"no name", with(func(m *NewMediator) { m.Name = " " }), []string{"name"}},
		{"bad kind", with(func(m *NewMediator) { m.Kind = "volunteer" }), []string{"kind"}},
		{"bad grade", with(func(m *NewMediator) { m.Grade = "chief" }), []string{"grade"}},
		{"long certificate", with(func(m *NewMediator) { m.CertificateNumber = strings.Repeat("1", 51) }), []string{"certificate_number"}},
		{"bad phone", with(func(m *NewMediator) { m.Phone = "1380013800" }), []string{"phone"}},
		{"credit score above 100", with(func(m *NewMediator) { m.CreditScore = ptr(101) }), []string{"credit_score"}},
		{"credit score below 0", with(func(m *NewMediator) { m.CreditScore = ptr(-1) }), []string{"credit_score"}},
		{"unknown speciality", with(func(m *NewMediator) { m.Specialities = []string{"neighbour", "alien"} }), []string{"specialities"}},
		{"no organisation", with(func(m *NewMediator) { m.OrganisationID = "" }), []string{"organisation_id"}},
		{"malformed organisation", with(func(m *NewMediator) { m.OrganisationID = "x" }), []string{"organisation_id"}},
		{"another tenant's organisation", with(func(m *NewMediator) { m.OrganisationID = foreign.ID }), []string{"organisation_id"}},
		{"inactive organisation", with(func(m *NewMediator) { m.OrganisationID = closed.ID }), []string{"organisation_id"}},
		{"an agency", with(func(m *NewMediator) { m.OrganisationID = court.ID }), []string{"organisation_id"}},
		{"a judicial office", with(func(m *NewMediator) { m.OrganisationID = office.ID }), []string{"organisation_id"}},
		{"several errors", with(func(m *NewMediator) { m.Kind = ""; m.Specialities = []string{"alien"} }), []string{"kind", "specialities"}},
		{"user account given", with(func(m *NewMediator) { m.UserID = "9f1c2f0e-8d8a-4c1e-9f7b-2a6d3c4b5e6f" }), nil},
		{"user account not an id", with(func(m *NewMediator) { m.UserID = "putuo-mediator" }), []string{"user_id"}},
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			m, err := s.CreateMediator(ctx, putuo, r.in)
			if got := fieldsOf(t, err); !slices.Equal(got, r.want) {
				t.Fatalf("fields %v, want %v (%v)", got, r.want, err)
			}
			if err == nil && r.in.CreditScore == nil && m.CreditScore != DefaultCreditScore {
				t.Errorf("credit score %d", m.CreditScore)
			}
		})
	}
	// Duplicated specialities are dropped; the tenant's types are read only when needed.
	reads := repo.typeReads
	m, err := s.CreateMediator(ctx, putuo, with(func(m *NewMediator) {
		m.Specialities = []string{"neighbour", "contract", "neighbour"}
		m.Phone = "139 0013 9000"
	}))
	if err != nil || !slices.Equal(m.Specialities, []string{"neighbour", "contract"}) || m.Phone != "13900139000" {
		t.Fatalf("mediator %+v, %v", m, err)
	}
	if repo.typeReads != reads {
		t.Error("built-in specialities read the tenant's types")
	}
	// Updates: a new organisation is checked; so is a mediator coming back into service.
	up := []struct {
		name string
		in   MediatorUpdate
		want []string
	}{
		{"move to an agency", MediatorUpdate{OrganisationID: &court.ID}, []string{"organisation_id"}},
		{"move to the studio", MediatorUpdate{OrganisationID: &studio.ID, CreditScore: ptr(85)}, nil},
		{"bad credit score", MediatorUpdate{CreditScore: ptr(1000)}, []string{"credit_score"}},
		{"bad status", MediatorUpdate{Status: ptr("gone")}, []string{"status"}},
		{"unknown speciality", MediatorUpdate{Specialities: &[]string{"alien"}}, []string{"specialities"}},
		{"deactivate", MediatorUpdate{Status: ptr("inactive")}, nil},
	}
	for _, r := range up {
		t.Run("update "+r.name, func(t *testing.T) {
			_, err := s.UpdateMediator(ctx, putuo, m.ID, r.in)
			if got := fieldsOf(t, err); !slices.Equal(got, r.want) {
				t.Fatalf("fields %v, want %v (%v)", got, r.want, err)
			}
		})
	}
	if got := repo.mediators[m.ID]; got.OrganisationID != studio.ID || got.CreditScore != 85 || got.Status != StatusInactive {
		t.Errorf("stored %+v", got)
	}
	if _, err := s.UpdateOrganisation(ctx, putuo, studio.ID, OrganisationUpdate{Status: ptr("inactive")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateMediator(ctx, putuo, m.ID, MediatorUpdate{Status: ptr("active")}); !slices.Equal(fieldsOf(t, err), []string{"organisation_id"}) {
		t.Errorf("reactivation in an inactive studio: %v", err)
	}
	if _, err := s.UpdateMediator(ctx, putuo, m.ID, MediatorUpdate{Phone: ptr("13800138000")}); err != nil {
		t.Errorf("an inactive mediator of an inactive studio can still be edited: %v", err)
	}
}

func TestExperts(t *testing.T) {
	ctx := context.Background()
	s := NewService(newMemRepo())
	rows := []struct {
		name string
		in   NewExpert
		want []string
	}{
		{"lawyer", NewExpert{Name: "刘律师", Field: "lawyer", Specialities: []string{"contract"}, Organisation: "某律所", Phone: "13800138000"}, nil},
		{"no field", NewExpert{Name: "x"}, []string{"field"}},
		{"bad field", NewExpert{Name: "x", Field: "astrologer"}, []string{"field"}},
		{"no name", NewExpert{Field: "doctor"}, []string{"name"}},
		{"long organisation", NewExpert{Name: "x", Field: "doctor", Organisation: strings.Repeat("院", 101)}, []string{"organisation"}},
		{"long note", NewExpert{Name: "x", Field: "doctor", Note: strings.Repeat("注", 501)}, []string{"note"}},
		{"bad phone", NewExpert{Name: "x", Field: "doctor", Phone: "abc"}, []string{"phone"}},
		{"unknown speciality", NewExpert{Name: "x", Field: "doctor", Specialities: []string{"alien"}}, []string{"specialities"}},
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			_, err := s.CreateExpert(ctx, putuo, r.in)
			if got := fieldsOf(t, err); !slices.Equal(got, r.want) {
				t.Fatalf("fields %v, want %v (%v)", got, r.want, err)
			}
		})
	}
	e, err := s.CreateExpert(ctx, putuo, NewExpert{Name: "陈医生", Field: "doctor"})
	if err != nil || e.Specialities == nil {
		t.Fatalf("%+v %v", e, err)
	}
	if _, err := s.UpdateExpert(ctx, putuo, e.ID, ExpertUpdate{Field: ptr("wizard")}); !slices.Equal(fieldsOf(t, err), []string{"field"}) {
		t.Errorf("update field: %v", err)
	}
	got, err := s.UpdateExpert(ctx, putuo, e.ID, ExpertUpdate{Status: ptr("inactive"), Note: ptr(" 擅长医患沟通 ")})
	if err != nil || got.Status != StatusInactive || got.Note != "擅长医患沟通" {
		t.Errorf("update: %+v %v", got, err)
	}
}

func TestFilters(t *testing.T) {
	ctx := context.Background()
	s := NewService(newMemRepo())
	ok := Filter{Limit: 10}
	with := func(f func(*Filter)) Filter {
		x := ok
		f(&x)
		return x
	}
	rows := []struct {
		name string
		list func(Filter) error
		f    Filter
		want []string
	}{
		{"organisations", orgList(s), with(func(f *Filter) { f.Kind = "court"; f.Status = "inactive"; f.Query = "法院" }), nil},
		{"organisation kind", orgList(s), with(func(f *Filter) { f.Kind = "club" }), []string{"kind"}},
		{"status", orgList(s), with(func(f *Filter) { f.Status = "deleted" }), []string{"status"}},
		{"long query", orgList(s), with(func(f *Filter) { f.Query = strings.Repeat("调", 101) }), []string{"q"}},
		{"no limit", orgList(s), Filter{}, []string{"limit"}},
		{"mediators", medList(s), with(func(f *Filter) {
			f.Kind = "part_time"
			f.Speciality = "neighbour"
			f.OrganisationID = "00000000-0000-0000-0000-000000000000"
		}), nil},
		{"mediator kind", medList(s), with(func(f *Filter) { f.Kind = "court" }), []string{"kind"}},
		{"organisation id", medList(s), with(func(f *Filter) { f.OrganisationID = "x" }), []string{"organisation_id"}},
		{"speciality", medList(s), with(func(f *Filter) { f.Speciality = "Neighbour!" }), []string{"speciality"}},
		{"experts", expList(s), with(func(f *Filter) { f.Kind = "lawyer" }), nil},
		{"expert field", expList(s), with(func(f *Filter) { f.Kind = "full_time" }), []string{"field"}},
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			if got := fieldsOf(t, r.list(r.f)); !slices.Equal(got, r.want) {
				t.Fatalf("fields %v, want %v", got, r.want)
			}
		})
	}
	_ = ctx
}

func orgList(s *Service) func(Filter) error {
	return func(f Filter) error { _, err := s.Organisations(context.Background(), putuo, f); return err }
}

func medList(s *Service) func(Filter) error {
	return func(f Filter) error { _, err := s.Mediators(context.Background(), putuo, f); return err }
}

func expList(s *Service) func(Filter) error {
	return func(f Filter) error { _, err := s.Experts(context.Background(), putuo, f); return err }
}

func TestWebhookOK(t *testing.T) {
	for raw, want := range map[string]bool{
		"https://court.example.cn/hook?x=1": true,
		"http://127.0.0.1:9000/hook":        true,
		"http://127.0.0.1/hook":             true,
		"http://localhost/hook":             false,
		"http://10.0.0.1/hook":              false,
		"ftp://court.example.cn/":           false,
		"https:///nohost":                   false,
		"https://user@court.example.cn/":    false,
		"mailto:court@example.cn":           false,
		"https://[::1":                      false,
	} {
		if got := webhookOK(raw); got != want {
			t.Errorf("webhookOK(%q) = %v, want %v", raw, got, want)
		}
	}
}

func ptr[T any](v T) *T { return &v }
