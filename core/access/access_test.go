package access

import (
	"slices"
	"testing"
	"time"
)

func TestRelationships(t *testing.T) {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	const court, police, committee, user, confirming = "org-court", "org-police", "org-committee", "u-1", "org-court-2"
	c := Case{Tenant: "310107", CommitteeID: committee, ReferralAgency: court, ConfirmingCourt: confirming, LinkedOrgs: []string{police}, LinkedUsers: []string{user},
		JointTenants: []string{"310107", "310118"}, EscalatedTo: []string{"310100"},
		Shares: []Share{
			{GranteeTenant: "370104", Scope: ScopeParties, ExpiresAt: now.Add(time.Hour)},
			{GranteeTenant: "310107", GranteeOrg: police, Scope: ScopeSummary, ExpiresAt: now.Add(time.Hour)},
			{GranteeTenant: "320509", Scope: ScopeSummary, ExpiresAt: now.Add(-time.Hour)},               // expired
			{GranteeTenant: "330421", Scope: ScopeSummary, ExpiresAt: now.Add(time.Hour), Revoked: true}, // revoked
		}}
	for _, tt := range []struct {
		name string
		p    Principal
		want []Relationship
	}{
		{"staff of the tenant", Principal{Kind: "user", ID: "s", Tenant: "310107"}, []Relationship{Owner}},
		{"the assigned mediator", Principal{Kind: "user", ID: user, Tenant: "310107", Org: committee}, []Relationship{Committee, Mediator, Member}},
		{"a token with the mediator's id is no mediator", Principal{Kind: "token", ID: user, Tenant: "310107", Org: committee}, []Relationship{Committee, Member}},
		{"the referring court", Principal{Kind: "user", ID: "c", Tenant: "310107", Org: court}, []Relationship{Referrer, Member}},
		{"the linked police, shared with too", Principal{Kind: "token", ID: "p", Tenant: "310107", Org: police}, []Relationship{Linked, Grantee, Member}},
		{"the confirming court", Principal{Kind: "user", ID: "cc", Tenant: "310107", Org: confirming}, []Relationship{ConfirmingCourt, Member}},
		{"a court of another tenant with the confirming court's id", Principal{Kind: "user", ID: "cc", Tenant: "310118", Org: confirming}, nil},
		{"another agency of the tenant", Principal{Kind: "user", ID: "x", Tenant: "310107", Org: "org-other"}, []Relationship{Member}},
		{"a tenant shared with, parties included", Principal{Kind: "user", ID: "h", Tenant: "370104"}, []Relationship{Grantee, GranteeParties}},
		{"an expired share", Principal{Kind: "user", ID: "w", Tenant: "320509"}, nil},
		{"a revoked share", Principal{Kind: "user", ID: "j", Tenant: "330421"}, nil},
		{"a joint partner", Principal{Kind: "user", ID: "q", Tenant: "310118"}, []Relationship{Partner}},
		{"an agency of a joint partner is no partner", Principal{Kind: "user", ID: "q", Tenant: "310118", Org: "org-qp"}, nil},
		{"the city a warning was escalated to", Principal{Kind: "user", ID: "city", Tenant: "310100"}, []Relationship{Escalated, Ancestor}},
		{"the province", Principal{Kind: "user", ID: "prov", Tenant: "310000"}, []Relationship{Ancestor}},
		{"another district", Principal{Kind: "user", ID: "o", Tenant: "370105"}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := Relationships(tt.p, c, now); !slices.Equal(got, tt.want) {
				t.Fatalf("Relationships = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSummaryOnly(t *testing.T) {
	for _, tt := range []struct {
		name       string
		rels, read []Relationship
		want       bool
	}{
		{"a summary share alone", []Relationship{Grantee}, []Relationship{Grantee}, true},
		{"a summary share, and a member of the tenant", []Relationship{Grantee, Member}, []Relationship{Grantee}, true},
		{"a parties share", []Relationship{Grantee, GranteeParties}, []Relationship{Grantee}, false},
		{"a summary share to a referrer", []Relationship{Referrer, Grantee}, []Relationship{Referrer, Grantee}, false},
		{"staff", []Relationship{Owner, Grantee}, []Relationship{Owner, Grantee}, false},
		{"no read at all", []Relationship{Grantee}, nil, false},
	} {
		if got := SummaryOnly(tt.rels, tt.read); got != tt.want {
			t.Errorf("%s: SummaryOnly = %v, want %v", tt.name, got, tt.want)
		}
	}
}
