// Package tenant owns the tenant model of Fengqiao: the hierarchy country → province → city →
// district keyed by GB/T 2260 codes, the lifecycle (active, suspended, archived), per-tenant
// settings, and the onboarding plan that turns division codes into tenants. It knows neither
// HTTP nor SQL: the store persists what it decides.
package tenant

import (
	"errors"
	"fmt"
	"time"

	"github.com/fengqiao/fengqiao/core/division"
	"github.com/fengqiao/fengqiao/core/kind"
	"github.com/fengqiao/fengqiao/core/valid"
)

// Status is where a tenant is in its lifecycle.
type Status string

const (
	StatusActive    Status = "active"
	StatusSuspended Status = "suspended"
	StatusArchived  Status = "archived"
)

// DefaultPlacement is the database cluster every tenant lives on until a later issue adds more.
const DefaultPlacement = "default"

// Contact is the person a tenant's bureau names for platform matters.
type Contact struct {
	Name  string `json:"name"`
	Phone string `json:"phone"`
	Email string `json:"email"`
}

// Tenant is one justice bureau (or the national level) using the platform.
type Tenant struct {
	Code           string
	Name           string
	FullName       string
	Level          division.Level
	ParentCode     string
	Ancestors      []string // from the country down to the tenant itself
	Status         Status
	StatusReason   string
	DisplayName    string
	Contact        Contact
	EnabledPlugins []string
	Placement      string
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Office is a judicial office (司法所), one per street of a district.
type Office struct {
	TenantCode string
	StreetCode string
	StreetName string
	Name       string
	CreatedAt  time.Time
}

// Sentinel errors, each of its kind; the API edge maps kinds to statuses.
var (
	ErrNotFound          = kind.New(kind.NotFound, "tenant not found")
	ErrSuspended         = kind.New(kind.Forbidden, "tenant suspended")
	ErrArchived          = kind.New(kind.Forbidden, "tenant archived")
	ErrInvalidTransition = errors.New("transition not allowed from the tenant's status")
	ErrOutsideScope      = kind.New(kind.Forbidden, "code outside the caller's jurisdiction")
	ErrInvalidSettings   = errors.New("invalid tenant settings")
	ErrNothingToOnboard  = kind.New(kind.Invalid, "nothing to onboard")
)

// CodeError ties an error to the division code at fault.
type CodeError struct {
	Code string
	Err  error
}

func (e *CodeError) Error() string { return fmt.Sprintf("%s: %v", e.Code, e.Err) }
func (e *CodeError) Unwrap() error { return e.Err }

// invalidSettings is the *valid.Error naming the setting at fault, wrapping ErrInvalidSettings.
func invalidSettings(field, message string) error {
	return valid.New(ErrInvalidSettings, field, message)
}

// Action is a lifecycle action.
type Action string

const (
	ActionSuspend Action = "suspend"
	ActionResume  Action = "resume"
	ActionArchive Action = "archive"
)

// Transition returns the status an action leads to from the current status, or
// ErrInvalidTransition. Archiving is final: data is kept, the tenant never comes back.
func Transition(from Status, action Action) (Status, error) {
	switch {
	case action == ActionSuspend && from == StatusActive:
		return StatusSuspended, nil
	case action == ActionResume && from == StatusSuspended:
		return StatusActive, nil
	case action == ActionArchive && (from == StatusActive || from == StatusSuspended):
		return StatusArchived, nil
	}
	return from, fmt.Errorf("%w: %s from %s", ErrInvalidTransition, action, from)
}

// AllowedActions lists the lifecycle actions possible from a status.
func AllowedActions(from Status) []Action {
	var out []Action
	for _, a := range []Action{ActionSuspend, ActionResume, ActionArchive} {
		if _, err := Transition(from, a); err == nil {
			out = append(out, a)
		}
	}
	return out
}

// UsableByParent reports the error a call by an upper level (the province or city above) for a
// tenant in this status gets. A suspended or archived district stays under its parents'
// oversight: they read its cases, registry and figures (and resume a suspended one through
// the lifecycle, which does not ask this), and every write is refused with the tenant's status.
// The district's own users are refused outright, when they authenticate (Usable).
func UsableByParent(s Status, write bool) error {
	if !write {
		return nil
	}
	return Usable(s)
}

// Usable reports the error a call for a tenant in this status gets, or nil when it is active.
func Usable(s Status) error {
	switch s {
	case StatusActive:
		return nil
	case StatusSuspended:
		return ErrSuspended
	default:
		return ErrArchived
	}
}

// OnboardResult reports what an onboarding created and what existed.
type OnboardResult struct {
	Created          []string // requested codes that are new
	Existing         []string // requested codes that were there already
	CreatedAncestors []string // provinces and cities created on the way
	OfficesCreated   int
}

// Filter selects tenants in a listing.
type Filter struct {
	Level  division.Level
	Status Status
	Parent string
	Within string
	Query  string
	After  string // keyset cursor: the last code of the previous page
	Limit  int
}
