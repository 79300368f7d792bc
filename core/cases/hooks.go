package cases

import (
	"context"
	"errors"
	"strings"
)

// Hooks lets regional plugins check an intake or an action before it happens (core/pluginhost
// implements it). hook is "case.intake" or "case.<action>"; c is the case as it would be
// (intake) or as it is (actions); input is the action's input. An error refuses the change:
// a *HookRejectedError (shown to the user) or a *HookUnavailableError (a plugin that must be
// asked did not answer).
//
// A plugin deactivated after repeated crashes is not asked where its hooks are not mandatory:
// the change proceeds, and the plugins skipped come back as *Unchecked, which the change
// records in the case's history (an "unchecked" event) in its own transaction.
type Hooks interface {
	BeforeCase(ctx context.Context, tenantCode, hook string, c Case, input any) (*Unchecked, error)
	// Hooked reports, cheaply, whether any plugin enabled in the tenant subscribes to hook.
	Hooked(tenantCode, hook string) bool
}

// Unchecked names the plugins whose before-hook a change passed without being asked (they
// were deactivated, and not mandatory in the tenant).
type Unchecked struct {
	Hook    string   `json:"hook"`
	Plugins []string `json:"plugins"`
}

// HookIntake is the before-hook of an intake; an action's is HookOf(action).
const HookIntake = "case.intake"

// HookOf is the before-hook name of an action.
func HookOf(a Action) string { return "case." + string(a) }

// ErrHookRejected and ErrHookUnavailable are what the errors of Hooks unwrap to.
var (
	ErrHookRejected    = errors.New("cases: refused by a plugin")
	ErrHookUnavailable = errors.New("cases: a plugin that must check this did not answer")
)

// HookRejectedError is a plugin's refusal, with the problem it gives.
type HookRejectedError struct {
	Plugin string
	Title  string
	Detail string
	Fields []HookField
}

// HookField is a field a plugin's refusal is about.
type HookField struct{ Field, Message string }

func (e *HookRejectedError) Error() string {
	var b strings.Builder
	b.WriteString("plugin " + e.Plugin + ": " + e.Title)
	for _, f := range e.Fields {
		b.WriteString("; " + f.Field + ": " + f.Message)
	}
	return b.String()
}
func (e *HookRejectedError) Unwrap() error { return ErrHookRejected }

// HookUnavailableError: a fail-closed hook's plugin timed out, crashed or answered nonsense.
type HookUnavailableError struct {
	Plugin string
	Reason string
}

func (e *HookUnavailableError) Error() string { return "plugin " + e.Plugin + ": " + e.Reason }
func (e *HookUnavailableError) Unwrap() error { return ErrHookUnavailable }

// WithHooks has the plugins' before-hooks check intakes and actions (without it, none does).
func WithHooks(h Hooks) Option { return func(s *Service) { s.hooks = h } }
