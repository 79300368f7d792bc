package cases

import (
	"math"
	"strings"
	"time"
)

// Performance is what became of an agreement (履行情况), as practitioners report it.
type Performance string

const (
	PerformancePerformed Performance = "performed"        // 履行完毕
	PerformancePartly    Performance = "partly_performed" // 部分履行：尚余部分，限期履行
	PerformanceNot       Performance = "not_performed"    // 未履行
	PerformanceRecanted  Performance = "recanted"         // 反悔：一方当事人不认可协议
)

// PerformanceRecord is one report of an agreement's performance. A case keeps every record;
// the latest is its current performance (Case.Performance).
type PerformanceRecord struct {
	ID     string      `json:"id"`
	Result Performance `json:"result"`
	// Date is the day the performance was found or the party recanted (YYYY-MM-DD, China).
	Date string `json:"date"`
	// What is left of a partly performed agreement: an amount (yuan) and/or a text, and by when.
	RemainingAmount float64 `json:"remaining_amount,omitempty"`
	Remaining       string  `json:"remaining,omitempty"`
	RemainingDue    string  `json:"remaining_due,omitempty"`
	// PartyID is the party who recanted (反悔的当事人).
	PartyID    string    `json:"party_id,omitempty"`
	Reason     string    `json:"reason,omitempty"`
	FollowUpID string    `json:"follow_up_id,omitempty"` // the follow-up that found it, if any
	RecordedAt time.Time `json:"recorded_at"`
	RecordedBy string    `json:"recorded_by,omitempty"`
	// RecordedByName names RecordedBy for people (a user's display name; set by the API).
	RecordedByName string `json:"recorded_by_name,omitempty"`
}

// PerformanceInput is the detail of a performance report in an action's body.
type PerformanceInput struct {
	Date            string  `json:"date,omitempty"`
	RemainingAmount float64 `json:"remaining_amount,omitempty"`
	Remaining       string  `json:"remaining,omitempty"`
	RemainingDue    string  `json:"remaining_due,omitempty"`
	PartyID         string  `json:"party_id,omitempty"`
}

// performanceResults are the results record_performed accepts (a recant is its own action).
var performanceResults = []Performance{PerformancePerformed, PerformancePartly, PerformanceNot}

// china is the calendar of dates the parties and staff speak of.
var china = time.FixedZone("CST", 8*3600)

// planPerformance checks a performance report of result on case c and returns the record it
// makes (without ID and recorder). field prefixes the detail fields (e.g. "performance.").
func planPerformance(c Case, result Performance, in *PerformanceInput, reason, followUpID string, now time.Time, v *errs) *PerformanceRecord {
	var p PerformanceInput
	if in != nil {
		p = *in
	}
	today := now.In(china).Format("2006-01-02")
	r := &PerformanceRecord{Result: result, Date: strings.TrimSpace(p.Date), Reason: reason, FollowUpID: followUpID, RecordedAt: now}
	if r.Date == "" {
		r.Date = today
	}
	if d, err := time.Parse("2006-01-02", r.Date); err != nil {
		v.Add("performance.date", "日期格式为 YYYY-MM-DD，如 2026-01-31 / performance.date must be a date YYYY-MM-DD, e.g. 2026-01-31")
	} else if r.Date > today {
		v.Add("performance.date", "日期不能晚于今天 / performance.date must not be in the future")
	} else if c.Agreement != nil && !c.Agreement.Signed.IsZero() && d.Format("2006-01-02") < c.Agreement.Signed.In(china).Format("2006-01-02") {
		v.Add("performance.date", "日期不能早于协议签订日（%s） / performance.date must not be before the agreement was signed (%s)",
			c.Agreement.Signed.In(china).Format("2006-01-02"), c.Agreement.Signed.In(china).Format("2006-01-02"))
	}
	remaining := strings.TrimSpace(p.Remaining)
	due := strings.TrimSpace(p.RemainingDue)
	if result == PerformancePartly {
		if p.RemainingAmount <= 0 && remaining == "" {
			v.Add("performance.remaining", "部分履行须写明尚未履行的部分（金额或内容） / partly_performed needs what is left: performance.remaining_amount and/or performance.remaining")
		}
		if p.RemainingAmount < 0 || p.RemainingAmount > 1e12 || math.IsNaN(p.RemainingAmount) {
			v.Add("performance.remaining_amount", "金额须为 0 至 1 万亿元 / performance.remaining_amount must be between 0 and 1,000,000,000,000")
		} else if total := agreedAmount(c.Agreement); total > 0 && p.RemainingAmount > total {
			v.Add("performance.remaining_amount", "尚余金额不能超过协议金额（%.2f 元） / performance.remaining_amount must not exceed the agreed amount (%.2f yuan)", total, total)
		}
		if runes(remaining) > 2000 {
			v.Add("performance.remaining", "最多 2000 字 / performance.remaining must be at most 2000 characters")
		}
		if due == "" {
			v.Add("performance.remaining_due", "部分履行须写明剩余部分的履行期限 / partly_performed needs performance.remaining_due, the date by which the rest is due")
		} else if _, err := time.Parse("2006-01-02", due); err != nil {
			v.Add("performance.remaining_due", "日期格式为 YYYY-MM-DD，如 2026-01-31 / performance.remaining_due must be a date YYYY-MM-DD, e.g. 2026-01-31")
		} else if due < r.Date {
			v.Add("performance.remaining_due", "履行期限不能早于本次记录的日期 / performance.remaining_due must not be before performance.date")
		}
		r.RemainingAmount, r.Remaining, r.RemainingDue = p.RemainingAmount, remaining, due
	} else {
		if p.RemainingAmount != 0 {
			v.Add("performance.remaining_amount", "只有部分履行才有尚余金额 / performance.remaining_amount is only for partly_performed")
		}
		if remaining != "" {
			v.Add("performance.remaining", "只有部分履行才有尚余内容 / performance.remaining is only for partly_performed")
		}
		if due != "" {
			v.Add("performance.remaining_due", "只有部分履行才有剩余履行期限 / performance.remaining_due is only for partly_performed")
		}
	}
	party := strings.TrimSpace(p.PartyID)
	if result == PerformanceRecanted {
		if party == "" {
			v.Add("performance.party_id", "请指明反悔的当事人 / performance.party_id must name the party who recanted")
		} else if !hasParty(c, party) {
			v.Add("performance.party_id", "不是本案的当事人 / performance.party_id is not a party of the case")
		}
		r.PartyID = party
	} else if party != "" {
		v.Add("performance.party_id", "只有反悔时才指明当事人 / performance.party_id is only for a recant")
	}
	return r
}

func hasParty(c Case, id string) bool {
	for _, p := range c.Parties {
		if p.ID == id {
			return true
		}
	}
	return false
}

// agreedAmount sums the amounts of an agreement's terms (yuan).
func agreedAmount(a *Agreement) float64 {
	if a == nil {
		return 0
	}
	var t float64
	for _, term := range a.Terms {
		t += term.Amount
	}
	return t
}

// performanceNames lists results for messages: Chinese names for the Chinese half (no codes
// inside Chinese sentences), codes for the English half.
func performanceNames(set []Performance) (zh, en string) {
	names := PerformanceNames()
	var z, e []string
	for _, p := range set {
		z = append(z, names.ZH(string(p)))
		e = append(e, string(p))
	}
	return strings.Join(z, "、"), strings.Join(e, ", ")
}
