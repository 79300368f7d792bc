package warnings

import (
	"fmt"

	"github.com/fengqiao/fengqiao/core/cases"
)

// Kinds of inbox message (and webhook event) that are not warnings.
const (
	// KindReferralFeedback is the outcome of a referred case reported to the referrer.
	KindReferralFeedback = "referral.feedback"
	// KindFollowUpDue is the message of a follow-up visit that has come due (回访提醒).
	KindFollowUpDue = "follow_up.due"
)

var outcomeZH = map[cases.Status]string{cases.StatusSucceeded: "调解成功", cases.StatusFailed: "调解不成", cases.StatusGuided: "不宜调解，已引导至其他途径"}

// OutcomeFeedback is what the referring agency of c is told when the case reaches its outcome
// (cases.ReportsOutcome): the title and body of its inbox message and the payload of its
// webhook. It carries the case number, the outcome and the channel — no party data.
func OutcomeFeedback(c *cases.Case) (title, body string, payload map[string]any) {
	channel, _ := c.Outcome["channel"].(string)
	payload = map[string]any{"event": KindReferralFeedback, "tenant": c.TenantCode, "case_id": c.ID, "number": c.Number,
		"reference": c.Referral.Reference, "outcome": c.Status, "channel": channel}
	if c.Agreement != nil {
		payload["agreement_form"] = c.Agreement.Form
	}
	title = "委托案件办理结果反馈 / Outcome of a referred case"
	body = fmt.Sprintf("案件 %s（贵单位文号 %s）：%s。 / Case %s (your reference %s): %s.", c.Number, c.Referral.Reference, outcomeZH[c.Status],
		c.Number, c.Referral.Reference, c.Status)
	if channel != "" {
		body += " 引导途径 / channel: " + channel
	}
	return title, body, payload
}

// FollowUpDueMessage is the title and body of the reminder of a follow-up due on case number.
func FollowUpDueMessage(number string) (title, body string) {
	return "回访到期：案件 " + number + " / Follow-up due: case " + number,
		fmt.Sprintf("请对案件 %s 进行回访并记录结果（操作 \"follow_up\"）。 / Visit or call the parties of case %s and record the result (action follow_up).", number, number)
}
