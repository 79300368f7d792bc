// Package access owns the relationships of a principal to a case: the per-case facts the
// authorization rules are written against ("the referring agency may confirm", "a share
// grantee may read the summary"). Rules name a relationship; they never name a case. This
// package computes the relationships from the facts (Relationships, the specification); the
// store computes the same relationships in SQL for lists (store/access.go), and a property test
// holds the two to the same answers.
//
// It knows no storage, no HTTP and no Casbin.
package access

import (
	"slices"
	"time"

	"github.com/fengqiao/fengqiao/core/division"
)

// Relationship names how a principal stands to a case (or, for requests about no particular
// case, to the tenant acted in).
type Relationship = string

// Relationships, from the closest to the farthest.
const (
	// Owner: staff of the case's tenant (a user or token of the bureau, not of an
	// organisation).
	Owner Relationship = "owner"
	// Committee: a user or token of the mediation committee the case is assigned to.
	Committee Relationship = "committee"
	// Mediator: a user assigned to the case as one of its mediators: the user account of a
	// registry mediator the case is assigned to, or a user linked to the case directly.
	Mediator Relationship = "mediator"
	// Referrer: a user or token of the agency that referred the case (诉调对接, 警调对接…).
	Referrer Relationship = "referrer"
	// Linked: a user or token of an agency linked to the case (a warning addressed to it,
	// joint handling, a regional linkage).
	Linked Relationship = "linked"
	// Grantee: covered by an active share of the case (its tenant, or its organisation).
	Grantee Relationship = "grantee"
	// GranteeParties: covered by an active share whose scope includes the parties.
	GranteeParties Relationship = "grantee_parties"
	// Partner: staff of another tenant taking part in the case's joint mediation (联合调解).
	Partner Relationship = "partner"
	// Escalated: staff of an upper-level bureau a warning of the case was escalated to.
	Escalated Relationship = "escalated"
	// Ancestor: staff of an upper-level bureau of the case's tenant.
	Ancestor Relationship = "ancestor"
	// Member: a user or token of an organisation of the case's tenant (whatever its other ties
	// to the case).
	Member Relationship = "member"
	// None is the relationship of a request about no particular case (a tenant's settings,
	// users…): only rules written for any relationship ("*") apply.
	None Relationship = "none"
	// Any, in a rule, matches every relationship.
	Any = "*"
)

// CaseRelationships lists every relationship a principal can have to a case, closest first.
func CaseRelationships() []Relationship {
	return []Relationship{Owner, Committee, Mediator, Referrer, Linked, Grantee, GranteeParties, Partner, Escalated, Ancestor, Member}
}

// IsRelationship tells whether r names a relationship a rule may be written for.
func IsRelationship(r string) bool {
	return r == None || slices.Contains(CaseRelationships(), r)
}

// Principal is who asks, as far as relationships go.
type Principal struct {
	Subject string // user:<id> or token:<id>
	Kind    string // "user" or "token"
	ID      string
	Tenant  string // home tenant
	Org     string // organisation of the home tenant the principal works for, or ""
}

// Share is one share of a case, as relationships need it.
type Share struct {
	GranteeTenant string
	GranteeOrg    string // "" for every user of the grantee tenant
	Scope         string // ScopeSummary or ScopeParties
	ExpiresAt     time.Time
	Revoked       bool
}

// Scopes of a share.
const (
	ScopeSummary = "summary"
	ScopeParties = "parties"
)

// Active tells whether the share covers a request at now.
func (s Share) Active(now time.Time) bool { return !s.Revoked && now.Before(s.ExpiresAt) }

// Case is the facts of one case relationships are computed from.
type Case struct {
	Tenant         string
	CommitteeID    string
	ReferralAgency string   // organisation id of the referring agency, or ""
	LinkedOrgs     []string // organisations linked to the case
	LinkedUsers    []string // users assigned as its mediators: linked directly, or the accounts of its registry mediators
	JointTenants   []string // participants of its joint mediation, the lead included
	EscalatedTo    []string // tenants its warnings were escalated to
	Shares         []Share
}

// TenantRelationship is how p stands to a tenant as a whole: Owner (its staff), Member (a user
// of one of its organisations), Ancestor (staff of a bureau above it), or "" (none).
func TenantRelationship(p Principal, code string) Relationship {
	switch {
	case p.Tenant == code && p.Org == "":
		return Owner
	case p.Tenant == code:
		return Member
	case p.Org == "" && p.Tenant != code && division.Contains(p.Tenant, code):
		return Ancestor
	}
	return ""
}

// Relationships returns every relationship p has to c at now, closest first (the order of
// CaseRelationships); none is an empty list.
func Relationships(p Principal, c Case, now time.Time) []Relationship {
	var out []Relationship
	add := func(r Relationship, ok bool) {
		if ok {
			out = append(out, r)
		}
	}
	tr := TenantRelationship(p, c.Tenant)
	org := p.Org != ""
	add(Owner, tr == Owner)
	add(Committee, org && p.Tenant == c.Tenant && p.Org == c.CommitteeID)
	add(Mediator, p.Kind == "user" && p.Tenant == c.Tenant && slices.Contains(c.LinkedUsers, p.ID))
	add(Referrer, org && p.Tenant == c.Tenant && p.Org == c.ReferralAgency)
	add(Linked, org && p.Tenant == c.Tenant && slices.Contains(c.LinkedOrgs, p.Org))
	var grantee, parties bool
	for _, s := range c.Shares {
		if s.Active(now) && s.GranteeTenant == p.Tenant && (s.GranteeOrg == "" || s.GranteeOrg == p.Org) {
			grantee = true
			parties = parties || s.Scope == ScopeParties
		}
	}
	add(Grantee, grantee)
	add(GranteeParties, parties)
	add(Partner, p.Org == "" && p.Tenant != c.Tenant && slices.Contains(c.JointTenants, p.Tenant))
	add(Escalated, tr == Ancestor && slices.Contains(c.EscalatedTo, p.Tenant))
	add(Ancestor, tr == Ancestor)
	add(Member, tr == Member)
	return out
}

// SummaryOnly tells whether a principal with the relationships rels to a case, of which read are
// those the rules let it read the case by, sees only the case's summary (no party identity): it
// reads the case through a share alone, and no share of scope "parties" covers it.
func SummaryOnly(rels, read []Relationship) bool {
	if len(read) == 0 || slices.Contains(rels, GranteeParties) {
		return false
	}
	for _, r := range read {
		if r != Grantee {
			return false
		}
	}
	return true
}

// Scope is what a list may show a principal: the cases to which it stands in one of Rels
// (those the rules allow for the list's action, see authz.AllowedRelationships) at Now.
type Scope struct {
	Principal Principal
	Rels      []Relationship
	Now       time.Time
}
