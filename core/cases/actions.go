package cases

import (
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Channel is where a case is guided when mediation is unsuitable or failed (导入其他法治轨道).
type Channel string

const (
	ChannelArbitration     Channel = "arbitration"                    // 仲裁
	ChannelReconsider      Channel = "administrative_reconsideration" // 行政复议
	ChannelRuling          Channel = "administrative_ruling"          // 行政裁决
	ChannelLitigation      Channel = "litigation"                     // 诉讼
	ChannelPetition        Channel = "petition"                       // 信访
	ChannelOtherDepartment Channel = "other_department"               // 其他部门
)

var channels = []Channel{ChannelArbitration, ChannelReconsider, ChannelRuling, ChannelLitigation, ChannelPetition, ChannelOtherDepartment}

// SessionMode is how a mediation session was held.
type SessionMode string

var sessionModes = []SessionMode{"in_person", "phone", "online", "video"}

// Session is one mediation session (调解记录). New sessions name the registry mediators present
// (MediatorIDs) and the experts of the pool who joined (ExpertIDs) by id; Mediators and
// Participants are names as the session shows them, filled in by the store from the registry
// (sessions recorded before the ids have names only). Participants may also name people
// outside the pool (a party's lawyer, 律师调解).
type Session struct {
	ID           string    `json:"id"`
	At           time.Time `json:"at"`
	Mode         string    `json:"mode"`
	Summary      string    `json:"summary"`
	Mediators    []string  `json:"mediators,omitempty"`    // names of the mediators present
	Participants []string  `json:"participants,omitempty"` // experts or lawyers who joined (律师调解, 专家)
	MediatorIDs  []string  `json:"mediator_ids,omitempty"`
	ExpertIDs    []string  `json:"expert_ids,omitempty"`
}

// Term is one term of an agreement.
type Term struct {
	Text      string  `json:"text"`
	Amount    float64 `json:"amount,omitempty"` // yuan
	DueDate   string  `json:"due_date,omitempty"`
	PayerName string  `json:"payer,omitempty"`
}

// Agreement is the outcome of a successful mediation (调解协议).
type Agreement struct {
	Form   string    `json:"form"` // "written" (书面) or "oral" (口头)
	Terms  []Term    `json:"terms"`
	Signed time.Time `json:"signed_at"`
}

// Confirmation is a court's judicial confirmation (司法确认) of a written agreement. The court
// is a court organisation of the tenant's registry (CourtID); Court is its name, filled in from
// the registry when the confirmation is recorded (a free-text court is refused).
type Confirmation struct {
	CourtID   string `json:"court_id"`
	Court     string `json:"court"`
	Reference string `json:"reference"`
	Date      string `json:"date"` // YYYY-MM-DD, Beijing time
}

// FollowUp is a scheduled or done follow-up visit (回访).
type FollowUp struct {
	ID      string     `json:"id"`
	DueAt   time.Time  `json:"due_at"`
	DoneAt  *time.Time `json:"done_at,omitempty"`
	Result  string     `json:"result,omitempty"` // performed, partly_performed, not_performed, unreachable
	Note    string     `json:"note,omitempty"`
	CaseID  string     `json:"case_id"`
	Number  string     `json:"number,omitempty"`
	Overdue bool       `json:"overdue"`
}

// FollowUpCounts are the pending follow-ups: Due all of them, Overdue those past their date.
type FollowUpCounts struct {
	Due     int64 `json:"due"`
	Overdue int64 `json:"overdue"`
}

// FollowUpDays is when follow-ups are scheduled after an agreement (Jinan practice: within a month).
var FollowUpDays = []int{7, 30}

// ActionInput is the body of an action on a case; each action reads the fields it needs.
type ActionInput struct {
	Action      Action
	Version     int // optimistic concurrency: the version the caller saw; 0 skips the check
	Reason      string
	CommitteeID string
	Mediators   []string // registry ids, lead first (assign, transfer, start_mediation; see planPeople)
	Experts     []string // expert ids (assign, transfer, start_mediation)
	Channel     string
	Session     *Session
	Agreement   *Agreement
	Confirm     *Confirmation
	FollowUpID  string
	Result      string
	Note        string
	RiskLevel   string
	Reopen      bool
	// Performance details a performance report (record_performed, record_recant, follow_up).
	Performance *PerformanceInput
	// By is who acts, for the rule that an agency confirms in its own court's name only; nil
	// acts as staff.
	By *Intaker `json:"-"`
	// ExtensionDays is the tenant's extension of a court time limit (set by the service).
	ExtensionDays int `json:"-"`
	// FollowUpDays is the tenant's follow-up schedule (set by the service; empty: the default).
	FollowUpDays []int
	// Edit is the corrected intake of an edit (validated by the service).
	Edit *CaseEdit
	// Unchecked names the before-hooks the action passed unchecked (set by the service): the
	// store records them in the case's history.
	Unchecked *Unchecked `json:"-"`
}

// CaseEdit is a correction of the intake data; nil fields are left alone.
type CaseEdit struct {
	Title, Description, DisputeType, PlaceCode *string
	AmountFen                                  *int64
	Referral                                   *Referral
	// DueAt: the time limit follows a corrected court referral kind (set by the service).
	DueAt *time.Time
	// Parties are persons whose identity document was corrected, sealed (checkDocuments); not
	// shown to plugins' hooks.
	Parties []Party `json:"-"`
}

// Prior is what the early warning knows of earlier cases sharing a party.
type Prior struct{ Cases, Failed int }

// Effect is what an action changes, for the store to apply in the case's transaction.
type Effect struct {
	To             Status
	Event          map[string]any // the history entry's "after"
	CommitteeID    *string
	Mediators      *[]string // replace the case's mediators (registry ids, lead first)
	Experts        *[]string // replace the case's experts
	Session        *Session
	Agreement      *Agreement
	Outcome        map[string]any // channel and reason of a failure or guidance
	Confirmation   *Confirmation
	Performance    string // the case's current performance (a Performance), "" to leave it
	ScheduleFollow []time.Time
	CompleteFollow *FollowUp
	RiskLevel      *RiskLevel
	RiskAdjustment *Signal
	ClearOutcome   bool  // a success after a reopened failure: the earlier failure is no longer the outcome
	Edited         *Case // the case with the edit applied (intake fields and the new assessment)
	Contacted      bool  // record the first contact now (kept if already recorded)

	// PerformanceRecord is appended to the case's performance records (履行记录).
	PerformanceRecord *PerformanceRecord
	// ExtendDue is the new time limit of a court-entrusted case extended once (its extension
	// is recorded with it).
	ExtendDue *time.Time
	// NotifyCourt: the change reopens a judicially confirmed case; its confirming court is told
	// (with Event's reason).
	NotifyCourt bool
}

func oneOf[T ~string](v string, set []T) bool {
	for _, s := range set {
		if string(s) == v {
			return true
		}
	}
	return false
}

// Plan validates an action against the case and says what it changes. It does not touch
// storage; the committee's existence and the follow-up's are checked by the store.
func Plan(c Case, in ActionInput, now time.Time) (Effect, error) {
	if c.TransferredTo != "" {
		return Effect{}, ErrTransferred
	}
	to, err := Next(c.Status, in.Action)
	if err != nil {
		return Effect{}, err
	}
	var v errs
	e := Effect{To: to, Event: map[string]any{"status": to}}
	reason := strings.TrimSpace(in.Reason)
	if runes(reason) > 500 {
		v.Add("reason", "原因最多 500 字 / reason must be at most 500 characters")
	}
	needReason := func() {
		if reason == "" {
			v.Add("reason", "请说明原因 / a reason is required for %s", in.Action)
		}
		e.Event["reason"] = reason
	}
	switch in.Action {
	case ActionAssign, ActionTransfer:
		if in.CommitteeID == "" {
			v.Add("committee_id", "请指定调委会 / committee_id is required")
		}
		if in.Action == ActionTransfer {
			needReason()
		} else if reason != "" {
			e.Event["reason"] = reason // overriding the routing proposal
		}
		id := in.CommitteeID
		e.CommitteeID = &id
		e.Event["committee_id"] = id
		planPeople(&v, &e, in, in.Action == ActionTransfer)
	case ActionStartMediation:
		planPeople(&v, &e, in, false)
	case ActionRecordSession:
		s := in.Session
		if s == nil {
			v.Add("session", "请填写调解记录 / session is required")
			break
		}
		if !oneOf(s.Mode, sessionModes) {
			v.Add("session.mode", "方式须为 in_person（当面）、phone（电话）、online（网络）或 video（视频） / session.mode must be in_person, phone, online or video")
		}
		if s.At.IsZero() || s.At.After(now.Add(time.Hour)) {
			v.Add("session.at", "请填写调解时间（不晚于现在） / session.at is required and not in the future")
		}
		if runes(s.Summary) > 5000 {
			v.Add("session.summary", "记录最多 5000 字 / session.summary must be at most 5000 characters")
		}
		if len(s.Mediators) > 0 {
			v.Add("session.mediators", "请用 mediator_ids 填写调解员名册中的 id，姓名由名册带出 / name the mediators present by their registry ids in session.mediator_ids; the names come from the registry")
		}
		checkIDs(&v, "session.mediator_ids", s.MediatorIDs, MaxCaseMediators)
		checkIDs(&v, "session.expert_ids", s.ExpertIDs, MaxCaseExperts)
		if len(s.Participants) > 20 {
			v.Add("session.participants", "其他参与人最多 20 名 / session.participants holds at most 20 names")
		}
		e.Session = s
		e.Event["session_at"], e.Event["mode"] = s.At, s.Mode
	case ActionSucceed:
		a := in.Agreement
		if a == nil {
			v.Add("agreement", "调解成功须填写协议 / agreement is required")
			break
		}
		if a.Form != "written" && a.Form != "oral" {
			v.Add("agreement.form", "协议形式须为 written（书面）或 oral（口头） / agreement.form must be written or oral")
		}
		if len(a.Terms) == 0 || len(a.Terms) > 50 {
			v.Add("agreement.terms", "协议须有 1–50 条条款 / agreement.terms must hold 1–50 terms")
		}
		for i, t := range a.Terms {
			if strings.TrimSpace(t.Text) == "" || runes(t.Text) > 2000 {
				v.Add("agreement.terms["+itoa(i)+"].text", "条款内容须为 1–2000 字 / each term needs a text of 1–2000 characters")
			}
			if t.Amount < 0 || t.Amount > 1e12 {
				v.Add("agreement.terms["+itoa(i)+"].amount", "金额须为 0 至 1 万亿元 / amount must be between 0 and 1,000,000,000,000")
			}
			if t.DueDate != "" {
				if _, err := time.Parse("2006-01-02", t.DueDate); err != nil {
					v.Add("agreement.terms["+itoa(i)+"].due_date", "履行期限格式为 YYYY-MM-DD / due_date must be YYYY-MM-DD")
				}
			}
		}
		if a.Signed.IsZero() {
			a.Signed = now
		}
		e.Agreement = a
		e.ClearOutcome = true
		days := in.FollowUpDays
		if len(days) == 0 {
			days = FollowUpDays
		}
		for _, d := range days {
			e.ScheduleFollow = append(e.ScheduleFollow, now.AddDate(0, 0, d))
		}
		e.Event["agreement_form"], e.Event["terms"] = a.Form, len(a.Terms)
	case ActionFail, ActionGuide:
		if !oneOf(in.Channel, channels) {
			v.Add("channel", "请指定引导渠道：arbitration（仲裁）、administrative_reconsideration（行政复议）、administrative_ruling（行政裁决）、litigation（诉讼）、petition（信访）、other_department（其他部门） / channel must be one of arbitration, administrative_reconsideration, administrative_ruling, litigation, petition, other_department")
		}
		if in.Action == ActionGuide {
			needReason()
		}
		// The result stays in the outcome so that a closed case still tells failure from guidance.
		e.Outcome = map[string]any{"channel": in.Channel, "reason": reason, "result": resultOf(in.Action)}
		e.Event["channel"] = in.Channel
		if in.Action == ActionFail {
			for _, d := range FollowUpDays[:1] {
				e.ScheduleFollow = append(e.ScheduleFollow, now.AddDate(0, 0, d))
			}
		}
	case ActionConfirm, ActionCorrectConfirmation:
		if err := planConfirmation(&v, c, in, now, &e, needReason); err != nil {
			return Effect{}, err
		}
	case ActionExtendTimeLimit:
		if err := planExtension(c, in, &e, needReason); err != nil {
			return Effect{}, err
		}
	case ActionRecordPerformed:
		result := Performance(strings.TrimSpace(in.Result))
		if result == "" {
			result = PerformancePerformed
		}
		if !oneOf(string(result), performanceResults) {
			zh, en := performanceNames(performanceResults)
			v.Add("result", "履行情况须为%s之一（反悔请用反悔操作） / result must be one of %s (a recant is record_recant)", zh, en)
			break
		}
		e.recordPerformance(planPerformance(c, result, in.Performance, "", "", now, &v))
	case ActionRecordRecant:
		needReason()
		e.recordPerformance(planPerformance(c, PerformanceRecanted, in.Performance, reason, "", now, &v))
	case ActionFollowUp:
		if in.FollowUpID == "" {
			v.Add("follow_up_id", "请指定回访计划 / follow_up_id is required")
		}
		if results := FollowUpResultNames(); !oneOf(in.Result, results.Codes()) {
			v.Add("result", "回访结果须为%s之一 / result must be one of %s", results.ZHList(), strings.Join(results.Codes(), ", "))
		}
		if in.Reopen && in.Result != "not_performed" && in.Result != "partly_performed" {
			v.Add("reopen", "只有未履行或部分履行时才能重新调解 / reopen is only for a result of not_performed or partly_performed")
		}
		if in.Reopen {
			if _, err := Next(c.Status, ActionReopen); err != nil {
				return Effect{}, err
			}
			e.To = StatusMediating
			if c.Confirmation != nil {
				// Reopening a confirmed agreement concerns the court that confirmed it.
				needReason()
				e.NotifyCourt = true
			}
		}
		done := now
		e.CompleteFollow = &FollowUp{ID: in.FollowUpID, DoneAt: &done, Result: in.Result, Note: strings.TrimSpace(in.Note)}
		e.Event["follow_up_id"], e.Event["result"], e.Event["reopened"] = in.FollowUpID, in.Result, in.Reopen
		// A follow-up of an agreement reports its performance: the same records as record_performed.
		switch r := Performance(in.Result); {
		case oneOf(in.Result, performanceResults) && c.Agreement != nil && c.Status == StatusSucceeded:
			e.recordPerformance(planPerformance(c, r, in.Performance, "", in.FollowUpID, now, &v))
		case in.Performance != nil:
			v.Add("performance", "只有对调解协议的回访结果为履行完毕、部分履行或未履行时才记录履行情况 / performance is only for a follow-up of an agreement with a result of performed, partly_performed or not_performed")
		}
	case ActionReopen, ActionClose:
		if in.Action == ActionReopen {
			needReason()
			e.NotifyCourt = c.Confirmation != nil
		}
	case ActionAdjustRisk:
		lvl := RiskLevel(in.RiskLevel)
		if lvl.Rank() < 0 {
			v.Add("risk_level", "预警等级须为 \"none\"（无）、\"blue\"（蓝色）、\"yellow\"（黄色）、\"orange\"（橙色）或 \"red\"（红色） / risk_level must be none, blue, yellow, orange or red")
		}
		needReason()
		e.RiskLevel = &lvl
		e.RiskAdjustment = &Signal{Code: "manual", Label: "人工调整 / adjusted by staff", Detail: reason}
		e.Event["risk_level"] = lvl
	case ActionRecordContact:
		e.Contacted = true
		if n := strings.TrimSpace(in.Note); n != "" {
			e.Event["note"] = n
		}
	case ActionEdit:
		if in.Edit == nil {
			v.Add("action", "请用 PATCH 修改受理信息 / use PATCH to edit the intake")
			break
		}
		ed, changed := c, map[string]any{}
		if x := in.Edit.Title; x != nil && *x != c.Title {
			ed.Title, changed["title"] = *x, *x
		}
		if x := in.Edit.Description; x != nil && *x != c.Description {
			ed.Description, changed["description"] = *x, "(changed)"
		}
		if x := in.Edit.DisputeType; x != nil && *x != c.DisputeType {
			ed.DisputeType, changed["dispute_type"] = *x, *x
		}
		if x := in.Edit.PlaceCode; x != nil && *x != c.PlaceCode {
			ed.PlaceCode, changed["place_code"] = *x, *x
		}
		if x := in.Edit.AmountFen; x != nil && *x != c.AmountFen {
			ed.AmountFen, changed["amount"] = *x, float64(*x)/100
		}
		if x := in.Edit.Referral; x != nil {
			ed.Referral, changed["referral"] = x, x
		}
		if x := in.Edit.DueAt; x != nil && !x.Equal(c.DueAt) {
			ed.DueAt, changed["due_at"] = *x, *x
		}
		if len(in.Edit.Parties) > 0 {
			// The history names the party and its document's type, never the number.
			ed.Parties = slices.Clone(c.Parties)
			var docs []map[string]any
			for _, p := range in.Edit.Parties {
				for i := range ed.Parties {
					if ed.Parties[i].ID == p.ID {
						ed.Parties[i] = p
						docs = append(docs, map[string]any{"party": p.ID, "id_type": p.IDType, "id_number": "(changed)"})
					}
				}
			}
			changed["parties"] = docs
		}
		e.Edited = &ed
		e.Event["changed"] = changed
	}
	if runes(in.Note) > 2000 {
		v.Add("note", "备注最多 2000 字 / note must be at most 2000 characters")
	}
	if in.Performance != nil && in.Action != ActionRecordPerformed && in.Action != ActionRecordRecant && in.Action != ActionFollowUp {
		v.Add("performance", "只有记录履行、反悔或回访时才填写履行情况 / performance is only for record_performed, record_recant and follow_up")
	}
	return e, v.Err()
}

// planPeople takes the mediators and experts of an assignment, a transfer or the start of
// mediation: ids of the registry, checked here for form (the store checks they are active
// records of the tenant). Given, they replace the case's (an empty list clears them); a
// transfer always replaces the mediators, since the new committee names its own.
func planPeople(v *errs, e *Effect, in ActionInput, replace bool) {
	checkIDs(v, "mediators", in.Mediators, MaxCaseMediators)
	checkIDs(v, "experts", in.Experts, MaxCaseExperts)
	if in.Mediators != nil || replace {
		ms := append([]string{}, in.Mediators...)
		e.Mediators = &ms
		e.Event["mediators"] = ms
	}
	if in.Experts != nil {
		xs := append([]string{}, in.Experts...)
		e.Experts = &xs
		e.Event["experts"] = xs
	}
}

// checkIDs checks a list of registry ids: at most max, each a UUID, none twice.
func checkIDs(v *errs, field string, ids []string, max int) {
	if len(ids) > max {
		v.Add(field, "最多 %d 名 / %s holds at most %d", max, field, max)
		return
	}
	seen := map[string]bool{}
	for i, id := range ids {
		f := field + "[" + itoa(i) + "]"
		switch {
		case len(id) != 36 || uuid.Validate(id) != nil:
			v.Add(f, "请填写名册中的 id（UUID），不是姓名 / must be an id (a UUID) from the registry, not a name")
		case seen[strings.ToLower(id)]:
			v.Add(f, "重复 / listed twice")
		}
		seen[strings.ToLower(id)] = true
	}
}

// recordPerformance makes r the case's current performance and appends it to its records.
func (e *Effect) recordPerformance(r *PerformanceRecord) {
	e.PerformanceRecord, e.Performance = r, string(r.Result)
	e.Event["performance"] = r.Result
	e.Event["performance_date"] = r.Date
	if r.Result == PerformancePartly {
		e.Event["remaining_due"] = r.RemainingDue
	}
}

func itoa(i int) string {
	const digits = "0123456789"
	if i < 10 {
		return digits[i : i+1]
	}
	return itoa(i/10) + digits[i%10:i%10+1]
}

// resultOf is the status a failing or guiding action concludes with.
func resultOf(a Action) string {
	if a == ActionGuide {
		return string(StatusGuided)
	}
	return string(StatusFailed)
}
