package authz

import (
	"time"

	"github.com/fengqiao/fengqiao/core/access"
	"github.com/fengqiao/fengqiao/core/division"
)

// The decisions of requests about cases, in one place: the API edge makes them for its
// callers, the plugin host for the user a plugin's route acts for, so that a plugin can never
// show or change more than its user could through the API.

// Decider answers the rules' questions (an *Authorizer, or a test's wrapper of one).
type Decider interface {
	AllowedRelationships(r Request, rels []string) ([]string, error)
}

// CaseVerdict is the outcome of a request about one case.
type CaseVerdict int

const (
	// CaseAllowed: a rule allows the action for one of the principal's relationships.
	CaseAllowed CaseVerdict = iota
	// CaseHidden: the principal has no relationship to the case, or may not even read it: for
	// it the case does not exist.
	CaseHidden
	// CaseForbidden: it may read the case, not take this action.
	CaseForbidden
)

// CaseDecision is a verdict with what it was computed from, for further questions about the
// same case (AllowedOnCase).
type CaseDecision struct {
	Verdict CaseVerdict
	// Rels are every relationship of the principal to the case, closest first.
	Rels []string
	// RoleTenant is where its roles were looked up: the case's tenant when it lies in the
	// principal's subtree, its home tenant otherwise (a share, a joint mediation).
	RoleTenant string
}

// DecideCase decides obj:act on a case of tenant dom, whose facts are given, for p at now.
func DecideCase(a Decider, p access.Principal, dom string, facts access.Case, obj, act string, now time.Time) (CaseDecision, error) {
	d := CaseDecision{Rels: access.Relationships(p, facts, now), RoleTenant: dom}
	if !division.Contains(p.Tenant, dom) {
		d.RoleTenant = p.Tenant
	}
	if len(d.Rels) == 0 {
		d.Verdict = CaseHidden
		return d, nil
	}
	ok, err := AllowedOnCase(a, p, dom, d, obj, act)
	if err != nil || ok {
		return d, err
	}
	// A case the principal may not even read does not exist for it.
	readable, err := AllowedOnCase(a, p, dom, d, ObjCases, ActRead)
	if err != nil {
		return d, err
	}
	d.Verdict = CaseForbidden
	if !readable {
		d.Verdict = CaseHidden
	}
	return d, nil
}

// AllowedOnCase tells whether p may also do obj:act on the case d was decided on (the parties'
// personal data of a case it reads, say).
func AllowedOnCase(a Decider, p access.Principal, dom string, d CaseDecision, obj, act string) (bool, error) {
	allowed, err := a.AllowedRelationships(Request{Sub: p.Subject, RoleTenant: d.RoleTenant, Tenant: dom, Obj: obj, Act: act}, d.Rels)
	return len(allowed) > 0, err
}

// ListScope is what a list of cases of tenant dom (or of what hangs off them) may show p at
// now: the relationships for which the rules allow obj:act; nil when there is none (the list
// is refused).
func ListScope(a Decider, p access.Principal, dom, obj, act string, now time.Time) (*access.Scope, error) {
	rels, err := a.AllowedRelationships(Request{Sub: p.Subject, RoleTenant: dom, Tenant: dom, Obj: obj, Act: act}, access.CaseRelationships())
	if err != nil || len(rels) == 0 {
		return nil, err
	}
	return &access.Scope{Principal: p, Rels: rels, Now: now}, nil
}
