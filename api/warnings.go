package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/fengqiao/fengqiao/core/cases"
	"github.com/fengqiao/fengqiao/core/delivery"
	"github.com/fengqiao/fengqiao/core/warnings"
	"github.com/labstack/echo/v4"
)

// Early warning (预警): warnings raised on cases, their acknowledgement, the tenant's warning
// settings, the in-app inbox, and the webhook secrets of agencies.

type warningDTO struct {
	ID             string         `json:"id"`
	TenantCode     string         `json:"tenant_code"`
	CaseID         string         `json:"case_id"`
	CaseNumber     string         `json:"case_number"`
	Level          string         `json:"level"`
	Score          int            `json:"score"`
	Signals        []cases.Signal `json:"signals"`
	State          string         `json:"state"`
	Overdue        bool           `json:"overdue"`
	RaisedAt       time.Time      `json:"raised_at"`
	DeadlineAt     time.Time      `json:"deadline_at"`
	NotifiedAt     *time.Time     `json:"notified_at"`
	AcknowledgedAt *time.Time     `json:"acknowledged_at"`
	AcknowledgedBy string         `json:"acknowledged_by,omitempty"`
	AckNote        string         `json:"ack_note,omitempty"`
	EscalatedAt    *time.Time     `json:"escalated_at"`
	EscalatedTo    string         `json:"escalated_to,omitempty"`
}

func toWarningDTO(w warnings.Warning, now time.Time) warningDTO {
	d := warningDTO{ID: w.ID, TenantCode: w.TenantCode, CaseID: w.CaseID, CaseNumber: w.CaseNumber, Level: string(w.Level),
		Score: w.Score, Signals: w.Signals, State: string(w.State()), Overdue: w.Overdue(now), RaisedAt: w.RaisedAt,
		DeadlineAt: w.DeadlineAt, NotifiedAt: w.NotifiedAt, AcknowledgedAt: w.AcknowledgedAt, AcknowledgedBy: w.AcknowledgedBy,
		AckNote: w.AckNote, EscalatedAt: w.EscalatedAt, EscalatedTo: w.EscalatedTo}
	if d.Signals == nil {
		d.Signals = []cases.Signal{}
	}
	return d
}

type warningList struct {
	Items     []warningDTO `json:"items"`
	NextAfter string       `json:"next_after,omitempty"`
}

// warningCountsDTO counts the warnings waiting for acknowledgement by level (orange, red).
type warningCountsDTO struct {
	Open      map[string]int64 `json:"open"`
	Escalated map[string]int64 `json:"escalated"`
}

type acknowledgeWarningRequest struct {
	Note string `json:"note,omitempty"`
}

type warningSettingsDTO struct {
	PoliceOrgID     *string    `json:"police_org_id"`
	GovernmentOrgID *string    `json:"government_org_id"`
	OrangeAckHours  int        `json:"orange_ack_hours"`
	RedAckHours     int        `json:"red_ack_hours"`
	UpdatedAt       *time.Time `json:"updated_at"`
	UpdatedBy       string     `json:"updated_by,omitempty"`
	// Notices: what the settings lack (no police station or government office designated:
	// orange and red warnings would reach neither); empty when nothing is missing.
	Notices []warnings.Notice `json:"notices"`
}

// warningSettingsRequest replaces the settings: an omitted or null organisation designates
// none, omitted hours take the defaults (orange 24, red 2); hours given are 1–720 (0 is
// refused, not read as "the default").
type warningSettingsRequest struct {
	PoliceOrgID     *string `json:"police_org_id,omitempty"`
	GovernmentOrgID *string `json:"government_org_id,omitempty"`
	OrangeAckHours  *int    `json:"orange_ack_hours,omitempty"`
	RedAckHours     *int    `json:"red_ack_hours,omitempty"`
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func toWarningSettingsDTO(s warnings.Settings) warningSettingsDTO {
	return warningSettingsDTO{PoliceOrgID: optional(s.PoliceOrgID), GovernmentOrgID: optional(s.GovernmentOrgID),
		OrangeAckHours: s.OrangeAckHours, RedAckHours: s.RedAckHours, UpdatedAt: s.UpdatedAt, UpdatedBy: s.UpdatedBy,
		Notices: append([]warnings.Notice{}, s.Notices()...)}
}

type inboxMessageDTO struct {
	ID           string     `json:"id"`
	Recipient    string     `json:"recipient"`
	Kind         string     `json:"kind"`
	Title        string     `json:"title"`
	Body         string     `json:"body"`
	CaseID       *string    `json:"case_id"`
	WarningID    *string    `json:"warning_id"`
	SourceTenant string     `json:"source_tenant"`
	CreatedAt    time.Time  `json:"created_at"`
	ReadAt       *time.Time `json:"read_at"`
}

func toInboxMessageDTO(m warnings.Message) inboxMessageDTO {
	return inboxMessageDTO{ID: m.ID, Recipient: string(m.Recipient), Kind: m.Kind, Title: m.Title, Body: m.Body,
		CaseID: optional(m.CaseID), WarningID: optional(m.WarningID), SourceTenant: m.SourceTenant, CreatedAt: m.CreatedAt, ReadAt: m.ReadAt}
}

type inboxList struct {
	Items     []inboxMessageDTO `json:"items"`
	NextAfter string            `json:"next_after,omitempty"`
}

type webhookSecretDTO struct {
	OrganisationID  string    `json:"organisation_id"`
	Secret          string    `json:"secret"`
	Algorithm       string    `json:"algorithm"`
	SignatureHeader string    `json:"signature_header"`
	TimestampHeader string    `json:"timestamp_header"`
	Signed          string    `json:"signed"`
	CreatedAt       time.Time `json:"created_at"`
}

func (s *Server) listWarnings(c echo.Context) error {
	limit, err := pageLimit(c)
	if err != nil {
		return err
	}
	f := warnings.Filter{Limit: limit + 1, Level: cases.RiskLevel(c.QueryParam("level")), State: warnings.State(c.QueryParam("state")), Access: listScope(c)}
	if v := c.QueryParam("after"); v != "" {
		if f.AfterTime, f.AfterID, err = parseCaseCursor(v); err != nil {
			return err
		}
	}
	ws, err := s.deps.Warnings.List(c.Request().Context(), c.Param("code"), f)
	if err != nil {
		return err
	}
	now := s.deps.Warnings.Now()
	out := warningList{Items: []warningDTO{}}
	for i, w := range ws {
		if i == limit {
			prev := ws[i-1]
			out.NextAfter = caseCursor(cases.Case{ReceivedAt: prev.RaisedAt, ID: prev.ID})
			break
		}
		out.Items = append(out.Items, toWarningDTO(w, now))
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) countWarnings(c echo.Context) error {
	n, err := s.deps.Warnings.Counts(c.Request().Context(), c.Param("code"), listScope(c))
	if err != nil {
		return err
	}
	out := warningCountsDTO{Open: map[string]int64{}, Escalated: map[string]int64{}}
	for _, l := range []cases.RiskLevel{cases.RiskOrange, cases.RiskRed} {
		out.Open[string(l)], out.Escalated[string(l)] = n.Open[l], n.Escalated[l]
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) acknowledgeWarning(c echo.Context) error {
	var req acknowledgeWarningRequest
	if c.Request().ContentLength != 0 {
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
	}
	w, err := s.deps.Warnings.Acknowledge(c.Request().Context(), c.Param("code"), c.Param("id"), principal(c).Subject, req.Note)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toWarningDTO(w, s.deps.Warnings.Now()))
}

func (s *Server) getWarningSettings(c echo.Context) error {
	st, err := s.deps.Warnings.Settings(c.Request().Context(), c.Param("code"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toWarningSettingsDTO(st))
}

func (s *Server) updateWarningSettings(c echo.Context) error {
	var req warningSettingsRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	in := warnings.DefaultSettings(c.Param("code"))
	in.UpdatedBy = principal(c).Subject
	if req.OrangeAckHours != nil {
		in.OrangeAckHours = *req.OrangeAckHours
	}
	if req.RedAckHours != nil {
		in.RedAckHours = *req.RedAckHours
	}
	if req.PoliceOrgID != nil {
		in.PoliceOrgID = *req.PoliceOrgID
	}
	if req.GovernmentOrgID != nil {
		in.GovernmentOrgID = *req.GovernmentOrgID
	}
	st, err := s.deps.Warnings.UpdateSettings(c.Request().Context(), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toWarningSettingsDTO(st))
}

// reader is the caller as a reader of an inbox.
func (s *Server) reader(c echo.Context) warnings.Reader {
	p := principal(c)
	r := warnings.Reader{TenantCode: p.TenantCode, Subject: p.Subject, OrgID: p.OrganisationID,
		Staff: p.OrganisationID == "" && !s.agencyRole(p)}
	if p.Kind == "user" {
		r.UserID = p.ID
	}
	return r
}

func (s *Server) listInbox(c echo.Context) error {
	limit, err := pageLimit(c)
	if err != nil {
		return err
	}
	f := warnings.InboxFilter{Limit: limit + 1}
	if v := c.QueryParam("unread"); v != "" {
		if f.Unread, err = strconv.ParseBool(v); err != nil {
			return invalid("unread", "unread 须为 \"true\" 或 \"false\" / unread must be true or false")
		}
	}
	if v := c.QueryParam("after"); v != "" {
		if f.AfterTime, f.AfterID, err = parseCaseCursor(v); err != nil {
			return err
		}
	}
	ms, err := s.deps.Warnings.Inbox(c.Request().Context(), c.Param("code"), s.reader(c), f)
	if err != nil {
		return err
	}
	out := inboxList{Items: []inboxMessageDTO{}}
	for i, m := range ms {
		if i == limit {
			prev := ms[i-1]
			out.NextAfter = caseCursor(cases.Case{ReceivedAt: prev.CreatedAt, ID: prev.ID})
			break
		}
		out.Items = append(out.Items, toInboxMessageDTO(m))
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) markRead(c echo.Context) error {
	m, err := s.deps.Warnings.MarkRead(c.Request().Context(), c.Param("code"), s.reader(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toInboxMessageDTO(m))
}

func (s *Server) getWebhookSecret(c echo.Context) error {
	sec, err := s.deps.Warnings.WebhookSecret(c.Request().Context(), c.Param("code"), c.Param("id"))
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, webhookSecretDTO{OrganisationID: sec.OrgID, Secret: string(sec.Value), Algorithm: "HMAC-SHA256",
		SignatureHeader: delivery.HeaderSignature, TimestampHeader: delivery.HeaderTimestamp,
		Signed: "sha256=hex(HMAC-SHA256(secret, " + delivery.HeaderTimestamp + ` + "." + body))`, CreatedAt: sec.CreatedAt})
}

func warningRoutes() []route {
	page := []queryParam{
		{"after", "游标：上一页的 next_after / cursor: next_after of the previous page", "string"},
		{"limit", "1–500，默认 100 / 1–500, default 100", "integer"},
	}
	return []route{
		{method: http.MethodGet, path: "/api/v1/tenants/:code/warnings", operationID: "listWarnings", summary: "预警列表（最新在前）：橙色、红色预警及其签收、报送上级情况 / Early warnings, newest first: level, acknowledgement, escalation", tag: "warnings", tenantScoped: true, requireActive: true, obj: "warnings", act: "read", caseList: true, response: warningList{}, status: 200, handler: (*Server).listWarnings,
			query: append([]queryParam{
				{"level", "orange | red", "string"},
				{"state", "open（待签收） | acknowledged（已签收） | escalated（逾期已报送上级）", "string"},
			}, page...)},
		{method: http.MethodGet, path: "/api/v1/tenants/:code/warnings/counts", operationID: "countWarnings", summary: "待签收与已报送上级（仍未签收）的预警数，按等级；只计调用者有权查看的 / Warnings to acknowledge and escalated ones still unacknowledged, counted by level, of the cases the caller may see", tag: "warnings", tenantScoped: true, requireActive: true, obj: "warnings", act: "read", caseList: true, response: warningCountsDTO{}, status: 200, handler: (*Server).countWarnings},
		{method: http.MethodPost, path: "/api/v1/tenants/:code/warnings/:id/acknowledge", operationID: "acknowledgeWarning", summary: "签收预警（期限内签收则不报送上级）；已签收再签收 409 / Acknowledge a warning, which stops its escalation; again → 409", tag: "warnings", tenantScoped: true, requireActive: true, obj: "warnings", act: "acknowledge", caseScoped: warningCase, request: acknowledgeWarningRequest{}, optionalBody: true, response: warningDTO{}, status: 200, handler: (*Server).acknowledgeWarning},
		{method: http.MethodGet, path: "/api/v1/tenants/:code/warning-settings", operationID: "getWarningSettings", summary: "预警设置：通知的派出所与政府部门、签收时限 / Warning settings: the police station and government office notified, acknowledgement windows", tag: "warnings", tenantScoped: true, requireActive: true, obj: "warnings", act: "read", tenantRel: true, response: warningSettingsDTO{}, status: 200, handler: (*Server).getWarningSettings},
		{method: http.MethodPut, path: "/api/v1/tenants/:code/warning-settings", operationID: "updateWarningSettings", summary: "修改预警设置（整体替换） / Replace the warning settings", tag: "warnings", tenantScoped: true, requireActive: true, obj: "warnings", act: "configure", request: warningSettingsRequest{}, response: warningSettingsDTO{}, status: 200, handler: (*Server).updateWarningSettings},
		{method: http.MethodGet, path: "/api/v1/tenants/:code/inbox", operationID: "listInbox", summary: "站内信（本租户、本人及本租户成员单位的消息，最新在前） / In-app inbox: messages to your tenant, to you and to its agencies, newest first", tag: "warnings", tenantScoped: true, requireActive: true, obj: "inbox", act: "read", response: inboxList{}, status: 200, handler: (*Server).listInbox,
			query: append([]queryParam{{"unread", "true: 仅未读 / unread only", "boolean"}}, page...)},
		{method: http.MethodPost, path: "/api/v1/tenants/:code/inbox/:id/read", operationID: "markRead", summary: "标记已读（重复调用无副作用） / Mark a message read; idempotent", tag: "warnings", tenantScoped: true, requireActive: true, obj: "inbox", act: "read", response: inboxMessageDTO{}, status: 200, handler: (*Server).markRead},
		{method: http.MethodGet, path: "/api/v1/tenants/:code/organisations/:id/webhook-secret", operationID: "getWebhookSecret", summary: "成员单位回调（webhook）签名密钥（首次读取时生成，读取记入审计） / An agency's webhook signing secret, created on first read; reads are audited", tag: "warnings", tenantScoped: true, requireActive: true, obj: "warnings", act: "configure", response: webhookSecretDTO{}, status: 200, handler: (*Server).getWebhookSecret},
	}
}
