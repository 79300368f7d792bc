package tenant

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/fengqiao/fengqiao/core/division"
)

func TestInScope(t *testing.T) {
	tests := []struct {
		name  string
		scope string
		code  string
		want  bool
	}{
		// The country covers everything.
		{"country covers itself", "000000", "000000", true},
		{"country covers a province", "000000", "310000", true},
		{"country covers a city", "000000", "310100", true},
		{"country covers a district", "000000", "310107", true},
		{"country covers a street", "000000", "310107015", true},
		{"country covers another province's district", "000000", "370104", true},

		// A province covers its subtree only.
		{"province covers itself", "310000", "310000", true},
		{"province covers its city", "310000", "310100", true},
		{"province covers its district", "310000", "310107", true},
		{"province covers its street", "310000", "310107001", true},
		{"province does not cover another province's district", "310000", "370104", false},
		{"province does not cover another province", "310000", "370000", false},
		{"province does not cover a neighbour code", "310000", "320000", false},
		{"province does not cover the country", "310000", "000000", false},
		{"province does not cover an empty code", "310000", "", false},
		{"province does not cover a 1-digit code", "310000", "3", false},

		// A city covers its districts, not its siblings or its parent.
		{"city covers itself", "370100", "370100", true},
		{"city covers its district", "370100", "370104", true},
		{"city covers its district's street", "370100", "370104001", true},
		{"city does not cover a sibling city", "370100", "370200", false},
		{"city does not cover a sibling city's district", "370100", "370202", false},
		{"city does not cover its province", "370100", "370000", false},
		{"city does not cover the country", "370100", "000000", false},
		{"municipality city covers its district", "310100", "310107", true},
		{"city without districts covers its street", "441900", "441900003", true},
		{"placeholder city covers its district", "419000", "419001", true},

		// A district covers itself and its streets only.
		{"district covers itself", "310107", "310107", true},
		{"district covers its street", "310107", "310107015", true},
		{"district does not cover its city", "310107", "310100", false},
		{"district does not cover its province", "310107", "310000", false},
		{"district does not cover the country", "310107", "000000", false},
		{"district does not cover a sibling", "310107", "310104", false},
		{"district does not cover a sibling's street", "310107", "310104001", false},
		{"district does not cover a short code", "310107", "31010", false},

		// A street scope covers only itself.
		{"street scope covers itself", "310107015", "310107015", true},
		{"street scope does not cover its district", "310107015", "310107", false},
		{"street scope does not cover a sibling street", "310107015", "310107001", false},

		// Garbage scopes cover nothing else.
		{"empty scope", "", "310107", false},
		{"letters scope", "abcdef", "310107", false},
		{"short scope", "31", "310107", false},
		{"7-digit scope", "3100000", "310107", false},
		{"full-width scope", "３１００００", "310107", false},
		{"garbage scope, country code", "xyz", "000000", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := InScope(tt.scope, tt.code); got != tt.want {
				t.Errorf("InScope(%q, %q) = %v, want %v", tt.scope, tt.code, got, tt.want)
			}
		})
	}
}

// Every division of the reference list is in scope of each of its ancestors and of itself.
func TestInScopeFollowsAncestors(t *testing.T) {
	for _, code := range []string{"310107", "370104", "441900", "419001", "650000", "110101"} {
		chain, err := division.Ancestors(code)
		if err != nil {
			t.Fatalf("Ancestors(%q): %v", code, err)
		}
		for _, a := range chain {
			if !InScope(a.Code, code) {
				t.Errorf("InScope(%q, %q) = false for an ancestor", a.Code, code)
			}
			if a.Code != division.CountryCode && InScope(code, a.Code) {
				t.Errorf("InScope(%q, %q) = true: a division covers its ancestor", code, a.Code)
			}
		}
	}
}

func TestTransition(t *testing.T) {
	tests := []struct {
		from   Status
		action Action
		want   Status // "" means the transition is not allowed
	}{
		{StatusActive, ActionSuspend, StatusSuspended},
		{StatusActive, ActionResume, ""},
		{StatusActive, ActionArchive, StatusArchived},
		{StatusSuspended, ActionSuspend, ""},
		{StatusSuspended, ActionResume, StatusActive},
		{StatusSuspended, ActionArchive, StatusArchived},
		{StatusArchived, ActionSuspend, ""},
		{StatusArchived, ActionResume, ""},
		{StatusArchived, ActionArchive, ""},
		{"", ActionSuspend, ""},
		{"deleted", ActionResume, ""},
		{StatusActive, "delete", ""},
		{StatusSuspended, "", ""},
	}
	for _, tt := range tests {
		t.Run(string(tt.from)+"/"+string(tt.action), func(t *testing.T) {
			got, err := Transition(tt.from, tt.action)
			if tt.want == "" {
				if !errors.Is(err, ErrInvalidTransition) {
					t.Fatalf("Transition(%q, %q) = %q, %v; want ErrInvalidTransition", tt.from, tt.action, got, err)
				}
				if got != tt.from {
					t.Errorf("refused transition returned %q, want the unchanged %q", got, tt.from)
				}
				if !strings.Contains(err.Error(), string(tt.action)) {
					t.Errorf("error %q does not name the action", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Transition(%q, %q): %v", tt.from, tt.action, err)
			}
			if got != tt.want {
				t.Errorf("Transition(%q, %q) = %q, want %q", tt.from, tt.action, got, tt.want)
			}
		})
	}
}

func TestAllowedActions(t *testing.T) {
	tests := []struct {
		from Status
		want []Action
	}{
		{StatusActive, []Action{ActionSuspend, ActionArchive}},
		{StatusSuspended, []Action{ActionResume, ActionArchive}},
		{StatusArchived, nil},
		{"", nil},
		{"unknown", nil},
	}
	for _, tt := range tests {
		t.Run(string(tt.from), func(t *testing.T) {
			got := AllowedActions(tt.from)
			if !slices.Equal(got, tt.want) {
				t.Errorf("AllowedActions(%q) = %v, want %v", tt.from, got, tt.want)
			}
			// AllowedActions agrees with Transition.
			for _, a := range []Action{ActionSuspend, ActionResume, ActionArchive} {
				_, err := Transition(tt.from, a)
				if (err == nil) != slices.Contains(got, a) {
					t.Errorf("AllowedActions(%q) and Transition(%q) disagree", tt.from, a)
				}
			}
		})
	}
}

func TestUsable(t *testing.T) {
	tests := []struct {
		status Status
		want   error
	}{
		{StatusActive, nil},
		{StatusSuspended, ErrSuspended},
		{StatusArchived, ErrArchived},
		{"", ErrArchived},
		{"unknown", ErrArchived},
	}
	for _, tt := range tests {
		t.Run(string(tt.status), func(t *testing.T) {
			if got := Usable(tt.status); got != tt.want {
				t.Errorf("Usable(%q) = %v, want %v", tt.status, got, tt.want)
			}
		})
	}
}

func TestErrorTypes(t *testing.T) {
	ce := &CodeError{Code: "370104", Err: ErrOutsideScope}
	if !errors.Is(ce, ErrOutsideScope) || !strings.Contains(ce.Error(), "370104") {
		t.Errorf("CodeError %v", ce)
	}
	se := &SettingsError{Field: "placement", Message: "bad"}
	if !errors.Is(se, ErrInvalidSettings) || se.Error() != "placement: bad" {
		t.Errorf("SettingsError %v", se)
	}
	te := &TransitionError{From: StatusArchived, Action: ActionResume}
	if !errors.Is(te, ErrInvalidTransition) || !strings.Contains(te.Error(), "archived") {
		t.Errorf("TransitionError %v", te)
	}
}

func TestValidateSettings(t *testing.T) {
	ptr := func(s string) *string { return &s }
	plugins := func(p ...string) *[]string { return &p }
	none := NewService(nil, []string{DefaultPlacement}, nil)
	some := NewService(nil, []string{DefaultPlacement, "east-2"}, []string{"sms", "e-sign"})

	tests := []struct {
		name  string
		svc   *Service
		st    Settings
		field string // "" means valid
	}{
		{"nothing", none, Settings{}, ""},
		{"all good", none, Settings{
			DisplayName:    ptr("上海市普陀区司法局"),
			Contact:        &Contact{Name: "张三", Phone: "+86 (21) 6254-1234", Email: "zhangsan@sfj.sh.cn"},
			EnabledPlugins: plugins(),
			Placement:      ptr("default"),
		}, ""},
		{"all good with plugins", some, Settings{EnabledPlugins: plugins("sms", "e-sign", "sms"), Placement: ptr("east-2")}, ""},
		{"empty display name", none, Settings{DisplayName: ptr("")}, ""},
		{"display name 64 runes", none, Settings{DisplayName: ptr(strings.Repeat("调", 64))}, ""},
		{"display name 65 runes", none, Settings{DisplayName: ptr(strings.Repeat("调", 65))}, "display_name"},
		{"display name 65 ascii", none, Settings{DisplayName: ptr(strings.Repeat("a", 65))}, "display_name"},
		{"empty contact", none, Settings{Contact: &Contact{}}, ""},
		{"contact name 64 runes", none, Settings{Contact: &Contact{Name: strings.Repeat("张", 64)}}, ""},
		{"contact name 65 runes", none, Settings{Contact: &Contact{Name: strings.Repeat("张", 65)}}, "contact.name"},
		{"phone mobile", none, Settings{Contact: &Contact{Phone: "13800138000"}}, ""},
		{"phone 5 digits", none, Settings{Contact: &Contact{Phone: "12345"}}, ""},
		{"phone 32 chars", none, Settings{Contact: &Contact{Phone: strings.Repeat("1", 32)}}, ""},
		{"phone 4 digits", none, Settings{Contact: &Contact{Phone: "1234"}}, "contact.phone"},
		{"phone 33 chars", none, Settings{Contact: &Contact{Phone: strings.Repeat("1", 33)}}, "contact.phone"},
		{"phone letters", none, Settings{Contact: &Contact{Phone: "call-me-maybe"}}, "contact.phone"},
		{"phone extension letter", none, Settings{Contact: &Contact{Phone: "021-62541234 ext 5"}}, "contact.phone"},
		{"phone full-width digits", none, Settings{Contact: &Contact{Phone: "１３８００１３８０００"}}, "contact.phone"},
		{"phone trailing newline", none, Settings{Contact: &Contact{Phone: "13800138000\n"}}, "contact.phone"},
		{"email plain", none, Settings{Contact: &Contact{Email: "name@example.cn"}}, ""},
		{"email no at", none, Settings{Contact: &Contact{Email: "name.example.cn"}}, "contact.email"},
		{"email not an address", none, Settings{Contact: &Contact{Email: "not an email"}}, "contact.email"},
		{"email with display name", none, Settings{Contact: &Contact{Email: "Zhang <zhang@example.cn>"}}, "contact.email"},
		{"email in angle brackets", none, Settings{Contact: &Contact{Email: "<zhang@example.cn>"}}, "contact.email"},
		{"email with leading space", none, Settings{Contact: &Contact{Email: " zhang@example.cn"}}, "contact.email"},
		{"email two addresses", none, Settings{Contact: &Contact{Email: "a@example.cn, b@example.cn"}}, "contact.email"},
		{"bad name reported before bad phone", none, Settings{Contact: &Contact{Name: strings.Repeat("张", 65), Phone: "x"}}, "contact.name"},
		{"no plugins known, one enabled", none, Settings{EnabledPlugins: plugins("mediation-ai")}, "enabled_plugins[0]"},
		{"second plugin unknown", some, Settings{EnabledPlugins: plugins("sms", "fax")}, "enabled_plugins[1]"},
		{"plugin name case-sensitive", some, Settings{EnabledPlugins: plugins("SMS")}, "enabled_plugins[0]"},
		{"empty plugin name", some, Settings{EnabledPlugins: plugins("")}, "enabled_plugins[0]"},
		{"unknown placement", none, Settings{Placement: ptr("east-2")}, "placement"},
		{"empty placement", none, Settings{Placement: ptr("")}, "placement"},
		{"placement case-sensitive", none, Settings{Placement: ptr("Default")}, "placement"},
		{"first error wins", none, Settings{DisplayName: ptr(strings.Repeat("a", 65)), Placement: ptr("nowhere")}, "display_name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.svc.Validate(tt.st)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			var se *SettingsError
			if !errors.As(err, &se) {
				t.Fatalf("Validate = %v, want a *SettingsError on %s", err, tt.field)
			}
			if se.Field != tt.field {
				t.Errorf("Validate error on field %q, want %q (%v)", se.Field, tt.field, err)
			}
			if !errors.Is(err, ErrInvalidSettings) {
				t.Errorf("error %v does not wrap ErrInvalidSettings", err)
			}
			if se.Message == "" {
				t.Error("empty message")
			}
		})
	}
}
