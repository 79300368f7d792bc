package warnings

import (
	"context"
	"strings"
	"time"

	"github.com/fengqiao/fengqiao/core/access"
	"github.com/fengqiao/fengqiao/core/cases"
	"github.com/fengqiao/fengqiao/core/orgs"
	"github.com/google/uuid"
)

// Repo is the storage the warning service needs. Warnings themselves are raised by the store
// in the transaction of the case change that causes them (with their notification and
// escalation jobs), not through this interface.
type Repo interface {
	// Warnings lists a tenant's warnings, newest first, with their case numbers.
	Warnings(ctx context.Context, tenantCode string, f Filter) ([]Warning, error)
	// CountWarnings counts a tenant's warnings by state and level, of the cases scope allows
	// when it is set.
	CountWarnings(ctx context.Context, tenantCode string, scope *access.Scope) (Counts, error)
	// AcknowledgeWarning records the acknowledgement (ErrNotFound, ErrAlreadyAcknowledged) and audits it.
	AcknowledgeWarning(ctx context.Context, tenantCode, id, by, note string, now time.Time) (Warning, error)
	// WarningSettings returns the tenant's settings, DefaultSettings when never set.
	WarningSettings(ctx context.Context, tenantCode string) (Settings, error)
	// UpdateWarningSettings calls check with a lookup of the tenant's organisations (locked
	// until the transaction ends), then stores the settings and audits the change.
	UpdateWarningSettings(ctx context.Context, s Settings, check func(orgs.OrgLookup) error) (Settings, error)
	// Inbox lists the messages of the tenant to recipients (and, when recipients include the
	// tenant, to the tenant's organisations), each read or not by reader (a subject).
	Inbox(ctx context.Context, tenantCode, reader string, recipients []string, f InboxFilter) ([]Message, error)
	// MarkInboxRead marks one of those messages read for reader alone (once; again is a no-op):
	// ErrMessageNotFound.
	MarkInboxRead(ctx context.Context, tenantCode, reader string, recipients []string, id string, now time.Time) (Message, error)
	// WebhookSecret returns the organisation's secret, created with generate on first use, and
	// audits the read. An unknown organisation is an *orgs.NotFoundError.
	WebhookSecret(ctx context.Context, tenantCode, orgID string, generate func() ([]byte, error)) (Secret, error)
}

// Service runs the warning use cases.
type Service struct {
	repo Repo
	now  func() time.Time
}

// NewService returns a warning service.
func NewService(repo Repo) *Service { return &Service{repo: repo, now: time.Now} }

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.now() }

func isUUID(id string) bool { return len(id) == 36 && uuid.Validate(id) == nil }

// List returns a tenant's warnings.
func (s *Service) List(ctx context.Context, tenantCode string, f Filter) ([]Warning, error) {
	var v errs
	if f.Level != "" && f.Level != cases.RiskOrange && f.Level != cases.RiskRed {
		v.Add("level", "预警等级须为 \"orange\"（橙色）或 \"red\"（红色） / level must be orange or red")
	}
	switch f.State {
	case "", StateOpen, StateAcknowledged, StateEscalated:
	default:
		v.Add("state", "state 须为 open（待签收）、acknowledged（已签收）或 escalated（已报送上级） / state must be open, acknowledged or escalated")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return s.repo.Warnings(ctx, tenantCode, f)
}

// Counts counts a tenant's open (to acknowledge) and escalated warnings by level, of the cases
// scope allows when it is set: what the queues hold, without loading them.
func (s *Service) Counts(ctx context.Context, tenantCode string, scope *access.Scope) (Counts, error) {
	return s.repo.CountWarnings(ctx, tenantCode, scope)
}

// Acknowledge records that by (a principal's subject) took charge of a warning (签收).
func (s *Service) Acknowledge(ctx context.Context, tenantCode, id, by, note string) (Warning, error) {
	if !isUUID(id) {
		return Warning{}, ErrNotFound
	}
	note = strings.TrimSpace(note)
	if runes(note) > MaxAckNote {
		var v errs
		v.Add("note", "签收说明最多 %d 字 / note must be at most %d characters", MaxAckNote, MaxAckNote)
		return Warning{}, v.Err()
	}
	return s.repo.AcknowledgeWarning(ctx, tenantCode, id, by, note, s.now())
}

// Settings returns a tenant's warning settings.
func (s *Service) Settings(ctx context.Context, tenantCode string) (Settings, error) {
	return s.repo.WarningSettings(ctx, tenantCode)
}

// UpdateSettings replaces a tenant's warning settings. Hours out of range are refused, never
// replaced (a caller that omits them passes the defaults).
func (s *Service) UpdateSettings(ctx context.Context, in Settings) (Settings, error) {
	in.PoliceOrgID, in.GovernmentOrgID = strings.TrimSpace(in.PoliceOrgID), strings.TrimSpace(in.GovernmentOrgID)
	return s.repo.UpdateWarningSettings(ctx, in, func(lookup orgs.OrgLookup) error { return CheckSettings(in, lookup) })
}

// Inbox lists the messages the reader sees in the tenant's inbox.
func (s *Service) Inbox(ctx context.Context, tenantCode string, r Reader, f InboxFilter) ([]Message, error) {
	if r.TenantCode != tenantCode {
		return nil, ErrNotYourInbox
	}
	rcpt := r.Recipients()
	if len(rcpt) == 0 {
		return nil, nil
	}
	return s.repo.Inbox(ctx, tenantCode, r.Subject, rcpt, f)
}

// MarkRead marks a message of the reader's inbox read.
func (s *Service) MarkRead(ctx context.Context, tenantCode string, r Reader, id string) (Message, error) {
	if r.TenantCode != tenantCode {
		return Message{}, ErrNotYourInbox
	}
	rcpt := r.Recipients()
	if !isUUID(id) || len(rcpt) == 0 {
		return Message{}, ErrMessageNotFound
	}
	return s.repo.MarkInboxRead(ctx, tenantCode, r.Subject, rcpt, id, s.now())
}

// WebhookSecret returns the signing secret of an organisation's webhook, created on first use.
func (s *Service) WebhookSecret(ctx context.Context, tenantCode, orgID string) (Secret, error) {
	if !isUUID(orgID) {
		return Secret{}, &orgs.NotFoundError{Resource: orgs.ResourceOrganisation}
	}
	return s.repo.WebhookSecret(ctx, tenantCode, orgID, NewSecret)
}
