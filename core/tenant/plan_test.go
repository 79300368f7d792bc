package tenant

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/fengqiao/fengqiao/core/division"
)

func tenantCodes(ts []Tenant) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Code
	}
	return out
}

// checkPlanShape verifies what every plan must satisfy: tenants planned once, parents before
// children, each tenant's fields matching the reference list, nothing at or above scope.
func checkPlanShape(t *testing.T, scope string, p Plan) {
	t.Helper()
	pos := map[string]int{}
	for i, tn := range p.Tenants {
		if _, dup := pos[tn.Code]; dup {
			t.Errorf("tenant %s planned twice", tn.Code)
		}
		pos[tn.Code] = i
		if !division.Contains(scope, tn.Code) || tn.Code == scope || tn.Code == division.CountryCode {
			t.Errorf("tenant %s planned though it is not strictly below scope %s", tn.Code, scope)
		}
		d, err := division.Lookup(tn.Code)
		if err != nil {
			t.Errorf("tenant %s: %v", tn.Code, err)
			continue
		}
		if tn.Name != d.Name || tn.FullName != d.FullName() || tn.Level != d.Level || tn.ParentCode != d.ParentCode {
			t.Errorf("tenant %+v does not match division %+v (full name %q)", tn, d, d.FullName())
		}
		if tn.Status != StatusActive || tn.Placement != DefaultPlacement {
			t.Errorf("tenant %s: status %q placement %q", tn.Code, tn.Status, tn.Placement)
		}
		chain, _ := division.Ancestors(tn.Code)
		want := []string{}
		for _, a := range chain {
			want = append(want, a.Code)
		}
		want = append(want, tn.Code)
		if !slices.Equal(tn.Ancestors, want) {
			t.Errorf("tenant %s ancestors %v, want %v", tn.Code, tn.Ancestors, want)
		}
		if j, ok := pos[tn.ParentCode]; ok && j >= i {
			t.Errorf("tenant %s planned before its parent %s", tn.Code, tn.ParentCode)
		}
	}
	for _, tn := range p.Tenants {
		if _, ok := pos[tn.ParentCode]; !ok && tn.ParentCode != scope && !division.Contains(tn.ParentCode, scope) {
			t.Errorf("tenant %s: parent %s neither planned nor at or above scope %s", tn.Code, tn.ParentCode, scope)
		}
	}
	for _, c := range p.Requested {
		if _, ok := pos[c]; !ok && c != scope {
			t.Errorf("requested %s is not planned", c)
		}
	}
}

func TestPlanOnboardingNationalScope(t *testing.T) {
	p, err := PlanOnboarding("000000", []string{"310107"}, false)
	if err != nil {
		t.Fatalf("PlanOnboarding: %v", err)
	}
	checkPlanShape(t, "000000", p)
	if !slices.Equal(p.Requested, []string{"310107"}) {
		t.Errorf("Requested = %v", p.Requested)
	}
	want := []Tenant{
		{Code: "310000", Name: "上海市", FullName: "上海市", Level: division.LevelProvince, ParentCode: "000000", Ancestors: []string{"000000", "310000"}},
		{Code: "310100", Name: "上海市", FullName: "上海市", Level: division.LevelCity, ParentCode: "310000", Ancestors: []string{"000000", "310000", "310100"}},
		{Code: "310107", Name: "普陀区", FullName: "上海市普陀区", Level: division.LevelDistrict, ParentCode: "310100", Ancestors: []string{"000000", "310000", "310100", "310107"}},
	}
	if len(p.Tenants) != len(want) {
		t.Fatalf("tenants %v, want %v", tenantCodes(p.Tenants), tenantCodes(want))
	}
	for i, w := range want {
		g := p.Tenants[i]
		if g.Code != w.Code || g.Name != w.Name || g.FullName != w.FullName || g.Level != w.Level || g.ParentCode != w.ParentCode || !slices.Equal(g.Ancestors, w.Ancestors) {
			t.Errorf("tenant %d = %+v, want %+v", i, g, w)
		}
		if g.Status != StatusActive || g.Placement != DefaultPlacement {
			t.Errorf("tenant %s: status %q placement %q", g.Code, g.Status, g.Placement)
		}
	}
	if len(p.Offices) != 0 {
		t.Errorf("%d offices planned without withOffices", len(p.Offices))
	}
}

func TestPlanOnboardingScopes(t *testing.T) {
	tests := []struct {
		name      string
		scope     string
		codes     []string
		requested []string
		tenants   []string
	}{
		{"province scope plans below itself only", "310000", []string{"310107"}, []string{"310107"}, []string{"310100", "310107"}},
		{"city scope plans the district only", "310100", []string{"310107"}, []string{"310107"}, []string{"310107"}},
		{"district scope onboarding itself plans nothing", "310107", []string{"310107"}, []string{"310107"}, []string{}},
		{"province scope onboarding itself plans nothing", "310000", []string{"310000"}, []string{"310000"}, []string{}},
		{"a city", "000000", []string{"370100"}, []string{"370100"}, []string{"370000", "370100"}},
		{"a province", "000000", []string{"370000"}, []string{"370000"}, []string{"370000"}},
		{"duplicates planned once", "000000", []string{"310107", "310107", "310107"}, []string{"310107"}, []string{"310000", "310100", "310107"}},
		{"requested ancestor after its child", "000000", []string{"310107", "310100", "310000"}, []string{"310107", "310100", "310000"}, []string{"310000", "310100", "310107"}},
		{"siblings share ancestors", "000000", []string{"310107", "310104"}, []string{"310107", "310104"}, []string{"310000", "310100", "310107", "310104"}},
		{"parents first across provinces", "000000", []string{"370104", "310107"}, []string{"370104", "310107"},
			[]string{"370000", "310000", "370100", "310100", "370104", "310107"}},
		{"placeholder city", "000000", []string{"419001"}, []string{"419001"}, []string{"410000", "419000", "419001"}},
		{"city without districts", "440000", []string{"441900"}, []string{"441900"}, []string{"441900"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := PlanOnboarding(tt.scope, tt.codes, false)
			if err != nil {
				t.Fatalf("PlanOnboarding(%s, %v): %v", tt.scope, tt.codes, err)
			}
			checkPlanShape(t, tt.scope, p)
			if !slices.Equal(p.Requested, tt.requested) {
				t.Errorf("Requested = %v, want %v", p.Requested, tt.requested)
			}
			if got := tenantCodes(p.Tenants); !slices.Equal(got, tt.tenants) {
				t.Errorf("Tenants = %v, want %v", got, tt.tenants)
			}
		})
	}
}

func TestPlanOnboardingOffices(t *testing.T) {
	streets, err := division.Streets("310107")
	if err != nil || len(streets) == 0 {
		t.Fatalf("Streets(310107) = %d, %v", len(streets), err)
	}
	for _, codes := range [][]string{{"310107"}, {"310107", "310107"}, {"310100", "310107"}} {
		t.Run(strings.Join(codes, ","), func(t *testing.T) {
			p, err := PlanOnboarding("000000", codes, true)
			if err != nil {
				t.Fatalf("PlanOnboarding: %v", err)
			}
			checkPlanShape(t, "000000", p)
			if len(p.Offices) != len(streets) {
				t.Fatalf("%d offices, want one per street: %d", len(p.Offices), len(streets))
			}
			for i, s := range streets {
				o := p.Offices[i]
				want := Office{TenantCode: "310107", StreetCode: s.Code, StreetName: s.Name, Name: s.Name + "司法所"}
				if o != want {
					t.Errorf("office %d = %+v, want %+v", i, o, want)
				}
				if !strings.HasSuffix(o.Name, "司法所") {
					t.Errorf("office name %q does not end with 司法所", o.Name)
				}
			}
		})
	}

	// A city or province gets no offices of its own.
	p, err := PlanOnboarding("000000", []string{"310000", "310100"}, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Offices) != 0 {
		t.Errorf("%d offices planned for a province and a city", len(p.Offices))
	}

	// Two districts: each office belongs to the district whose street it serves.
	p, err = PlanOnboarding("000000", []string{"310107", "370104"}, true)
	if err != nil {
		t.Fatal(err)
	}
	s2, _ := division.Streets("370104")
	if len(p.Offices) != len(streets)+len(s2) {
		t.Errorf("%d offices, want %d", len(p.Offices), len(streets)+len(s2))
	}
	for _, o := range p.Offices {
		if !strings.HasPrefix(o.StreetCode, o.TenantCode) {
			t.Errorf("office %+v: street outside its district", o)
		}
	}
}

func TestOfficeName(t *testing.T) {
	for in, want := range map[string]string{
		"长寿路街道": "长寿路街道司法所",
		"朱家角镇":  "朱家角镇司法所",
		"":      "司法所",
	} {
		if got := OfficeName(in); got != want {
			t.Errorf("OfficeName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPlanOnboardingErrors(t *testing.T) {
	tests := []struct {
		name  string
		scope string
		codes []string
		want  map[string]error // bad code → sentinel
	}{
		{"several bad codes at once", "310000",
			[]string{"31010", "310107", "319999", "310107001", "370104"},
			map[string]error{"31010": division.ErrMalformedCode, "319999": division.ErrUnknownCode, "310107001": division.ErrBelowDistrict, "370104": ErrOutsideScope}},
		{"country requested", "000000", []string{"000000"}, map[string]error{"000000": division.ErrUnknownCode}},
		{"country requested with a good code", "000000", []string{"310107", "000000"}, map[string]error{"000000": division.ErrUnknownCode}},
		{"empty code", "000000", []string{""}, map[string]error{"": division.ErrMalformedCode}},
		{"full-width digits", "000000", []string{"３１０１０７"}, map[string]error{"３１０１０７": division.ErrMalformedCode}},
		{"village code", "000000", []string{"310107001001"}, map[string]error{"310107001001": division.ErrBelowDistrict}},
		{"unknown city", "000000", []string{"319900"}, map[string]error{"319900": division.ErrUnknownCode}},
		{"outside city scope", "370100", []string{"370202"}, map[string]error{"370202": ErrOutsideScope}},
		{"parent of district scope", "310107", []string{"310100"}, map[string]error{"310100": ErrOutsideScope}},
		{"bad duplicate reported once", "310000", []string{"370104", "370104"}, map[string]error{"370104": ErrOutsideScope}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := PlanOnboarding(tt.scope, tt.codes, true)
			if err == nil {
				t.Fatalf("PlanOnboarding(%s, %v) = %+v, want an error", tt.scope, tt.codes, p)
			}
			if p.Requested != nil || p.Tenants != nil || p.Offices != nil {
				t.Errorf("failed plan is not empty: %+v", p)
			}
			if !IsCodeProblem(err) {
				t.Errorf("IsCodeProblem(%v) = false", err)
			}
			var pe *PlanError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T %v, want *PlanError", err, err)
			}
			if len(pe.Codes) != len(tt.want) {
				t.Fatalf("PlanError lists %d codes, want %d: %v", len(pe.Codes), len(tt.want), err)
			}
			var order []string
			for _, c := range tt.codes {
				if _, bad := tt.want[c]; bad && !slices.Contains(order, c) {
					order = append(order, c)
				}
			}
			for i, ce := range pe.Codes {
				if ce.Code != order[i] {
					t.Errorf("PlanError code %d = %q, want %q (request order)", i, ce.Code, order[i])
				}
				sentinel := tt.want[ce.Code]
				if !errors.Is(ce, sentinel) {
					t.Errorf("code %q: error %v does not wrap %v", ce.Code, ce.Err, sentinel)
				}
				for _, other := range []error{division.ErrMalformedCode, division.ErrUnknownCode, division.ErrBelowDistrict, ErrOutsideScope} {
					if other != sentinel && errors.Is(ce, other) {
						t.Errorf("code %q: error %v also wraps %v", ce.Code, ce.Err, other)
					}
				}
				if !errors.Is(err, sentinel) {
					t.Errorf("errors.Is(PlanError, %v) = false", sentinel)
				}
				if !strings.Contains(err.Error(), ce.Code) {
					t.Errorf("message %q does not name %q", err.Error(), ce.Code)
				}
			}
		})
	}
}

func TestPlanOnboardingNothing(t *testing.T) {
	for name, codes := range map[string][]string{"nil": nil, "empty": {}} {
		t.Run(name, func(t *testing.T) {
			_, err := PlanOnboarding("000000", codes, true)
			if !errors.Is(err, ErrNothingToOnboard) {
				t.Fatalf("PlanOnboarding(%v) = %v, want ErrNothingToOnboard", codes, err)
			}
			if !IsCodeProblem(err) {
				t.Error("IsCodeProblem(ErrNothingToOnboard) = false")
			}
		})
	}
}

func TestIsCodeProblem(t *testing.T) {
	tests := []struct {
		err  error
		want bool
	}{
		{nil, false},
		{errors.New("connection refused"), false},
		{ErrNothingToOnboard, true},
		{&PlanError{Codes: []*CodeError{{Code: "x", Err: division.ErrMalformedCode}}}, true},
		{ErrOutsideScope, false},
	}
	for _, tt := range tests {
		if got := IsCodeProblem(tt.err); got != tt.want {
			t.Errorf("IsCodeProblem(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}

func TestPlanWithinCountry(t *testing.T) {
	p, err := PlanWithin("000000", "000000", false)
	if err != nil {
		t.Fatalf("PlanWithin: %v", err)
	}
	if len(p.Requested) != 2978 {
		t.Errorf("%d districts requested, want 2978", len(p.Requested))
	}
	checkPlanShape(t, "000000", p)
	counts := map[division.Level]int{}
	codes := map[string]bool{}
	for _, tn := range p.Tenants {
		counts[tn.Level]++
		codes[tn.Code] = true
	}
	provinces, err := division.Children("000000")
	if err != nil || len(provinces) != 31 {
		t.Fatalf("Children(000000) = %d, %v", len(provinces), err)
	}
	for _, prov := range provinces {
		if !codes[prov.Code] {
			t.Errorf("province %s %s not planned", prov.Code, prov.Name)
		}
	}
	c := division.Count()
	if counts[division.LevelProvince] != c.Provinces || counts[division.LevelCity] != c.Cities || counts[division.LevelDistrict] != c.Districts-3 {
		t.Errorf("planned %v, want %d provinces, %d cities, %d districts", counts, c.Provinces, c.Cities, c.Districts-3)
	}
	if len(p.Tenants) != c.Provinces+c.Cities+c.Districts-3 {
		t.Errorf("%d tenants, want %d", len(p.Tenants), c.Provinces+c.Cities+c.Districts-3)
	}
	if len(p.Offices) != 0 {
		t.Errorf("%d offices planned without withOffices", len(p.Offices))
	}
}

func TestPlanWithin(t *testing.T) {
	tests := []struct {
		name   string
		scope  string
		within string
	}{
		{"a province from the country", "000000", "310000"},
		{"its own province", "310000", "310000"},
		{"a city of its province", "370000", "370100"},
		{"a district of its city", "370100", "370104"},
		{"its own district", "310107", "310107"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := PlanWithin(tt.scope, tt.within, true)
			if err != nil {
				t.Fatalf("PlanWithin(%s, %s): %v", tt.scope, tt.within, err)
			}
			checkPlanShape(t, tt.scope, p)
			ds, _ := division.Districts(tt.within)
			var want []string
			for _, d := range ds {
				want = append(want, d.Code)
			}
			if !slices.Equal(p.Requested, want) {
				t.Errorf("Requested = %v, want %v", p.Requested, want)
			}
			streets, _ := division.Streets(tt.within)
			if len(p.Offices) != len(streets) {
				t.Errorf("%d offices, want %d", len(p.Offices), len(streets))
			}
		})
	}
}

func TestPlanWithinErrors(t *testing.T) {
	tests := []struct {
		name   string
		scope  string
		within string
		want   error
	}{
		{"another province", "310000", "370000", ErrOutsideScope},
		{"the country from a province", "310000", "000000", ErrOutsideScope},
		{"the parent city from a district", "310107", "310100", ErrOutsideScope},
		{"a street", "310000", "310107015", division.ErrBelowDistrict},
		{"a street from the country", "000000", "310107015", division.ErrBelowDistrict},
		{"a village", "000000", "310107015001", division.ErrBelowDistrict},
		{"unknown district", "310000", "319999", division.ErrUnknownCode},
		{"malformed", "000000", "31", division.ErrMalformedCode},
		{"empty", "000000", "", division.ErrMalformedCode},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := PlanWithin(tt.scope, tt.within, true)
			if !errors.Is(err, tt.want) {
				t.Fatalf("PlanWithin(%s, %s) = %+v, %v; want %v", tt.scope, tt.within, p.Requested, err, tt.want)
			}
			var pe *PlanError
			if !errors.As(err, &pe) || len(pe.Codes) != 1 || pe.Codes[0].Code != tt.within {
				t.Errorf("error %v: want a *PlanError naming %q", err, tt.within)
			}
			if !IsCodeProblem(err) {
				t.Errorf("IsCodeProblem(%v) = false", err)
			}
		})
	}
}
