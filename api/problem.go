package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/fengqiao/fengqiao/core/access"
	"github.com/fengqiao/fengqiao/core/authz"
	"github.com/fengqiao/fengqiao/core/cases"
	"github.com/fengqiao/fengqiao/core/division"
	"github.com/fengqiao/fengqiao/core/identity"
	"github.com/fengqiao/fengqiao/core/orgs"
	"github.com/fengqiao/fengqiao/core/plugins"
	"github.com/fengqiao/fengqiao/core/tenant"
	"github.com/fengqiao/fengqiao/core/valid"
	"github.com/fengqiao/fengqiao/core/warnings"
	"github.com/labstack/echo/v4"
)

// ProblemBase prefixes every problem type; the types are stable identifiers documented in the
// OpenAPI document.
const ProblemBase = "https://fengqiao.cn/problems/"

// Problem is an RFC 9457 problem detail.
type Problem struct {
	Type      string         `json:"type"`
	Title     string         `json:"title"`
	Status    int            `json:"status"`
	Detail    string         `json:"detail,omitempty"`
	Instance  string         `json:"instance,omitempty"`
	Field     string         `json:"field,omitempty"`
	Errors    []FieldProblem `json:"errors,omitempty"`
	Allowed   []string       `json:"allowed_actions,omitempty"`
	RequestID string         `json:"request_id,omitempty"`
	// RetryAfter, in seconds, is sent as the Retry-After header when set.
	RetryAfter int `json:"-"`
}

// FieldProblem is one invalid input among several.
type FieldProblem struct {
	Line   int    `json:"line,omitempty"` // of an uploaded file (imports)
	Field  string `json:"field"`
	Detail string `json:"detail"`
}

func (p *Problem) Error() string { return p.Title + ": " + p.Detail }

func problem(status int, slug, title, detail string) *Problem {
	return &Problem{Type: ProblemBase + slug, Title: title, Status: status, Detail: detail}
}

func invalid(field, detail string) *Problem {
	p := problem(http.StatusBadRequest, "invalid-field", "字段无效 / Invalid field", detail)
	p.Field = field
	return p
}

// unavailable is how a dependency marks an error as its own outage (the store's
// ErrUnavailable: the database cannot be reached), not a fault of the request.
type unavailable interface{ Unavailable() bool }

// retryAfterSeconds is the Retry-After of an outage: the pool reconnects on the next request
// once the database is back, so a few seconds are enough.
const retryAfterSeconds = 5

// databaseUnavailable is the problem of a request that needed the database while it could not
// be reached.
func databaseUnavailable() *Problem {
	p := problem(http.StatusServiceUnavailable, "database-unavailable", "数据库暂不可用 / Database unavailable",
		"数据库暂时无法连接，请稍后重试 / the database cannot be reached right now: retry later")
	p.RetryAfter = retryAfterSeconds
	return p
}

// toProblem chooses the HTTP status for an error: only this edge knows about statuses.
func toProblem(err error) *Problem {
	var (
		p     *Problem
		he    *echo.HTTPError
		fe    *identity.FieldError
		se    *tenant.SettingsError
		pe    *tenant.PlanError
		te    *tenant.TransitionError
		dce   *division.CodeError
		tce   *tenant.CodeError
		maxBE *http.MaxBytesError
		ve    *valid.Error
		cte   *cases.TransitionError
		cvc   *cases.VersionConflictError
		afe   *access.FieldError
		rfe   *authz.RuleFieldError
		cce   *cases.CommitteeError
		rae   *cases.ReferralAgencyError
		rfb   *cases.ReferralForbiddenError
		onf   *orgs.NotFoundError
	)
	if hp, ok := hookProblem(err); ok {
		return hp
	}
	var pfe *plugins.FieldError
	if errors.As(err, &pfe) {
		return invalid(pfe.Field, pfe.Message)
	}
	var ua unavailable
	switch {
	case errors.As(err, &ua) && ua.Unavailable():
		return databaseUnavailable()
	case errors.As(err, &p):
		return p
	case errors.As(err, &maxBE):
		return problem(http.StatusRequestEntityTooLarge, "body-too-large", "请求体过大 / Request body too large",
			fmt.Sprintf("请求体不得超过 %d 字节 / the request body must not exceed %d bytes", maxBE.Limit, maxBE.Limit))
	case errors.As(err, &he):
		return fromHTTPError(he)
	case errors.As(err, &fe):
		return invalid(fe.Field, fe.Message)
	case errors.As(err, &se):
		return invalid(se.Field, se.Message)
	case errors.As(err, &pe):
		return planProblem(pe)
	case errors.As(err, &te):
		p := problem(http.StatusConflict, "invalid-transition", "状态不允许此操作 / Action not allowed in this status",
			fmt.Sprintf("租户当前状态为 %s，不能执行 %s / the tenant is %s and cannot be %s", te.From, te.Action, te.From, pastTense(te.Action)))
		p.Allowed = []string{}
		for _, a := range te.Allowed {
			p.Allowed = append(p.Allowed, string(a))
		}
		return p
	case errors.As(err, &ve):
		p := invalid(ve.Errors[0].Field, ve.Errors[0].Message)
		if len(ve.Errors) > 1 {
			p.Detail = fmt.Sprintf("%d 处输入有误，见 errors / %d inputs are invalid, see errors; first: %s", len(ve.Errors), len(ve.Errors), ve.Errors[0].Message)
			for _, f := range ve.Errors {
				p.Errors = append(p.Errors, FieldProblem{Field: f.Field, Detail: f.Message})
			}
		}
		return p
	case errors.As(err, &cte):
		p := problem(http.StatusConflict, "action-not-allowed", "当前状态不允许此操作 / Action not allowed in this status",
			fmt.Sprintf("案件状态为 %s，不能执行 %s / the case is %s: %s is not allowed", cte.From, cte.Action, cte.From, cte.Action))
		p.Allowed = []string{}
		for _, a := range cte.Allowed {
			p.Allowed = append(p.Allowed, string(a))
		}
		return p
	case errors.As(err, &cvc):
		return problem(http.StatusConflict, "version-conflict", "案件已被他人修改 / Case changed meanwhile",
			fmt.Sprintf("案件当前版本为 %d，请刷新后重试 / the case is now at version %d: reload it and retry", cvc.Current, cvc.Current))
	case errors.As(err, &rae):
		return invalid("referral.agency_id", "不是本区县在用的成员单位（法院、派出所、检察院、信访、其他部门） / not an active partner agency of this district (court, police station, procuratorate, petition office, department): "+rae.ID)
	case errors.As(err, &rfb):
		detail := "协作单位只能以本单位名义移交案件；请省略 agency_id 或填写本单位 / an agency refers cases in its own name only: omit agency_id or name your own organisation"
		if rfb.Own == "" {
			detail = "未绑定协作单位的用户或令牌不能以任何单位名义移交；请省略 agency_id / a user or token bound to no agency refers in no agency's name: omit agency_id"
		}
		p := problem(http.StatusForbidden, "referral-agency-forbidden", "不能以其他单位名义移交 / Referral in another agency's name", detail)
		p.Field = "referral.agency_id"
		return p
	case errors.As(err, &cce):
		return invalid("committee_id", "不是本区县在用的调委会 / not an active mediation committee of this district: "+cce.ID)
	case errors.Is(err, cases.ErrFollowUpNotFound):
		return invalid("follow_up_id", "该案件没有这个待回访计划 / the case has no such pending follow-up")
	case errors.As(err, &onf): // organisation-/mediator-/expert-not-found
		return problem(http.StatusNotFound, onf.Resource+"-not-found", onf.Title(), onf.Detail())
	case errors.Is(err, orgs.ErrNameTaken):
		p := problem(http.StatusConflict, "organisation-name-taken", "名称已被占用 / Name taken", "本租户已有同名的在用组织；请换一个名称，或先停用同名组织 / an active organisation of this tenant has the name: choose another, or deactivate that one first")
		p.Field = "name"
		return p
	case errors.As(err, &afe):
		return invalid(afe.Field, afe.Message)
	case errors.As(err, &rfe):
		return invalid(rfe.Field, rfe.Message)
	case errors.Is(err, authz.ErrEscalation):
		return problem(http.StatusForbidden, "policy-escalation", "不能授予超出自身的权限 / Rule grants more than you hold",
			"规则不能让他人获得您自己没有的权限，也不能为您无权授予的角色设规则 / a rule may not let anyone do what you may not do, nor concern a role you may not grant: "+err.Error())
	case errors.Is(err, authz.ErrDefaultRule):
		return problem(http.StatusConflict, "default-rule", "默认规则不可修改 / Default rules cannot be changed",
			"平台默认规则对所有租户生效；如需收紧，请在本租户添加 effect=deny 的规则 / defaults hold for every tenant: to narrow one, add a rule with effect deny in your tenant")
	case errors.Is(err, authz.ErrRuleExists):
		return problem(http.StatusConflict, "rule-exists", "规则已存在 / Rule exists", "本租户已有这条规则 / the tenant has this rule already")
	case errors.Is(err, authz.ErrRuleNotFound):
		return problem(http.StatusNotFound, "rule-not-found", "规则不存在 / Rule not found", "本租户没有这条规则；默认规则不能删除 / the tenant has no such rule (defaults cannot be removed)")
	case errors.Is(err, access.ErrShareNotFound):
		return problem(http.StatusNotFound, "share-not-found", "共享不存在 / Share not found", "该案件没有此共享 / the case has no such share")
	case errors.Is(err, access.ErrShareRevoked):
		return problem(http.StatusConflict, "share-revoked", "共享已撤销 / Share revoked already", "该共享已撤销，见 revoked_at / the share was revoked already: see revoked_at")
	case errors.Is(err, identity.ErrOrganisationNotFound):
		return problem(http.StatusNotFound, "organisation-not-found", "组织不存在 / Organisation not found", "该租户下没有此在用组织 / no such active organisation in this tenant")
	case errors.Is(err, warnings.ErrNotFound):
		return problem(http.StatusNotFound, "warning-not-found", "预警不存在 / Warning not found", "该租户下没有此预警 / no such warning in this tenant")
	case errors.Is(err, warnings.ErrAlreadyAcknowledged):
		return problem(http.StatusConflict, "warning-already-acknowledged", "预警已签收 / Warning already acknowledged", "该预警已签收，签收人见 acknowledged_by / the warning was acknowledged already: see acknowledged_by")
	case errors.Is(err, warnings.ErrMessageNotFound):
		return problem(http.StatusNotFound, "message-not-found", "消息不存在 / Message not found", "您的收件箱中没有此消息 / no such message in your inbox")
	case errors.Is(err, warnings.ErrNotYourInbox):
		return problem(http.StatusForbidden, "inbox-of-another-tenant", "不能查看其他租户的收件箱 / Inbox of another tenant", "收件箱只对本租户的用户和系统开放；上报的预警在您自己租户的收件箱中 / an inbox is read by its own tenant's users and systems; escalations reach you in your own tenant's inbox")
	case errors.Is(err, cases.ErrTypeExists):
		p := problem(http.StatusConflict, "dispute-type-exists", "纠纷类型已存在 / Dispute type exists", "该代码已在目录中 / the catalogue has this code already")
		p.Field = "code"
		return p
	case errors.Is(err, cases.ErrNotFound):
		return problem(http.StatusNotFound, "case-not-found", "案件不存在 / Case not found", "该租户下没有此案件 / no such case in this tenant")
	case errors.Is(err, cases.ErrIdempotencyMismatch):
		p := problem(http.StatusUnprocessableEntity, "idempotency-key-reused", "幂等键已用于另一请求 / Idempotency key reused",
			"同一 Idempotency-Key 只能用于同一请求体；新请求请换一个键 / an Idempotency-Key can only be retried with the same body: use a new key for a new request")
		p.Field = "Idempotency-Key"
		return p
	case errors.As(err, &tce):
		return codeProblem(tce.Code, tce.Err)
	case errors.As(err, &dce):
		return codeProblem(dce.Code, dce.Err)
	case errors.Is(err, identity.ErrBadCredentials):
		return problem(http.StatusUnauthorized, "bad-credentials", "用户名或密码错误 / Wrong username or password", "请检查用户名和密码后重试 / check the username and password and try again")
	case errors.Is(err, identity.ErrUnauthenticated):
		return problem(http.StatusUnauthorized, "unauthenticated", "未认证 / Not authenticated", "请先登录（POST /api/v1/auth/login），并在 Authorization 头中携带 Bearer 令牌 / log in with POST /api/v1/auth/login and send Authorization: Bearer <token>")
	case errors.Is(err, identity.ErrDisabled):
		return problem(http.StatusForbidden, "account-disabled", "账号已停用 / Account disabled", "请联系本单位管理员 / ask an administrator of your tenant to enable it")
	case errors.Is(err, identity.ErrUsernameTaken):
		p := problem(http.StatusConflict, "username-taken", "用户名已被占用 / Username taken", "请换一个用户名；用户名在全平台唯一 / usernames are unique across the platform: choose another")
		p.Field = "username"
		return p
	case errors.Is(err, identity.ErrRoleNotGrantable):
		p := problem(http.StatusForbidden, "role-not-grantable", "无权授予该角色 / Role not grantable", "只能授予不高于自己权限的角色 / you can only grant roles within your own authority: "+err.Error())
		p.Field = "roles"
		return p
	case errors.Is(err, identity.ErrNotManageable):
		var me *identity.ManageError
		p := problem(http.StatusForbidden, "user-not-manageable", "无权管理该用户 / User not manageable", err.Error())
		if errors.As(err, &me) {
			p.Detail, p.Field = me.Message, me.Field
		}
		return p
	case errors.Is(err, identity.ErrNotASession):
		return problem(http.StatusConflict, "not-a-session", "API 令牌没有登录会话 / An API token has no login session",
			"请由管理员吊销该令牌：DELETE /api/v1/tenants/{code}/tokens/{id} / have an administrator revoke the token: DELETE /api/v1/tenants/{code}/tokens/{id}")
	case errors.Is(err, identity.ErrUserNotFound):
		return problem(http.StatusNotFound, "user-not-found", "用户不存在 / User not found", "该租户下没有此用户 / no such user in this tenant")
	case errors.Is(err, identity.ErrTokenNotFound):
		return problem(http.StatusNotFound, "token-not-found", "令牌不存在 / Token not found", "该租户下没有此 API 令牌 / no such API token in this tenant")
	case errors.Is(err, tenant.ErrNotFound):
		return problem(http.StatusNotFound, "tenant-not-found", "租户不存在 / Tenant not found", "该租户尚未开通，或不在您的管辖范围内 / the tenant is not onboarded or not within your jurisdiction")
	case errors.Is(err, tenant.ErrSuspended):
		return problem(http.StatusForbidden, "tenant-suspended", "租户已暂停 / Tenant suspended", "该租户已被上级暂停，数据保留；请联系上级司法行政机关恢复 / the tenant was suspended by its parent; its data is kept; ask the parent bureau to resume it")
	case errors.Is(err, tenant.ErrArchived):
		return problem(http.StatusForbidden, "tenant-archived", "租户已归档 / Tenant archived", "该租户已归档，只读保留 / the tenant is archived and kept read-only")
	case errors.Is(err, tenant.ErrOutsideScope):
		return problem(http.StatusForbidden, "outside-jurisdiction", "超出管辖范围 / Outside your jurisdiction", err.Error())
	case errors.Is(err, tenant.ErrNothingToOnboard):
		return invalid("codes", "请至少给出一个行政区划代码 / give at least one division code")
	case errors.Is(err, context.DeadlineExceeded):
		return problem(http.StatusServiceUnavailable, "timeout", "处理超时 / Request timed out", "请稍后重试 / try again later")
	}
	return problem(http.StatusInternalServerError, "internal", "服务器内部错误 / Internal error", "已记录，请凭 request_id 联系运维 / logged; report the request_id to the operators")
}

func pastTense(a tenant.Action) string {
	switch a {
	case tenant.ActionSuspend:
		return "suspended"
	case tenant.ActionResume:
		return "resumed"
	}
	return "archived"
}

func codeProblem(code string, err error) *Problem {
	var detail string
	status := http.StatusBadRequest
	slug := "invalid-code"
	switch {
	case errors.Is(err, division.ErrMalformedCode):
		detail = fmt.Sprintf("%q 不是行政区划代码：应为 6 位数字，如 310107 / %q is not a division code: use 6 digits such as 310107", code, code)
	case errors.Is(err, division.ErrBelowDistrict):
		detail = fmt.Sprintf("%q 是街道/乡镇或村居代码，此处需要区县（或省、市）的 6 位代码，如 %s / %q is a street or village code; a district (or province, city) code of 6 digits is expected here, e.g. %s", code, safePrefix(code), code, safePrefix(code))
	case errors.Is(err, division.ErrUnknownCode):
		slug = "unknown-code"
		status = http.StatusUnprocessableEntity
		detail = fmt.Sprintf("行政区划代码 %q 不存在（GB/T 2260） / division code %q does not exist (GB/T 2260)", code, code)
	case errors.Is(err, tenant.ErrOutsideScope):
		slug = "outside-jurisdiction"
		status = http.StatusForbidden
		detail = fmt.Sprintf("%s 不在您的管辖范围内 / %s is outside your jurisdiction", code, code)
	default:
		detail = fmt.Sprintf("%s: %v", code, err)
	}
	title := "行政区划代码有误 / Invalid division code"
	if slug == "outside-jurisdiction" {
		title = "超出管辖范围 / Outside your jurisdiction"
	}
	p := problem(status, slug, title, detail)
	p.Field = "code"
	return p
}

func safePrefix(code string) string {
	if len(code) >= 6 {
		return code[:6]
	}
	return "310107"
}

// planProblem reports every bad code of an onboarding, the first one in the detail.
func planProblem(pe *tenant.PlanError) *Problem {
	first := codeProblem(pe.Codes[0].Code, pe.Codes[0].Err)
	if len(pe.Codes) == 1 {
		return first
	}
	for _, c := range pe.Codes {
		first.Errors = append(first.Errors, FieldProblem{Field: c.Code, Detail: codeProblem(c.Code, c.Err).Detail})
	}
	first.Field = "codes"
	first.Detail = fmt.Sprintf("%d 个代码有误，见 errors / %d codes are invalid, see errors; first: %s", len(pe.Codes), len(pe.Codes), first.Detail)
	return first
}

func fromHTTPError(he *echo.HTTPError) *Problem {
	msg := fmt.Sprint(he.Message)
	switch he.Code {
	case http.StatusNotFound:
		return problem(http.StatusNotFound, "no-route", "无此接口 / No such route", "请查看 /api/v1/openapi.json / see /api/v1/openapi.json")
	case http.StatusMethodNotAllowed:
		return problem(http.StatusMethodNotAllowed, "method-not-allowed", "不支持的方法 / Method not allowed", "此路径不支持该 HTTP 方法，见 /api/v1/openapi.json / this path does not accept the method; see /api/v1/openapi.json")
	case http.StatusRequestEntityTooLarge:
		return problem(http.StatusRequestEntityTooLarge, "body-too-large", "请求体过大 / Request body too large", "请减小请求体 / send a smaller body")
	case http.StatusUnauthorized:
		return toProblem(identity.ErrUnauthenticated)
	case http.StatusTooManyRequests:
		return problem(he.Code, "too-many-requests", "请求过于频繁 / Too many requests", "请稍后重试 / slow down and retry later")
	case http.StatusServiceUnavailable:
		return problem(he.Code, "unavailable", "暂不可用 / Service unavailable", msg)
	}
	if he.Code >= 400 && he.Code < 500 {
		return problem(he.Code, "bad-request", http.StatusText(he.Code), msg)
	}
	return problem(http.StatusInternalServerError, "internal", "服务器内部错误 / Internal error", "已记录，请凭 request_id 联系运维 / logged; report the request_id to the operators")
}

// writeProblem sends p as application/problem+json.
func writeProblem(c echo.Context, p *Problem) error {
	p.Instance = c.Request().URL.Path
	p.RequestID = c.Response().Header().Get(echo.HeaderXRequestID)
	if p.Status == http.StatusUnauthorized {
		c.Response().Header().Set("WWW-Authenticate", `Bearer realm="fengqiao"`)
	}
	if p.RetryAfter > 0 {
		c.Response().Header().Set("Retry-After", strconv.Itoa(p.RetryAfter))
	}
	body, err := json.Marshal(p)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentType, "application/problem+json")
	c.Response().WriteHeader(p.Status)
	_, err = c.Response().Write(body)
	return err
}
