package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

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
func (s *Store) afterCaseChange(ctx context.Context, tx pgx.Tx, before, after *cases.Case) error {
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
	if before != nil && after.Referral != nil && after.Referral.AgencyID != "" && !cases.Concluded(before.Status) &&
		(after.Status == cases.StatusSucceeded || after.Status == cases.StatusFailed || after.Status == cases.StatusGuided) {
		return reportOutcome(ctx, tx, after)
	}
	return nil
}

// ReferringAgency returns an organisation's name and whether it is a partner agency (whatever
// its status); an unknown organisation is no agency.
func (s *Store) ReferringAgency(ctx context.Context, tenantCode, orgID string) (string, bool, error) {
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

// KindReferralFeedback is the inbox and webhook event of an outcome reported to the referrer.
const KindReferralFeedback = "referral.feedback"

var outcomeZH = map[cases.Status]string{cases.StatusSucceeded: "调解成功", cases.StatusFailed: "调解不成", cases.StatusGuided: "不宜调解，已引导至其他途径"}

func reportOutcome(ctx context.Context, tx pgx.Tx, c *cases.Case) error {
	channel, _ := c.Outcome["channel"].(string)
	payload := map[string]any{"event": KindReferralFeedback, "tenant": c.TenantCode, "case_id": c.ID, "number": c.Number,
		"reference": c.Referral.Reference, "outcome": c.Status, "channel": channel}
	if c.Agreement != nil {
		payload["agreement_form"] = c.Agreement.Form
	}
	title := "委托案件办理结果反馈 / Outcome of a referred case"
	body := fmt.Sprintf("案件 %s（贵单位文号 %s）：%s。 / Case %s (your reference %s): %s.", c.Number, c.Referral.Reference, outcomeZH[c.Status],
		c.Number, c.Referral.Reference, c.Status)
	if channel != "" {
		body += " 引导途径 / channel: " + channel
	}
	if err := insertMessage(ctx, tx, c.TenantCode, warnings.Message{Recipient: warnings.OrgRecipient(c.Referral.AgencyID),
		Kind: KindReferralFeedback, Title: title, Body: body, CaseID: c.ID, SourceTenant: c.TenantCode}); err != nil {
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
		c.TenantCode, id, c.Referral.AgencyID, url, KindReferralFeedback, raw); err != nil {
		return err
	}
	return enqueue(ctx, tx, webhookDeliverArgs{Tenant: c.TenantCode, DeliveryID: id}, nil)
}
