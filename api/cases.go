package api

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/fengqiao/fengqiao/core/authz"
	"github.com/fengqiao/fengqiao/core/cases"
	"github.com/fengqiao/fengqiao/core/identity"
	"github.com/fengqiao/fengqiao/core/pii"
	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
)

type partyInput struct {
	Name     string `json:"name"`
	IDNumber string `json:"id_number,omitempty"`
	// IDType is the person's identity document (证件类型); empty: a resident ID card.
	IDType     string `json:"id_type,omitempty"`
	Phone      string `json:"phone,omitempty"`
	Address    string `json:"address,omitempty"`
	Role       string `json:"role"`
	Kind       string `json:"kind,omitempty"`
	Occupation string `json:"occupation,omitempty"`
}

type referralDTO struct {
	Agency    string `json:"agency"`
	AgencyID  string `json:"agency_id,omitempty"`
	Reference string `json:"reference,omitempty"`
	Kind      string `json:"kind,omitempty"`
}

type createCaseRequest struct {
	Title       string       `json:"title"`
	Description string       `json:"description"`
	DisputeType string       `json:"dispute_type"`
	Source      string       `json:"source"`
	Referral    *referralDTO `json:"referral,omitempty"`
	PlaceCode   string       `json:"place_code,omitempty"`
	Amount      float64      `json:"amount,omitempty"`
	Parties     []partyInput `json:"parties"`
}

type partyDTO struct {
	ID         string `json:"id"`
	Role       string `json:"role"`
	Kind       string `json:"kind"`
	Name       string `json:"name"`
	IDNumber   string `json:"id_number"`
	IDType     string `json:"id_type,omitempty"` // a person's identity document; organisations have none
	Phone      string `json:"phone"`
	Address    string `json:"address"`
	Gender     string `json:"gender,omitempty"`
	BirthYear  int    `json:"birth_year,omitempty"`
	Occupation string `json:"occupation,omitempty"`
	Masked     bool   `json:"masked"`
}

type caseDTO struct {
	ID             string           `json:"id"`
	TenantCode     string           `json:"tenant_code"`
	Number         string           `json:"number"`
	Title          string           `json:"title"`
	Description    string           `json:"description"`
	DisputeType    string           `json:"dispute_type"`
	Source         string           `json:"source"`
	Referral       *referralDTO     `json:"referral"`
	PlaceCode      string           `json:"place_code"`
	Amount         float64          `json:"amount"`
	Status         string           `json:"status"`
	AllowedActions []string         `json:"allowed_actions"`
	RiskLevel      string           `json:"risk_level"`
	Risk           cases.Assessment `json:"risk"`
	ReceivedAt     time.Time        `json:"received_at"`
	DueAt          time.Time        `json:"due_at"`
	Overdue        bool             `json:"overdue"`
	CreatedBy      string           `json:"created_by"`
	CreatedAt      time.Time        `json:"created_at"`
	UpdatedAt      time.Time        `json:"updated_at"`
	Version        int              `json:"version"`
	Parties        []partyDTO       `json:"parties"`

	CommitteeID       string              `json:"committee_id,omitempty"`
	Outcome           map[string]any      `json:"outcome,omitempty"`
	Agreement         *cases.Agreement    `json:"agreement,omitempty"`
	Confirmation      *cases.Confirmation `json:"confirmation,omitempty"`
	Performance       string              `json:"performance,omitempty"`
	ConcludedAt       *time.Time          `json:"concluded_at,omitempty"`
	FirstContactDueAt *time.Time          `json:"first_contact_due_at,omitempty"`
	ContactedAt       *time.Time          `json:"contacted_at,omitempty"`
	ContactOverdue    bool                `json:"contact_overdue"`
	Sessions          []cases.Session     `json:"sessions,omitempty"`
	FollowUps         []cases.FollowUp    `json:"follow_ups,omitempty"`
	// The registry mediators assigned (the lead, 主办, first) and the experts attached: on a
	// case read alone, not in lists.
	Mediators []cases.CaseMediator `json:"mediators,omitempty"`
	Experts   []cases.CaseExpert   `json:"experts,omitempty"`
	// PerformanceRecords are every report of the agreement's performance, oldest first; the
	// latest is performance.
	PerformanceRecords []cases.PerformanceRecord `json:"performance_records,omitempty"`

	// TransferredTo: the district the case was transferred to; this record is read-only.
	TransferredTo string `json:"transferred_to,omitempty"`

	// Caller is what the caller may do with this case now: on a case read alone, not in lists.
	Caller *caseCallerDTO `json:"caller,omitempty"`
}

// caseCallerDTO is what the caller may do with a case now, decided as the routes decide: the
// actions its roles allow on its relationship to the case (Casbin) that the case's status and
// state admit (the lifecycle), and the case's other operations it may use.
type caseCallerDTO struct {
	// Actions are the actions of the action route (and "edit", the PATCH) the caller may take.
	Actions []string `json:"actions"`
	// RevealPII: the caller may read the parties' personal data (reveal=pii, audited).
	RevealPII bool `json:"reveal_pii"`
	// Agreement: the caller may read the printable agreement document.
	Agreement bool `json:"agreement"`
	// Share: the caller may share the case, list its shares and propose its transfer.
	Share bool `json:"share"`
	// Link: the caller may link an agency or a mediator to the case.
	Link bool `json:"link"`
}

func toCaseDTO(c cases.Case, now time.Time, reveal bool) caseDTO {
	d := caseDTO{ID: c.ID, TenantCode: c.TenantCode, Number: c.Number, Title: c.Title, Description: c.Description,
		DisputeType: c.DisputeType, Source: string(c.Source), PlaceCode: c.PlaceCode, Amount: float64(c.AmountFen) / 100,
		Status: string(c.Status), AllowedActions: []string{}, RiskLevel: string(c.Risk.Level), Risk: c.Risk,
		ReceivedAt: c.ReceivedAt, DueAt: c.DueAt, Overdue: c.Overdue(now), CreatedBy: c.CreatedBy,
		CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt, Version: c.Version, Parties: []partyDTO{}}
	if c.Referral != nil {
		r := referralDTO(*c.Referral)
		d.Referral = &r
	}
	d.CommitteeID, d.Outcome, d.Agreement, d.Confirmation = c.CommitteeID, c.Outcome, c.Agreement, c.Confirmation
	d.TransferredTo = c.TransferredTo
	d.Performance, d.ConcludedAt, d.Sessions, d.FollowUps = c.Performance, c.ConcludedAt, c.Sessions, c.FollowUps
	d.FirstContactDueAt, d.ContactedAt, d.ContactOverdue = c.FirstContactDueAt, c.ContactedAt, c.ContactOverdue(now)
	d.Mediators, d.Experts = c.Mediators, c.Experts
	d.PerformanceRecords = c.Performances
	for _, a := range cases.Allowed(c.Status) {
		d.AllowedActions = append(d.AllowedActions, string(a))
	}
	for _, p := range c.Parties {
		pd := partyDTO{ID: p.ID, Role: string(p.Role), Kind: string(p.Kind), Name: p.Name, Gender: p.Gender,
			BirthYear: p.BirthYear, Occupation: p.Occupation, IDNumber: p.IDNumber, IDType: string(p.IDType), Phone: p.Phone, Address: p.Address}
		if !reveal {
			pd.Masked = true
			pd.IDNumber, pd.Phone, pd.Address = pii.MaskDocument(p.IDType, p.IDNumber), pii.MaskPhone(p.Phone), pii.MaskAddress(p.Address)
		}
		d.Parties = append(d.Parties, pd)
	}
	return d
}

type caseList struct {
	Items     []caseDTO `json:"items"`
	NextAfter string    `json:"next_after,omitempty"`
}

type caseEventDTO struct {
	Seq   int64     `json:"seq"`
	At    time.Time `json:"at"`
	Actor string    `json:"actor"`
	// ActorName names the actor for people: a user's display name, a token's name, 系统.
	ActorName string          `json:"actor_name,omitempty"`
	Action    string          `json:"action"`
	Before    json.RawMessage `json:"before,omitempty"`
	After     json.RawMessage `json:"after,omitempty"`
}

type caseHistory struct {
	Items []caseEventDTO `json:"items"`
}

type disputeTypeList struct {
	Items []cases.DisputeType `json:"items"`
}

// idempotencyKey reads the Idempotency-Key header: 1–200 visible ASCII characters, the
// caller's own (scoped to its principal).
func idempotencyKey(c echo.Context, body []byte) (*cases.Idempotency, error) {
	key := c.Request().Header.Get("Idempotency-Key")
	if key == "" {
		return nil, nil
	}
	if len(key) > 200 || strings.IndexFunc(key, func(r rune) bool { return r < 0x21 || r > 0x7e }) >= 0 {
		return nil, invalid("Idempotency-Key", "Idempotency-Key 须为 1–200 个可见 ASCII 字符，例如一个 UUID / the Idempotency-Key header must be 1–200 visible ASCII characters, e.g. a UUID")
	}
	sum := sha256.Sum256(body)
	return &cases.Idempotency{Subject: principal(c).Subject, Key: key, Fingerprint: sum[:]}, nil
}

func (s *Server) createCase(c echo.Context) error {
	var req createCaseRequest
	body, err := decodeJSONBody(c, &req)
	if err != nil {
		return err
	}
	idem, err := idempotencyKey(c, body)
	if err != nil {
		return err
	}
	created, replayed, err := s.deps.Cases.Create(c.Request().Context(), c.Param("code"), s.newCase(req, principal(c)), idem)
	if err != nil {
		return err
	}
	if replayed {
		c.Response().Header().Set("Idempotent-Replayed", "true")
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/tenants/"+created.TenantCode+"/cases/"+created.ID)
	return c.JSON(http.StatusCreated, toCaseDTO(created, s.deps.Cases.Now(), false))
}

// newCase is the intake of a create (or check) request by p.
func (s *Server) newCase(req createCaseRequest, p identity.Principal) cases.NewCase {
	in := cases.NewCase{Title: req.Title, Description: req.Description, DisputeType: req.DisputeType, Source: req.Source,
		PlaceCode: req.PlaceCode, Amount: req.Amount, CreatedBy: p.Subject, EnteredBy: s.intaker(p)}
	if req.Referral != nil {
		r := cases.Referral(*req.Referral)
		in.Referral = &r
	}
	for _, pt := range req.Parties {
		in.Parties = append(in.Parties, cases.NewParty{Role: pt.Role, Kind: pt.Kind, Name: pt.Name, IDNumber: pt.IDNumber, IDType: pt.IDType,
			Phone: pt.Phone, Address: pt.Address, Occupation: pt.Occupation})
	}
	return in
}

// intaker is the caller as the referral rule of cases sees it: its organisation, and whether
// one of its roles is a partner agency's (such a role refers in the agency's name only).
func (s *Server) intaker(p identity.Principal) *cases.Intaker {
	return &cases.Intaker{Org: p.OrganisationID, AgencyRole: s.agencyRole(p)}
}

// agencyRole tells whether one of the principal's roles is a partner agency's (agency clerk,
// agency system): with or without an organisation, such a principal is not the bureau's staff.
func (s *Server) agencyRole(p identity.Principal) bool {
	if s.deps.Roles == nil {
		return false
	}
	for _, r := range s.deps.Roles.RolesOf(p.Subject) {
		if need := identity.RoleOrg(r); need == identity.AgencyOrg || need == identity.AgencyOrgOptional {
			return true
		}
	}
	return false
}

func (s *Server) getCase(c echo.Context) error {
	reveal := false
	switch v := c.QueryParam("reveal"); v {
	case "":
	case "pii":
		if err := s.requireHere(c, "cases.pii", "read"); err != nil {
			return err
		}
		reveal = true
	default:
		return invalid("reveal", `reveal 只能是 "pii"（需相应权限，且会记入审计） / reveal can only be "pii" (needs the permission; audited)`)
	}
	cs, err := s.deps.Cases.Get(c.Request().Context(), c.Param("code"), c.Param("id"), reveal)
	if err != nil {
		return err
	}
	if reveal {
		c.Response().Header().Set("Cache-Control", "no-store")
	} else if summary, err := s.summaryOnly(c); err != nil {
		return err
	} else if summary {
		cs = cs.Summary()
	}
	s.nameRecorders(c, &cs)
	d := toCaseDTO(cs, s.deps.Cases.Now(), reveal)
	if d.Caller, err = s.caseCaller(c, cs); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, d)
}

// caseCaller is what the caller of a case route may do with the case now: each operation
// decided on the relationships the route found (allowedHere), each action also by the
// lifecycle (cases.Available).
func (s *Server) caseCaller(c echo.Context, cs cases.Case) (*caseCallerDTO, error) {
	out := &caseCallerDTO{Actions: []string{}}
	for _, a := range cases.Available(cs) {
		ok, err := s.allowedHere(c, authz.ObjCases, actOfCaseAction(a))
		if err != nil {
			return nil, err
		}
		if ok {
			out.Actions = append(out.Actions, string(a))
		}
	}
	for _, q := range []struct {
		obj, act string
		dst      *bool
	}{
		{authz.ObjCasePII, authz.ActRead, &out.RevealPII},
		{authz.ObjCaseAgreement, authz.ActRead, &out.Agreement},
		{authz.ObjCases, authz.ActShare, &out.Share},
		{authz.ObjCases, authz.ActLink, &out.Link},
	} {
		ok, err := s.allowedHere(c, q.obj, q.act)
		if err != nil {
			return nil, err
		}
		*q.dst = ok
	}
	out.Agreement = out.Agreement && cs.Agreement != nil
	return out, nil
}

// nameRecorders names who recorded each performance report (history and audit name their
// actors the same way): people read names, not principals.
func (s *Server) nameRecorders(c echo.Context, cs *cases.Case) {
	if len(cs.Performances) == 0 {
		return
	}
	subjects := make([]string, len(cs.Performances))
	for i, p := range cs.Performances {
		subjects[i] = p.RecordedBy
	}
	names := s.deps.Identity.ActorNames(c.Request().Context(), c.Param("code"), subjects)
	for i := range cs.Performances {
		cs.Performances[i].RecordedByName = names[cs.Performances[i].RecordedBy]
	}
}

// caseCursor encodes the position after a case in the newest-first order.
func caseCursor(cs cases.Case) string {
	return base64.RawURLEncoding.EncodeToString([]byte(cs.ReceivedAt.UTC().Format(time.RFC3339Nano) + "|" + cs.ID))
}

func parseCaseCursor(s string) (time.Time, string, error) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		if ts, id, ok := strings.Cut(string(raw), "|"); ok {
			if t, err := time.Parse(time.RFC3339Nano, ts); err == nil && len(id) == 36 {
				return t, id, nil
			}
		}
	}
	return time.Time{}, "", invalid("after", "after 须为上一页返回的 next_after / after must be the next_after of the previous page")
}

func (s *Server) listCases(c echo.Context) error {
	limit, err := pageLimit(c)
	if err != nil {
		return err
	}
	f, err := caseFilter(c)
	if err != nil {
		return err
	}
	f.Limit = limit + 1
	cs, err := s.deps.Cases.List(c.Request().Context(), c.Param("code"), f)
	if err != nil {
		return err
	}
	now := s.deps.Cases.Now()
	out := caseList{Items: []caseDTO{}}
	summaries, err := s.summariesIn(c, cs[:min(len(cs), limit)])
	if err != nil {
		return err
	}
	for i, cs1 := range cs {
		if i == limit {
			out.NextAfter = caseCursor(cs[i-1])
			break
		}
		if summaries[i] {
			cs1 = cs1.Summary()
		}
		out.Items = append(out.Items, toCaseDTO(cs1, now, false))
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) caseHistory(c echo.Context) error {
	evs, err := s.deps.Cases.History(c.Request().Context(), c.Param("code"), c.Param("id"))
	if err != nil {
		return err
	}
	// What changed may quote the parties (a corrected title, a session's notes): a summary
	// share shows what happened and when, not the values.
	summary, err := s.summaryOnly(c)
	if err != nil {
		return err
	}
	out := caseHistory{Items: []caseEventDTO{}}
	subjects := make([]string, len(evs))
	for i, e := range evs {
		subjects[i] = e.Actor
	}
	names := s.deps.Identity.ActorNames(c.Request().Context(), c.Param("code"), subjects)
	for _, e := range evs {
		if summary {
			e.Before, e.After = nil, nil
		}
		out.Items = append(out.Items, caseEventDTO{Seq: e.Seq, At: e.At, Actor: e.Actor, ActorName: names[e.Actor], Action: e.Action, Before: e.Before, After: e.After})
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) listDisputeTypes(c echo.Context) error {
	ts, err := s.deps.Cases.Types(c.Request().Context(), c.Param("code"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, disputeTypeList{Items: ts})
}

func caseRoutes() []route {
	return []route{
		{method: http.MethodPost, path: "/api/v1/tenants/:code/cases", operationID: "createCase", summary: "受理纠纷（一口受理）；支持 Idempotency-Key / Take in a dispute; Idempotency-Key supported", tag: "cases", tenantScoped: true, requireActive: true, obj: "cases", act: "create", request: createCaseRequest{}, response: caseDTO{}, status: 201, handler: (*Server).createCase},
		{method: http.MethodPost, path: "/api/v1/tenants/:code/cases/check", operationID: "checkIntake", summary: "受理预检：按受理规则校验（错误同受理），不保存；返回预警等级及其信号、分流建议及理由、办理期限 / Check an intake without saving: the errors create would answer, or the warning with its signals, the proposed routing with its reasons and the time limit", tag: "cases", tenantScoped: true, requireActive: true, obj: "cases", act: "create", request: createCaseRequest{}, response: cases.Draft{}, status: 200, handler: (*Server).checkIntake},
		{method: http.MethodGet, path: "/api/v1/tenants/:code/cases", operationID: "listCases", summary: "案件列表（最新在前，游标分页）；只列出调用者有权查看的案件 / Cases the caller may see, newest first, cursor-paginated", tag: "cases", tenantScoped: true, requireActive: true, obj: "cases", act: "read", caseList: true, response: caseList{}, status: 200, handler: (*Server).listCases,
			query: []queryParam{
				{"status", "received | assigned | mediating | succeeded | failed | guided | closed", "string"},
				{"source", "walk_in | hotline | online | screening | court | police | procuratorate | petition | department", "string"},
				{"dispute_type", "纠纷类型代码 / dispute type code", "string"},
				{"committee_id", "调委会编号：仅分流至该调委会的案件 / only the cases routed to this committee", "string"},
				{"mediator_id", "调解员（名册）编号：仅其承办的案件 / only the cases this registry mediator mediates", "string"},
				{"risk_level", "none | blue | yellow | orange | red", "string"},
				{"overdue", "true: 仅超期未结 / only cases past their time limit", "boolean"},
				{"from", "受理日期起 YYYY-MM-DD（含） / received on or after this date", "string"},
				{"to", "受理日期止 YYYY-MM-DD（含） / received on or before this date", "string"},
				{"after", "游标：上一页的 next_after / cursor: next_after of the previous page", "string"},
				{"limit", "1–500，默认 100 / 1–500, default 100", "integer"},
			}},
		{method: http.MethodGet, path: "/api/v1/tenants/:code/cases/:id", operationID: "getCase", summary: "案件详情；个人信息默认脱敏，reveal=\"pii\" 显示全文并审计 / A case; personal data masked unless reveal=pii (permission needed, audited)", tag: "cases", tenantScoped: true, requireActive: true, obj: "cases", act: "read", caseScoped: caseParam, response: caseDTO{}, status: 200, handler: (*Server).getCase,
			query: []queryParam{{"reveal", "pii：显示完整个人信息 / show the parties' personal data in full", "string"}}},
		{method: http.MethodPatch, path: "/api/v1/tenants/:code/cases/:id", operationID: "updateCase", summary: "更正受理信息（重新评估预警，记入历史） / Correct the intake: the warning is re-assessed, the change recorded", tag: "cases", tenantScoped: true, requireActive: true, obj: "cases", act: "update", caseScoped: caseParam, request: updateCaseRequest{}, response: caseDTO{}, status: 200, handler: (*Server).updateCase},
		{method: http.MethodPost, path: "/api/v1/tenants/:code/cases/:id/actions/:action", operationID: "actOnCase", summary: "案件操作（分流、移送、开始调解、调解记录、成功、失败、引导、司法确认、更正司法确认、履行、反悔、回访、重新调解、结案、调整预警、延长法院委托调解期限）；状态不允许时 409 并列出可行操作 / Act on a case; 409 with the allowed actions when the status does not allow it", tag: "cases", tenantScoped: true, requireActive: true, obj: "cases", act: "update", caseScoped: caseParam, actOf: caseActionAct, request: caseActionRequest{}, optionalBody: true, response: caseDTO{}, status: 200, handler: (*Server).actOnCase},
		{method: http.MethodGet, path: "/api/v1/tenants/:code/cases/:id/routing", operationID: "proposeRouting", summary: "分流建议：按属地、纠纷类型、繁简与移交单位，逐条说明理由 / Where the case should go, and why", tag: "cases", tenantScoped: true, requireActive: true, obj: "cases", act: "read", caseScoped: caseParam, response: cases.Routing{}, status: 200, handler: (*Server).proposeRouting},
		{method: http.MethodGet, path: "/api/v1/tenants/:code/cases/:id/agreement", operationID: "getAgreementDocument", summary: "可打印的人民调解协议书（HTML，含完整个人信息，需权限并审计） / The printable mediation agreement (HTML; full personal data: permission needed, audited)", tag: "cases", tenantScoped: true, requireActive: true, obj: "cases.agreement", act: "read", caseScoped: caseParam, status: 200, contentType: "text/html", handler: (*Server).getAgreement},
		{method: http.MethodPost, path: "/api/v1/tenants/:code/dispute-types", operationID: "createDisputeType", summary: "增加本租户的纠纷类型 / Add a dispute type of this tenant", tag: "cases", tenantScoped: true, requireActive: true, obj: "dispute_types", act: "create", request: cases.DisputeType{}, response: cases.DisputeType{}, status: 201, handler: (*Server).createDisputeType},
		{method: http.MethodGet, path: "/api/v1/tenants/:code/case-settings", operationID: "getCaseSettings", summary: "案件规则：各来源办理期限、回访时间 / Lifecycle rules: time limits per source, follow-up schedule", tag: "cases", tenantScoped: true, requireActive: true, obj: "case_settings", act: "read", response: cases.Settings{}, status: 200, handler: (*Server).getCaseSettings},
		{method: http.MethodPut, path: "/api/v1/tenants/:code/case-settings", operationID: "updateCaseSettings", summary: "修改案件规则（对此后受理和达成协议的案件生效） / Replace the lifecycle rules (for cases from now on)", tag: "cases", tenantScoped: true, requireActive: true, obj: "case_settings", act: "update", request: cases.Settings{}, response: cases.Settings{}, status: 200, handler: (*Server).updateCaseSettings},
		{method: http.MethodGet, path: "/api/v1/tenants/:code/follow-ups", operationID: "listFollowUps", summary: "回访计划（待回访、逾期、已回访） / Follow-ups: due, overdue, done", tag: "cases", tenantScoped: true, requireActive: true, obj: "cases", act: "read", caseList: true, response: followUpList{}, status: 200, handler: (*Server).listFollowUps,
			query: []queryParam{{"state", "due | overdue | done", "string"}, {"after", "游标 / cursor", "string"}, {"limit", "1–500，默认 100 / 1–500, default 100", "integer"}}},
		{method: http.MethodGet, path: "/api/v1/tenants/:code/follow-ups/counts", operationID: "countFollowUps", summary: "待回访数（其中逾期数）；只计调用者有权查看的案件 / Pending follow-ups and of them the overdue, of the cases the caller may see", tag: "cases", tenantScoped: true, requireActive: true, obj: "cases", act: "read", caseList: true, response: cases.FollowUpCounts{}, status: 200, handler: (*Server).countFollowUps},
		{method: http.MethodGet, path: "/api/v1/tenants/:code/cases/:id/history", operationID: "getCaseHistory", summary: "案件历史（只增不改） / The case's append-only history", tag: "cases", tenantScoped: true, requireActive: true, obj: "cases", act: "read", caseScoped: caseParam, response: caseHistory{}, status: 200, handler: (*Server).caseHistory},
		{method: http.MethodGet, path: "/api/v1/tenants/:code/dispute-types", operationID: "listDisputeTypes", summary: "纠纷类型目录（平台 + 本租户） / Dispute-type catalogue, platform and tenant", tag: "cases", tenantScoped: true, requireActive: true, obj: "dispute_types", act: "read", response: disputeTypeList{}, status: 200, handler: (*Server).listDisputeTypes},
	}
}

type caseActionRequest struct {
	Version      int                 `json:"version,omitempty"`
	Reason       string              `json:"reason,omitempty"`
	CommitteeID  string              `json:"committee_id,omitempty"`
	Mediators    []string            `json:"mediators,omitempty"`
	Experts      []string            `json:"experts,omitempty"`
	Channel      string              `json:"channel,omitempty"`
	Session      *cases.Session      `json:"session,omitempty"`
	Agreement    *cases.Agreement    `json:"agreement,omitempty"`
	Confirmation *cases.Confirmation `json:"confirmation,omitempty"`
	FollowUpID   string              `json:"follow_up_id,omitempty"`
	Result       string              `json:"result,omitempty"`
	Note         string              `json:"note,omitempty"`
	RiskLevel    string              `json:"risk_level,omitempty"`
	Reopen       bool                `json:"reopen,omitempty"`
	// Performance details record_performed, record_recant and follow_up: the date, what is left
	// of a partly performed agreement, who recanted.
	Performance *cases.PerformanceInput `json:"performance,omitempty"`
}

// caseActions are the actions of the action route (edit goes through PATCH, not here).
var caseActions = []cases.Action{cases.ActionAssign, cases.ActionTransfer, cases.ActionStartMediation, cases.ActionRecordSession,
	cases.ActionSucceed, cases.ActionFail, cases.ActionGuide, cases.ActionConfirm, cases.ActionRecordPerformed,
	cases.ActionRecordRecant, cases.ActionFollowUp, cases.ActionReopen, cases.ActionClose, cases.ActionAdjustRisk,
	cases.ActionRecordContact, cases.ActionCorrectConfirmation, cases.ActionExtendTimeLimit}

// caseActionAct is the authorization action of a case action: judicial confirmation is its
// own (a court may record it on the cases it referred), every other action updates the case.
func caseActionAct(c echo.Context) string { return actOfCaseAction(cases.Action(c.Param("action"))) }

func actOfCaseAction(a cases.Action) string {
	if a == cases.ActionConfirm || a == cases.ActionCorrectConfirmation {
		return authz.ActConfirm
	}
	return authz.ActUpdate
}

func (s *Server) actOnCase(c echo.Context) error {
	action := cases.Action(c.Param("action"))
	known := false
	for _, a := range caseActions {
		known = known || a == action
	}
	if !known {
		names := make([]string, len(caseActions))
		for i, a := range caseActions {
			names[i] = string(a)
		}
		return invalid("action", "未知操作；可选："+strings.Join(names, ", ")+" / unknown action; one of: "+strings.Join(names, ", "))
	}
	var req caseActionRequest
	if c.Request().ContentLength != 0 {
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
	}
	in := cases.ActionInput{Action: action, Version: req.Version, Reason: req.Reason, CommitteeID: req.CommitteeID,
		Mediators: req.Mediators, Experts: req.Experts, Channel: req.Channel, Session: req.Session, Agreement: req.Agreement, Confirm: req.Confirmation,
		FollowUpID: req.FollowUpID, Result: req.Result, Note: req.Note, RiskLevel: req.RiskLevel, Reopen: req.Reopen,
		Performance: req.Performance, By: s.intaker(principal(c))}
	cs, err := s.deps.Cases.Act(c.Request().Context(), c.Param("code"), c.Param("id"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toCaseDTO(cs, s.deps.Cases.Now(), false))
}

type followUpList struct {
	Items     []cases.FollowUp `json:"items"`
	NextAfter string           `json:"next_after,omitempty"`
}

func (s *Server) listFollowUps(c echo.Context) error {
	limit, err := pageLimit(c)
	if err != nil {
		return err
	}
	state := c.QueryParam("state")
	switch state {
	case "", "due", "overdue", "done":
	default:
		return invalid("state", "state 须为 due（待回访）、overdue（逾期）或 done（已回访） / state must be due, overdue or done")
	}
	var afterDue time.Time
	var afterID string
	if v := c.QueryParam("after"); v != "" {
		if afterDue, afterID, err = parseCaseCursor(v); err != nil {
			return err
		}
	}
	fs, err := s.deps.Cases.FollowUps(c.Request().Context(), c.Param("code"), state, afterDue, afterID, limit+1, listScope(c))
	if err != nil {
		return err
	}
	out := followUpList{Items: []cases.FollowUp{}}
	for i, f := range fs {
		if i == limit {
			prev := fs[i-1]
			out.NextAfter = caseCursor(cases.Case{ReceivedAt: prev.DueAt, ID: prev.ID})
			break
		}
		out.Items = append(out.Items, f)
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) countFollowUps(c echo.Context) error {
	n, err := s.deps.Cases.CountFollowUps(c.Request().Context(), c.Param("code"), listScope(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, n)
}

func (s *Server) proposeRouting(c echo.Context) error {
	r, err := s.deps.Cases.Routing(c.Request().Context(), c.Param("code"), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}

func (s *Server) getCaseSettings(c echo.Context) error {
	st, err := s.deps.Cases.Settings(c.Request().Context(), c.Param("code"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, st)
}

func (s *Server) updateCaseSettings(c echo.Context) error {
	var req cases.Settings
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	st, err := s.deps.Cases.UpdateSettings(c.Request().Context(), c.Param("code"), req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, st)
}

func (s *Server) createDisputeType(c echo.Context) error {
	var req struct {
		Code     string `json:"code"`
		NameZH   string `json:"name_zh"`
		NameEN   string `json:"name_en"`
		Industry string `json:"industry"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	t, err := s.deps.Cases.AddType(c.Request().Context(), c.Param("code"), cases.DisputeType{Code: req.Code, NameZH: req.NameZH, NameEN: req.NameEN, Industry: req.Industry})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, t)
}

type updateCaseRequest struct {
	Version     int          `json:"version,omitempty"`
	Title       *string      `json:"title,omitempty"`
	Description *string      `json:"description,omitempty"`
	DisputeType *string      `json:"dispute_type,omitempty"`
	PlaceCode   *string      `json:"place_code,omitempty"`
	Amount      *float64     `json:"amount,omitempty"`
	Referral    *referralDTO `json:"referral,omitempty"`
	// Parties corrects persons' identity documents: type and number, by party id.
	Parties []partyDocumentInput `json:"parties,omitempty"`
}

type partyDocumentInput struct {
	ID       string `json:"id"`
	IDType   string `json:"id_type,omitempty"`
	IDNumber string `json:"id_number"`
}

func (s *Server) updateCase(c echo.Context) error {
	var req updateCaseRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	in := cases.EditInput{Version: req.Version, Title: req.Title, Description: req.Description, DisputeType: req.DisputeType,
		PlaceCode: req.PlaceCode, Amount: req.Amount, By: s.intaker(principal(c))}
	if req.Referral != nil {
		r := cases.Referral(*req.Referral)
		in.Referral = &r
	}
	for _, d := range req.Parties {
		in.Parties = append(in.Parties, cases.PartyDocument(d))
	}
	cs, err := s.deps.Cases.Edit(c.Request().Context(), c.Param("code"), c.Param("id"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toCaseDTO(cs, s.deps.Cases.Now(), false))
}

// caseFilter reads the filters of a case list from the query.
func caseFilter(c echo.Context) (cases.Filter, error) {
	f := cases.Filter{DisputeType: c.QueryParam("dispute_type"), CommitteeID: c.QueryParam("committee_id"), Access: listScope(c)}
	var err error
	if v := c.QueryParam("after"); v != "" {
		if f.AfterTime, f.AfterID, err = parseCaseCursor(v); err != nil {
			return f, err
		}
	}
	if v := c.QueryParam("mediator_id"); v != "" {
		if uuid.Validate(v) != nil {
			return f, invalid("mediator_id", "请填写调解员名册中的编号 / mediator_id must be the id of a mediator of the registry")
		}
		f.MediatorID = v
	}
	if v := c.QueryParam("status"); v != "" {
		f.Status = cases.Status(v)
		ok := false
		for _, st := range cases.Statuses() {
			ok = ok || st == f.Status
		}
		if !ok {
			return f, invalid("status", "未知状态 / unknown status; one of: received, assigned, mediating, succeeded, failed, guided, closed")
		}
	}
	if v := c.QueryParam("source"); v != "" {
		if _, ok := cases.LookupSource(v); !ok {
			return f, invalid("source", "未知来源 / unknown source; one of: walk_in, hotline, online, screening, court, police, procuratorate, petition, department")
		}
		f.Source = cases.Source(v)
	}
	if v := c.QueryParam("risk_level"); v != "" {
		if cases.RiskLevel(v).Rank() < 0 {
			return f, invalid("risk_level", "预警等级须为 \"none\"（无）、\"blue\"（蓝色）、\"yellow\"（黄色）、\"orange\"（橙色）或 \"red\"（红色） / risk_level must be none, blue, yellow, orange or red")
		}
		f.RiskLevel = cases.RiskLevel(v)
	}
	if v := c.QueryParam("overdue"); v != "" {
		if f.Overdue, err = strconv.ParseBool(v); err != nil {
			return f, invalid("overdue", "overdue 须为 \"true\" 或 \"false\" / overdue must be true or false")
		}
	}
	for _, d := range []struct {
		name string
		dst  *time.Time
		add  int
	}{{"from", &f.ReceivedFrom, 0}, {"to", &f.ReceivedTo, 1}} {
		if v := c.QueryParam(d.name); v != "" {
			t, err := time.ParseInLocation("2006-01-02", v, chinaTime)
			if err != nil {
				return f, invalid(d.name, d.name+" 为受理日期 YYYY-MM-DD / "+d.name+" is an intake date YYYY-MM-DD")
			}
			*d.dst = t.AddDate(0, 0, d.add)
		}
	}
	return f, nil
}

// chinaTime is the calendar of dates given in queries.
var chinaTime = time.FixedZone("CST", 8*3600)
