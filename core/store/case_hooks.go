package store

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/fengqiao/fengqiao/core/cases"
	"github.com/fengqiao/fengqiao/core/orgs"
	"github.com/fengqiao/fengqiao/core/warnings"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// afterCaseChange runs inside the transaction of every case change (before is nil for a new
// case): the statistics apply the change's difference here, and the early-warning dispatch hooks in here, so a warning and its notifications are
// committed with the change that caused them, or not at all. A change that brings the case to
// orange or red, higher than it was, raises a warning with its notification and its
// escalation at the deadline (jobs of the queue, inserted in tx).
//
// A referred case reaching its outcome reports back to the referring agency (诉调对接 feedback):
// a message in the agency's inbox and, when it registered one, a signed webhook delivery. The
// report carries the case number, the outcome and the channel — no party data.
func (s *CaseDB) afterCaseChange(ctx context.Context, tx pgx.Tx, before, after *cases.Case) error {
	if err := maintainStats(ctx, tx, after.TenantCode, before, after); err != nil {
		return err
	}
	if err := indexCase(ctx, tx, before, after); err != nil { // search documents: search.go
		return err
	}
	if err := enqueuePluginEvents(ctx, tx, before, after); err != nil {
		return err
	}
	if warnings.Raises(before, after) {
		if err := raiseWarning(ctx, tx, after); err != nil {
			return err
		}
	}
	if cases.ReportsOutcome(before, after) {
		return reportOutcome(ctx, tx, after)
	}
	return nil
}

// ReferringAgency returns an organisation's name and whether it is a partner agency (whatever
// its status); an unknown organisation is no agency.
func (s *CaseDB) ReferringAgency(ctx context.Context, tenantCode, orgID string) (string, bool, error) {
	var name string
	var agency bool
	err := s.inTenant(ctx, tenantCode, func(tx pgx.Tx) error {
		var kinds []string
		for _, k := range orgs.AgencyKinds() {
			kinds = append(kinds, string(k))
		}
		err := tx.QueryRow(ctx, `SELECT name, kind = ANY($3) FROM organisations WHERE tenant_id = $1 AND id::text = $2`,
			tenantCode, orgID, kinds).Scan(&name, &agency)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		return err
	})
	return name, agency, err
}

// checkAgency verifies that id is an active partner agency of the tenant.
func checkAgency(ctx context.Context, tx pgx.Tx, tenantCode, id string) error {
	var kinds []string
	for _, k := range orgs.AgencyKinds() {
		kinds = append(kinds, string(k))
	}
	var ok bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM organisations WHERE tenant_id = $1 AND id::text = $2
		AND status = 'active' AND kind = ANY($3))`, tenantCode, id, kinds).Scan(&ok); err != nil {
		return err
	}
	if !ok {
		return &cases.ReferralAgencyError{ID: id}
	}
	return nil
}

// reportOutcome tells the referring agency of c its outcome (warnings.OutcomeFeedback): a message
// in its inbox and, when it registered one, a signed webhook delivery.
func reportOutcome(ctx context.Context, tx pgx.Tx, c *cases.Case) error {
	title, body, payload := warnings.OutcomeFeedback(c)
	if err := insertMessage(ctx, tx, c.TenantCode, warnings.Message{Recipient: warnings.OrgRecipient(c.Referral.AgencyID),
		Kind: warnings.KindReferralFeedback, Title: title, Body: body, CaseID: c.ID, SourceTenant: c.TenantCode}); err != nil {
		return err
	}
	var url string
	if err := tx.QueryRow(ctx, `SELECT webhook_url FROM organisations WHERE tenant_id = $1 AND id::text = $2`, c.TenantCode, c.Referral.AgencyID).Scan(&url); err != nil || url == "" {
		return nil // the agency reads its inbox
	}
	raw, err := json.Marshal(payload)
	if err != nil {
		return err
	}
	id := uuid.NewString()
	if _, err := tx.Exec(ctx, `INSERT INTO webhook_deliveries (tenant_id, id, org_id, url, event, payload) VALUES ($1, $2, $3, $4, $5, $6)`,
		c.TenantCode, id, c.Referral.AgencyID, url, warnings.KindReferralFeedback, raw); err != nil {
		return err
	}
	return enqueue(ctx, tx, WebhookDeliverArgs{Tenant: c.TenantCode, DeliveryID: id}, nil)
}

// notifyConfirmingCourt tells the court that confirmed c's agreement (confirmed, as it was
// before the change) that the case was reopened, and why (warnings.ConfirmedReopened): a message
// in the court's inbox, no party data.
func notifyConfirmingCourt(ctx context.Context, tx pgx.Tx, c *cases.Case, confirmed *cases.Confirmation, reason string) error {
	if confirmed == nil || confirmed.CourtID == "" {
		return nil // confirmed before courts were registry organisations: nobody to address
	}
	title, body := warnings.ConfirmedReopened(c, confirmed, reason)
	return insertMessage(ctx, tx, c.TenantCode, warnings.Message{Recipient: warnings.OrgRecipient(confirmed.CourtID),
		Kind: warnings.KindConfirmedReopened, Title: title, Body: body, CaseID: c.ID, SourceTenant: c.TenantCode})
}
