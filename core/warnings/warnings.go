// Package warnings is early warning (预警) after the assessment: a case whose level rises to
// orange or red raises a warning, which is notified at once to the tenant's designated police
// station and government office (in-app inbox and the agencies' webhooks), and which escalates
// to the parent tenant when nobody acknowledges it within its deadline (分级预警、分层响应).
//
// The package holds the rules and the vocabulary; the store raises warnings inside the
// transaction of the case change and does the background work on the job queue.
package warnings

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/fengqiao/fengqiao/core/access"
	"github.com/fengqiao/fengqiao/core/kind"

	"github.com/fengqiao/fengqiao/core/cases"
	"github.com/fengqiao/fengqiao/core/division"
	"github.com/fengqiao/fengqiao/core/orgs"
	"github.com/fengqiao/fengqiao/core/valid"
)

// State is where a warning stands. A warning acknowledged after its escalation is acknowledged
// (its escalation stays on record).
type State string

const (
	StateOpen         State = "open"         // waiting for an acknowledgement
	StateAcknowledged State = "acknowledged" // 已签收
	StateEscalated    State = "escalated"    // not acknowledged in time: reported to the parent tenant
)

// States lists the states.
func States() []State { return []State{StateOpen, StateAcknowledged, StateEscalated} }

// Warning is one early warning raised on a case.
type Warning struct {
	ID             string
	TenantCode     string
	CaseID         string
	CaseNumber     string
	Level          cases.RiskLevel
	Score          int
	Signals        []cases.Signal
	RaisedAt       time.Time
	DeadlineAt     time.Time // acknowledge before, or it escalates
	NotifiedAt     *time.Time
	AcknowledgedAt *time.Time
	AcknowledgedBy string
	AckNote        string
	EscalatedAt    *time.Time
	EscalatedTo    string // the parent tenant's code
}

// State tells where the warning stands.
func (w Warning) State() State {
	switch {
	case w.AcknowledgedAt != nil:
		return StateAcknowledged
	case w.EscalatedAt != nil:
		return StateEscalated
	}
	return StateOpen
}

// Overdue reports whether the warning is open past its deadline (its escalation is due).
func (w Warning) Overdue(now time.Time) bool {
	return w.State() == StateOpen && now.After(w.DeadlineAt)
}

// Raises reports whether a case change raises a warning: the level after is orange or red and
// higher than before (before is nil at intake). Lowering, or staying at the same level, does not.
func Raises(before, after *cases.Case) bool {
	if after == nil || after.Risk.Level.Rank() < cases.RiskOrange.Rank() {
		return false
	}
	return before == nil || after.Risk.Level.Rank() > before.Risk.Level.Rank()
}

// SignalLabels lists the labels of the signals, without their details: the details may quote
// the dispute or a staff member's reason, which can name people. Everything that leaves the
// tenant's case files (inbox, webhooks, escalations) carries the labels only.
func SignalLabels(signals []cases.Signal) []string {
	out := make([]string, 0, len(signals))
	for _, s := range signals {
		out = append(out, s.Label)
	}
	return out
}

// Settings are a tenant's warning settings: whom to notify and how long an acknowledgement may take.
type Settings struct {
	TenantCode      string
	PoliceOrgID     string // a police station (派出所) of the tenant; "" none
	GovernmentOrgID string // a department or petition office of the tenant; "" none
	OrangeAckHours  int
	RedAckHours     int
	UpdatedAt       *time.Time // nil: never set, the defaults apply
	UpdatedBy       string
}

// Defaults of the acknowledgement windows, and their bounds.
const (
	DefaultOrangeAckHours = 24
	DefaultRedAckHours    = 2
	MaxAckHours           = 720 // 30 days
	MaxAckNote            = 500
)

// DefaultSettings are a tenant's settings until an administrator changes them.
func DefaultSettings(tenantCode string) Settings {
	return Settings{TenantCode: tenantCode, OrangeAckHours: DefaultOrangeAckHours, RedAckHours: DefaultRedAckHours}
}

// AckWindow is how long a warning of level may wait for its acknowledgement.
func (s Settings) AckWindow(level cases.RiskLevel) time.Duration {
	if level == cases.RiskRed {
		return time.Duration(s.RedAckHours) * time.Hour
	}
	return time.Duration(s.OrangeAckHours) * time.Hour
}

// Recipients are the inbox recipients of a new warning: the designated police station and
// government office, or the tenant itself when none is designated.
func (s Settings) Recipients() []Recipient {
	var out []Recipient
	for _, id := range []string{s.PoliceOrgID, s.GovernmentOrgID} {
		if id != "" {
			out = append(out, OrgRecipient(id))
		}
	}
	if len(out) == 0 {
		out = append(out, TenantRecipient(s.TenantCode))
	}
	return out
}

// Kinds of organisation that may be designated.
var (
	PoliceKinds     = []orgs.Kind{orgs.KindPoliceStation}
	GovernmentKinds = []orgs.Kind{orgs.KindDepartment, orgs.KindPetitionOffice}
)

// Notice tells whoever configures warnings that something is missing: a code for programs
// and a message for people (Chinese first).
type Notice struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Codes of the notices of the settings.
const (
	NoticeNoPolice     = "no_police_station"
	NoticeNoGovernment = "no_government_office"
)

// Notices are what the settings lack: orange and red warnings are to reach the police and the
// government at once (分级预警、分层响应), and without a designated recipient they reach neither,
// only the district's own inbox.
func (s Settings) Notices() []Notice {
	var out []Notice
	if s.PoliceOrgID == "" {
		out = append(out, Notice{NoticeNoPolice, "尚未指定派出所：橙色、红色预警不会通知公安机关，只进入本区司法行政机关的站内信。请在预警设置中指定本区的派出所。 / " +
			"No police station is designated: orange and red warnings reach no police, only the district's own inbox. Designate one of the district's police stations."})
	}
	if s.GovernmentOrgID == "" {
		out = append(out, Notice{NoticeNoGovernment, "尚未指定政府部门或信访部门：橙色、红色预警不会通知政府。请在预警设置中指定本区的政府部门或信访办。 / " +
			"No government or petition office is designated: orange and red warnings reach no government office. Designate one of the district's departments or its petition office."})
	}
	return out
}

// CheckSettings validates settings against the tenant's organisations (lookup finds one of
// the tenant's, nil when it has none).
func CheckSettings(s Settings, lookup orgs.OrgLookup) error {
	var v errs
	if s.OrangeAckHours < 1 || s.OrangeAckHours > MaxAckHours {
		v.Add("orange_ack_hours", "橙色预警签收时限须为 1–%d 小时 / orange_ack_hours must be 1–%d hours", MaxAckHours, MaxAckHours)
	}
	if s.RedAckHours < 1 || s.RedAckHours > MaxAckHours {
		v.Add("red_ack_hours", "红色预警签收时限须为 1–%d 小时 / red_ack_hours must be 1–%d hours", MaxAckHours, MaxAckHours)
	} else if s.RedAckHours > s.OrangeAckHours {
		v.Add("red_ack_hours", "红色预警更紧急，签收时限不得长于橙色 / red_ack_hours must not exceed orange_ack_hours: red is the more urgent")
	}
	checkOrg := func(field, id string, kinds []orgs.Kind, what string) {
		if id == "" {
			return
		}
		o, err := lookup(id)
		if err != nil && !errors.Is(err, orgs.ErrNotFound) {
			v.Add(field, "%v", err)
			return
		}
		if o == nil || o.Status != orgs.StatusActive || !slices.Contains(kinds, o.Kind) {
			names := make([]string, len(kinds))
			for i, k := range kinds {
				names[i] = string(k)
			}
			v.Add(field, "须为本租户在用的%s / %s must be an active organisation of this tenant of kind %s",
				what, field, strings.Join(names, " or "))
		}
	}
	checkOrg("police_org_id", s.PoliceOrgID, PoliceKinds, "派出所")
	checkOrg("government_org_id", s.GovernmentOrgID, GovernmentKinds, "政府部门或信访部门")
	return v.Err()
}

// Recipient names who an inbox message is for: "tenant:<code>", "org:<uuid>" or "user:<uuid>".
type Recipient string

func TenantRecipient(code string) Recipient { return Recipient("tenant:" + code) }
func OrgRecipient(id string) Recipient      { return Recipient("org:" + id) }
func UserRecipient(id string) Recipient     { return Recipient("user:" + id) }

// OrgID returns the organisation of an "org:" recipient, or "".
func (r Recipient) OrgID() string {
	id, ok := strings.CutPrefix(string(r), "org:")
	if !ok {
		return ""
	}
	return id
}

// Kinds of inbox message and of webhook event.
const (
	KindWarningRaised    = "warning.raised"
	KindWarningEscalated = "warning.escalated"
)

// Message is one message of an in-app inbox.
type Message struct {
	ID           string
	TenantCode   string
	Recipient    Recipient
	Kind         string
	Title        string
	Body         string
	CaseID       string // "" none
	WarningID    string // "" none
	SourceTenant string // the tenant the case belongs to (the district of an escalation)
	CreatedAt    time.Time
	ReadAt       *time.Time
}

// Reader is who reads an inbox: a principal of the tenant. Messages are addressed (Recipient):
// a reader sees those to it (a user), to its organisation, and — the tenant's own staff only —
// to the tenant, overseeing those to the tenant's organisations as well. A principal of no
// organisation that is not staff (an agency system's token bound to no agency) sees only what
// is addressed to it in person. Read state is each reader's own (Subject).
type Reader struct {
	TenantCode string
	Subject    string // "user:<id>" or "token:<id>": whose read state
	UserID     string // "" for an API token
	// OrgID: the organisation the reader works for (an agency, a committee); "" for the
	// tenant's staff and for principals bound to none.
	OrgID string
	// Staff: the tenant's own staff — no organisation and no role of a partner agency.
	Staff bool
}

// Recipients are the recipients whose messages the reader sees: its organisation's, or the
// tenant's for staff (and, through the store, those to the tenant's organisations); a user's
// own. None at all for a principal of no organisation that is not staff and not a user.
func (r Reader) Recipients() []string {
	var out []string
	switch {
	case r.OrgID != "":
		out = append(out, string(OrgRecipient(r.OrgID)))
	case r.Staff:
		out = append(out, string(TenantRecipient(r.TenantCode)))
	}
	if r.UserID != "" {
		out = append(out, string(UserRecipient(r.UserID)))
	}
	return out
}

// levelZH names a level in Chinese (the catalogue's name).
func levelZH(l cases.RiskLevel) string { return riskLevelNames.ZH(string(l)) }

var riskLevelNames = cases.RiskLevelNames()

// tenantZH names a tenant by its division's full name, as people say it (山东省济南市槐荫区).
func tenantZH(code string) string {
	if d, err := division.Lookup(code); err == nil {
		return d.FullName()
	}
	return code
}

// chinaTime shows deadlines in Beijing time.
var chinaTime = time.FixedZone("CST", 8*3600)

// RaisedMessage is the title and body of the inbox message of a new warning.
func RaisedMessage(w Warning) (title, body string) {
	title = fmt.Sprintf("%s预警：案件 %s / %s warning: case %s", levelZH(w.Level), w.CaseNumber, w.Level, w.CaseNumber)
	body = fmt.Sprintf("预警等级 %s（评分 %d），信号：%s。请于 %s 前签收，逾期将报送上级。 / Level %s (score %d); signals: %s. Acknowledge before %s, or it escalates to the parent bureau.",
		levelZH(w.Level), w.Score, strings.Join(SignalLabels(w.Signals), "；"), w.DeadlineAt.In(chinaTime).Format("2006-01-02 15:04"),
		w.Level, w.Score, strings.Join(SignalLabels(w.Signals), "; "), w.DeadlineAt.UTC().Format(time.RFC3339))
	return title, body
}

// EscalatedMessage is the title and body of the message an escalation puts in the parent
// tenant's inbox: the case number, level, signal labels and the tenant, and nothing about the
// parties.
func EscalatedMessage(w Warning) (title, body string) {
	title = fmt.Sprintf("逾期未签收的%s预警：%s 案件 %s / Unacknowledged %s warning from %s: case %s",
		levelZH(w.Level), tenantZH(w.TenantCode), w.CaseNumber, w.Level, w.TenantCode, w.CaseNumber)
	body = fmt.Sprintf("%s的%s预警（评分 %d）于 %s 前未签收，现报送上级。信号：%s。 / The %s warning (score %d) of tenant %s was not acknowledged by %s and is escalated. Signals: %s.",
		tenantZH(w.TenantCode), levelZH(w.Level), w.Score, w.DeadlineAt.In(chinaTime).Format("2006-01-02 15:04"), strings.Join(SignalLabels(w.Signals), "；"),
		w.Level, w.Score, w.TenantCode, w.DeadlineAt.UTC().Format(time.RFC3339), strings.Join(SignalLabels(w.Signals), "; "))
	return title, body
}

// Filter selects warnings, newest first, after a cursor.
type Filter struct {
	Level cases.RiskLevel // orange or red; "" all
	State State           // "" all
	// Cursor: the (raised_at, id) of the last warning of the previous page.
	AfterTime time.Time
	AfterID   string
	Limit     int
	// Access, when set, keeps the warnings of the cases the principal may see them on.
	Access *access.Scope
}

// Counts are the numbers of warnings by level (orange, red) in each state that asks for work:
// open (to acknowledge) and escalated (past the deadline, reported upwards, still not
// acknowledged).
type Counts struct {
	Open      map[cases.RiskLevel]int64
	Escalated map[cases.RiskLevel]int64
}

// InboxFilter selects inbox messages, newest first, after a cursor.
type InboxFilter struct {
	Unread    bool
	AfterTime time.Time
	AfterID   string
	Limit     int
}

// Sentinel errors.
var (
	ErrNotFound            = kind.New(kind.NotFound, "warning not found")
	ErrAlreadyAcknowledged = kind.New(kind.Conflict, "warning already acknowledged")
	ErrMessageNotFound     = kind.New(kind.NotFound, "inbox message not found")
	// ErrNotYourInbox: an inbox is read by the principals of its own tenant only (an upper
	// level reads its own inbox, where escalations land).
	ErrNotYourInbox = kind.New(kind.Forbidden, "inbox of another tenant")
	ErrInvalid      = valid.ErrInvalid
)

// FieldError, ValidationError and the list that collects them are the shared shape of
// validation errors (core/valid).
type (
	FieldError      = valid.FieldError
	ValidationError = valid.Error
	errs            = valid.List
)

func runes(s string) int { return utf8.RuneCountInString(s) }
