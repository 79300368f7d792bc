package tenant

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/fengqiao/fengqiao/core/valid"
)

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

func TestUsableByParent(t *testing.T) {
	tests := []struct {
		name   string
		status Status
		write  bool
		want   error
	}{
		{"active: read", StatusActive, false, nil},
		{"active: write", StatusActive, true, nil},
		{"suspended: its cases readable by the parent", StatusSuspended, false, nil},
		{"suspended: no writes", StatusSuspended, true, ErrSuspended},
		{"archived: read-only for the parent", StatusArchived, false, nil},
		{"archived: no writes", StatusArchived, true, ErrArchived},
		{"unknown status: no writes", "unknown", true, ErrArchived},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := UsableByParent(tt.status, tt.write); got != tt.want {
				t.Errorf("UsableByParent(%q, write %v) = %v, want %v", tt.status, tt.write, got, tt.want)
			}
		})
	}
}

func TestErrorTypes(t *testing.T) {
	ce := &CodeError{Code: "370104", Err: ErrOutsideScope}
	if !errors.Is(ce, ErrOutsideScope) || !strings.Contains(ce.Error(), "370104") {
		t.Errorf("CodeError %v", ce)
	}
	se := invalidSettings("placement", "bad")
	if !errors.Is(se, ErrInvalidSettings) || se.Error() != "placement: bad" {
		t.Errorf("invalidSettings %v", se)
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
			se, ok := valid.First(err)
			if !ok {
				t.Fatalf("Validate = %v, want a *valid.Error on %s", err, tt.field)
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
