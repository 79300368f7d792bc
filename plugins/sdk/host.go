package sdk

import (
	"context"
	"encoding/json"
	"time"
)

// Host is the platform as a plugin sees it during one call: bound to the call's tenant and to
// the permissions the plugin was granted there. A permission not granted is ErrPermission; a
// case of another tenant is ErrNotFound (the plugin cannot see it); the only way across
// tenants is an explicit, audited share. sdktest.HostContract states the behaviour the
// platform and the fake share.
type Host interface {
	// GetCase reads a case of the tenant (cases.read); parties' personal data only with
	// parties true, which needs cases.parties (ErrPermission without it).
	GetCase(ctx context.Context, id string, parties bool) (Case, error)
	// ListCases pages through the tenant's cases, newest first (cases.read).
	ListCases(ctx context.Context, q CaseQuery) (CasePage, error)
	// ListOrganisations lists the tenant's organisations, optionally of one kind (organisations.read).
	ListOrganisations(ctx context.Context, kind string) ([]Organisation, error)
	// ListMediators lists the mediators of an organisation, or of the tenant (organisations.read).
	ListMediators(ctx context.Context, organisationID string) ([]Mediator, error)
	// AddCaseNote adds a note to the case's history (cases.note).
	AddCaseNote(ctx context.Context, caseID, text string, data any) (eventID string, err error)
	// UpdateCaseFields merges fields into the plugin's own fields of the case (cases.fields).
	UpdateCaseFields(ctx context.Context, caseID string, fields map[string]any) (Case, error)
	// LinkAgency links an agency of the tenant to a case as a participant (cases.link): its
	// users gain the "linked" relationship of the access rules.
	LinkAgency(ctx context.Context, caseID, organisationID, reason string) (linkID string, err error)
	// ShareCase shares a case with another tenant or one of its organisations (cases.share).
	ShareCase(ctx context.Context, s Share) (shareID string, err error)
	// RevokeShare revokes a share the plugin made (cases.share).
	RevokeShare(ctx context.Context, caseID, shareID string) error
	// SetJoint marks the case as this tenant's record of a joint mediation with other
	// tenants (cases.joint): their staff gain the "partner" relationship to it. A Joint with
	// an empty ID ends it.
	SetJoint(ctx context.Context, caseID string, j Joint) error
	// Notify sends a message to an inbox (notifications.send).
	Notify(ctx context.Context, n Notification) (messageID string, err error)
	// Stats answers a statistics query, as GET …/stats?query (stats.read).
	Stats(ctx context.Context, query string) (json.RawMessage, error)
	// Documents is the plugin's own store in this tenant (always granted).
	Documents() Documents
}

// CaseQuery filters ListCases.
type CaseQuery struct {
	Status      string
	CommitteeID string
	After       string // the Next of the previous page
	Limit       int    // at most 200; 0: 50
}

// CasePage is a page of cases.
type CasePage struct {
	Cases []Case
	Next  string // "" on the last page
}

// Organisation is an organisation of the tenant (committee, studio, agency…).
type Organisation struct {
	ID     string `json:"id"`
	Kind   string `json:"kind"`
	Name   string `json:"name"`
	Status string `json:"status"`
	Code   string `json:"code,omitempty"`
}

// Mediator is a mediator of an organisation.
type Mediator struct {
	ID             string `json:"id"`
	Name           string `json:"name"`
	OrganisationID string `json:"organisation_id"`
	Status         string `json:"status,omitempty"`
}

// Share shares a case with a partner tenant (joint mediation) or one of its organisations.
type Share struct {
	CaseID                string
	GranteeTenant         string
	GranteeOrganisationID string
	Scope                 string // summary or parties
	ExpiresAt             time.Time
	Reason                string
}

// Joint is a joint mediation (e.g. cross-provincial border mediation): its id, shared by every
// participant's record, the leading tenant, and every participant (the lead and this tenant
// included).
type Joint struct {
	ID      string
	Lead    string
	Tenants []string
}

// Notification is a message to an inbox.
type Notification struct {
	Recipient string // "org:<id>", "user:<id>", or "tenant" (the tenant's staff)
	Title     string
	Body      string
	CaseID    string
	Kind      string // the plugin's own kind, e.g. "linkage.task"
}

// Documents is a plugin's JSON document store in one tenant: documents by kind and id, under
// the same row-level security as the tenant's cases.
type Documents interface {
	// Put writes a document; with ifVersion > 0 only over that version (ErrConflict otherwise).
	Put(ctx context.Context, d Document, ifVersion int64) (Document, error)
	// Create writes a document only if none with its kind and id exists (ErrExists
	// otherwise): the atomic "first time?" of an event handler deduplicating redeliveries.
	Create(ctx context.Context, d Document) (Document, error)
	// Get reads a document (ErrNotFound).
	Get(ctx context.Context, kind, id string) (Document, error)
	// List pages through a kind's documents in id order.
	List(ctx context.Context, kind, after string, limit int) (docs []Document, next string, err error)
	// Delete removes a document; false when there was none.
	Delete(ctx context.Context, kind, id string) (bool, error)
}

// Document is one JSON document of the plugin's store.
type Document struct {
	Kind      string
	ID        string
	Data      json.RawMessage
	Version   int64
	UpdatedAt time.Time
}
