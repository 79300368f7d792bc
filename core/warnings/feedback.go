package warnings

import (
	"fmt"

	"github.com/fengqiao/fengqiao/core/cases"
	"github.com/fengqiao/fengqiao/core/division"
)

// Kinds of inbox message (and webhook event) that are not warnings.
const (
	// KindReferralFeedback is the outcome of a referred case reported to the referrer.
	KindReferralFeedback = "referral.feedback"
	// KindFollowUpDue is the message of a follow-up visit that has come due (回访提醒).
	KindFollowUpDue = "follow_up.due"
	// KindConfirmedReopened tells a confirming court that a case whose agreement it confirmed
	// (司法确认) was reopened.
	KindConfirmedReopened = "confirmation.reopened"
	// KindTransferProposed and KindTransferDecided are the messages of a transfer of a case
	// between two districts: proposed to the receiving district, decided to the proposing one.
	KindTransferProposed = "transfer.proposed"
	KindTransferDecided  = "transfer.decided"
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

// ConfirmedReopened is the title and body of the message telling the court that confirmed the
// agreement of c (cf) that the case was reopened, with the reason given. No party data.
func ConfirmedReopened(c *cases.Case, cf *cases.Confirmation, reason string) (title, body string) {
	title = "已司法确认的案件重新调解：" + c.Number + " / A judicially confirmed case was reopened: " + c.Number
	body = fmt.Sprintf("贵院确认的调解协议（案件 %s，确认文书 %s，%s）所涉案件已重新进入调解。原因：%s / The case %s, whose agreement your court confirmed (%s, %s), was reopened for mediation. Reason: %s",
		c.Number, cf.Reference, cf.Date, reason, c.Number, cf.Reference, cf.Date, reason)
	return title, body
}

// districtName names a district in a message ("普陀区"), or gives its code when unknown.
func districtName(code string) string {
	if d, err := division.Lookup(code); err == nil {
		return d.Name
	}
	return code
}

// TransferProposed is the message telling the receiving district of a proposed transfer.
func TransferProposed(t cases.Transfer) (title, body string) {
	from := districtName(t.From)
	title = from + "提出移交案件：" + t.Number + " / Transfer of a case proposed: " + t.Number
	body = fmt.Sprintf("%s提出将案件 %s（%s）移交本区县办理，原因：%s。请接收或拒绝。 / %s proposes to transfer case %s (%s) to your district: %s. Accept or decline it.",
		from, t.Number, t.Title, t.Reason, t.From, t.Number, t.Title, t.Reason)
	return title, body
}

// TransferDecided is the message telling the proposing district the receiving one's decision.
func TransferDecided(t cases.Transfer) (title, body string) {
	to := districtName(t.To)
	if t.Status == cases.TransferAccepted {
		return to + "已接收移交的案件：" + t.Number + " / Transfer accepted: " + t.Number,
			fmt.Sprintf("%s已接收案件 %s，新编号 %s；本区县的记录转为只读。 / %s accepted case %s as %s; your record of it is now read-only.",
				to, t.Number, t.NewNumber, t.To, t.Number, t.NewNumber)
	}
	return to + "拒绝接收移交的案件：" + t.Number + " / Transfer declined: " + t.Number,
		fmt.Sprintf("%s拒绝接收案件 %s，原因：%s；案件仍由本区县办理。 / %s declined case %s: %s; it stays with your district.",
			to, t.Number, t.DecisionReason, t.To, t.Number, t.DecisionReason)
}
