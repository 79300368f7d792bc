package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/fengqiao/fengqiao/core/access"
	"github.com/fengqiao/fengqiao/core/authz"
	"github.com/fengqiao/fengqiao/core/cases"
	"github.com/fengqiao/fengqiao/core/division"
	"github.com/fengqiao/fengqiao/core/identity"
	"github.com/fengqiao/fengqiao/core/kind"
	"github.com/fengqiao/fengqiao/core/library"
	"github.com/fengqiao/fengqiao/core/orgs"
	"github.com/fengqiao/fengqiao/core/tenant"
	"github.com/fengqiao/fengqiao/core/valid"
	"github.com/fengqiao/fengqiao/core/warnings"
)

// kindProblems is the one place where kinds of error become HTTP statuses. Slug and title are
// the problem of an error of the kind that has no row of its own in sentinelProblems (nor a
// converter in typedProblems); its detail is then the error's text.
var kindProblems = map[kind.Kind]struct {
	status      int
	slug, title string
}{
	kind.Invalid:         {http.StatusBadRequest, "invalid-field", "字段无效 / Invalid field"},
	kind.Unprocessable:   {http.StatusUnprocessableEntity, "unprocessable", "无法处理 / Unprocessable request"},
	kind.NotFound:        {http.StatusNotFound, "not-found", "不存在 / Not found"},
	kind.Conflict:        {http.StatusConflict, "conflict", "状态冲突 / Conflict"},
	kind.Forbidden:       {http.StatusForbidden, "forbidden", "无权操作 / Forbidden"},
	kind.Unauthenticated: {http.StatusUnauthorized, "unauthenticated", "未认证 / Not authenticated"},
	kind.Unavailable:     {http.StatusServiceUnavailable, "unavailable", "暂不可用 / Service unavailable"},
}

// statusOf is the HTTP status of err's kind (500 for an error of no kind).
func statusOf(err error) int {
	if k, ok := kindProblems[kind.Of(err)]; ok {
		return k.status
	}
	return http.StatusInternalServerError
}

// sentinelProblem is the problem of one sentinel error: a row of data, its status following
// from the sentinel's kind (declared where the sentinel is).
type sentinelProblem struct {
	err                 error
	slug, title, detail string
	field               string
	// cause: the error's own text (the rule, role or code at fault) is appended to detail, or
	// is the detail when detail is empty.
	cause bool
	// kind, for an error the platform does not own (context.DeadlineExceeded); else the
	// sentinel's own.
	kind kind.Kind
}

// sentinelProblems: the first row whose error is in err's chain (errors.Is) gives the problem.
var sentinelProblems = []sentinelProblem{
	{err: library.ErrNotFound, slug: "library-entry-not-found", title: "案例不存在 / Library entry not found",
		detail: "本租户案例库中没有此案例 / no such entry in this tenant's library"},
	{err: library.ErrNotConcluded, slug: "case-not-concluded", title: "案件尚未办结 / Case not concluded", field: "case_id",
		detail: "只有已办结（调解成功、调解不成、不宜调解或已结案）的案件可以入库 / only a concluded case (succeeded, failed, guided or closed) may be submitted"},
	{err: library.ErrAlreadyInLibrary, slug: "case-in-library", title: "案件已入库 / Case in the library already", field: "case_id",
		detail: "该案件已提交或已发布；被退回后才可重新提交 / the case was submitted or published already; it may be submitted again once rejected"},
	{err: library.ErrAlreadyReviewed, slug: "library-entry-reviewed", title: "案例已审核 / Entry reviewed already",
		detail: "该案例已发布或已退回 / the entry was published or rejected already"},
	{err: library.ErrOwnSubmission, slug: "own-submission", title: "不能审核自己提交的案例 / Cannot review your own submission",
		detail: "请由其他有审核权限的人员审核 / another reviewer must decide"},
	{err: cases.ErrNumberTaken, slug: "case-number-taken", title: "案件编号已被使用 / Case number taken",
		detail: "导入期间另有案件使用了相同编号，未导入任何案件；请重试 / a case with one of the numbers was stored meanwhile: nothing imported, try again"},
	{err: cases.ErrFollowUpNotFound, slug: "invalid-field", title: "字段无效 / Invalid field", field: "follow_up_id",
		detail: "该案件没有这个待回访计划 / the case has no such pending follow-up"},
	{err: orgs.ErrNameTaken, slug: "organisation-name-taken", title: "名称已被占用 / Name taken", field: "name",
		detail: "本租户已有同名的在用组织；请换一个名称，或先停用同名组织 / an active organisation of this tenant has the name: choose another, or deactivate that one first"},
	{err: orgs.ErrUserLinked, slug: "mediator-user-linked", title: "账号已关联其他调解员 / User linked to another mediator", field: "user_id",
		detail: "一个用户账号只能关联一名调解员；请先解除原有关联 / a user account is linked to one mediator at most: unlink it from the other first"},
	{err: authz.ErrEscalation, slug: "policy-escalation", title: "不能授予超出自身的权限 / Rule grants more than you hold", cause: true,
		detail: "规则不能让他人获得您自己没有的权限，也不能为您无权授予的角色设规则 / a rule may not let anyone do what you may not do, nor concern a role you may not grant: "},
	{err: authz.ErrDefaultRule, slug: "default-rule", title: "默认规则不可修改 / Default rules cannot be changed",
		detail: "平台默认规则对所有租户生效；如需收紧，请在本租户添加 effect=deny 的规则 / defaults hold for every tenant: to narrow one, add a rule with effect deny in your tenant"},
	{err: authz.ErrRuleExists, slug: "rule-exists", title: "规则已存在 / Rule exists", detail: "本租户已有这条规则 / the tenant has this rule already"},
	{err: authz.ErrRuleNotFound, slug: "rule-not-found", title: "规则不存在 / Rule not found",
		detail: "本租户没有这条规则；默认规则不能删除 / the tenant has no such rule (defaults cannot be removed)"},
	{err: access.ErrShareNotFound, slug: "share-not-found", title: "共享不存在 / Share not found", detail: "该案件没有此共享 / the case has no such share"},
	{err: access.ErrShareRevoked, slug: "share-revoked", title: "共享已撤销 / Share revoked already",
		detail: "该共享已撤销，见 revoked_at / the share was revoked already: see revoked_at"},
	{err: identity.ErrOrganisationNotFound, slug: "organisation-not-found", title: "组织不存在 / Organisation not found",
		detail: "该租户下没有此在用组织 / no such active organisation in this tenant"},
	{err: warnings.ErrNotFound, slug: "warning-not-found", title: "预警不存在 / Warning not found", detail: "该租户下没有此预警 / no such warning in this tenant"},
	{err: warnings.ErrAlreadyAcknowledged, slug: "warning-already-acknowledged", title: "预警已签收 / Warning already acknowledged",
		detail: "该预警已签收，签收人见 acknowledged_by / the warning was acknowledged already: see acknowledged_by"},
	{err: warnings.ErrMessageNotFound, slug: "message-not-found", title: "消息不存在 / Message not found", detail: "您的收件箱中没有此消息 / no such message in your inbox"},
	{err: warnings.ErrNotYourInbox, slug: "inbox-of-another-tenant", title: "不能查看其他租户的收件箱 / Inbox of another tenant",
		detail: "收件箱只对本租户的用户和系统开放；上报的预警在您自己租户的收件箱中 / an inbox is read by its own tenant's users and systems; escalations reach you in your own tenant's inbox"},
	{err: cases.ErrTypeExists, slug: "dispute-type-exists", title: "纠纷类型已存在 / Dispute type exists", field: "code",
		detail: "该代码已在目录中 / the catalogue has this code already"},
	{err: cases.ErrNotFound, slug: "case-not-found", title: "案件不存在 / Case not found", detail: "该租户下没有此案件 / no such case in this tenant"},
	{err: cases.ErrIdempotencyMismatch, slug: "idempotency-key-reused", title: "幂等键已用于另一请求 / Idempotency key reused", field: "Idempotency-Key",
		detail: "同一 Idempotency-Key 只能用于同一请求体；新请求请换一个键 / an Idempotency-Key can only be retried with the same body: use a new key for a new request"},
	{err: identity.ErrBadCredentials, slug: "bad-credentials", title: "用户名或密码错误 / Wrong username or password",
		detail: "请检查用户名和密码后重试 / check the username and password and try again"},
	{err: identity.ErrUnauthenticated, slug: "unauthenticated", title: "未认证 / Not authenticated",
		detail: "请先登录（POST /api/v1/auth/login），并在 Authorization 头中携带 Bearer 令牌 / log in with POST /api/v1/auth/login and send Authorization: Bearer <token>"},
	{err: identity.ErrDisabled, slug: "account-disabled", title: "账号已停用 / Account disabled", detail: "请联系本单位管理员 / ask an administrator of your tenant to enable it"},
	{err: identity.ErrUsernameTaken, slug: "username-taken", title: "用户名已被占用 / Username taken", field: "username",
		detail: "请换一个用户名；用户名在全平台唯一 / usernames are unique across the platform: choose another"},
	{err: identity.ErrRoleNotGrantable, slug: "role-not-grantable", title: "无权授予该角色 / Role not grantable", field: "roles", cause: true,
		detail: "只能授予不高于自己权限的角色 / you can only grant roles within your own authority: "},
	{err: identity.ErrNotManageable, slug: "user-not-manageable", title: "无权管理该用户 / User not manageable", cause: true},
	{err: identity.ErrNotASession, slug: "not-a-session", title: "API 令牌没有登录会话 / An API token has no login session",
		detail: "请由管理员吊销该令牌：DELETE /api/v1/tenants/{code}/tokens/{id} / have an administrator revoke the token: DELETE /api/v1/tenants/{code}/tokens/{id}"},
	{err: identity.ErrUserNotFound, slug: "user-not-found", title: "用户不存在 / User not found", detail: "该租户下没有此用户 / no such user in this tenant"},
	{err: identity.ErrTokenNotFound, slug: "token-not-found", title: "令牌不存在 / Token not found", detail: "该租户下没有此 API 令牌 / no such API token in this tenant"},
	{err: tenant.ErrNotFound, slug: "tenant-not-found", title: "租户不存在 / Tenant not found",
		detail: "该租户尚未开通，或不在您的管辖范围内 / the tenant is not onboarded or not within your jurisdiction"},
	{err: tenant.ErrSuspended, slug: "tenant-suspended", title: "租户已暂停 / Tenant suspended",
		detail: "该租户已被上级暂停，数据保留；请联系上级司法行政机关恢复 / the tenant was suspended by its parent; its data is kept; ask the parent bureau to resume it"},
	{err: tenant.ErrArchived, slug: "tenant-archived", title: "租户已归档 / Tenant archived", detail: "该租户已归档，只读保留 / the tenant is archived and kept read-only"},
	{err: tenant.ErrOutsideScope, slug: "outside-jurisdiction", title: "超出管辖范围 / Outside your jurisdiction", cause: true},
	{err: tenant.ErrNothingToOnboard, slug: "invalid-field", title: "字段无效 / Invalid field", field: "codes",
		detail: "请至少给出一个行政区划代码 / give at least one division code"},
	{err: context.DeadlineExceeded, slug: "timeout", title: "处理超时 / Request timed out", detail: "请稍后重试 / try again later", kind: kind.Unavailable},
}

// sentinelProblemOf is the problem of the first row of sentinelProblems whose error is in err's
// chain.
func sentinelProblemOf(err error) (*Problem, bool) {
	for _, r := range sentinelProblems {
		if errors.Is(err, r.err) {
			return r.problem(err), true
		}
	}
	return nil, false
}

func (r sentinelProblem) problem(err error) *Problem {
	k := r.kind
	if k == kind.Unknown {
		k = kind.Of(r.err)
	}
	detail := r.detail
	if r.cause {
		detail += err.Error()
	}
	p := problem(kindProblems[k].status, r.slug, r.title, detail)
	p.Field = r.field
	return p
}

// typedProblems turn the errors that carry data into problems, in order: the first whose type is
// in err's chain (errors.As) gives the problem. They come before the sentinels, which some of
// them wrap (a *tenant.CodeError wraps tenant.ErrOutsideScope).
var typedProblems = []func(error) (*Problem, bool){
	as(func(p *Problem) *Problem { return p }),
	as(func(e *http.MaxBytesError) *Problem {
		return problem(http.StatusRequestEntityTooLarge, "body-too-large", "请求体过大 / Request body too large",
			fmt.Sprintf("请求体不得超过 %d 字节 / the request body must not exceed %d bytes", e.Limit, e.Limit))
	}),
	as(fromHTTPError),
	as(planProblem),
	as(func(e *tenant.TransitionError) *Problem {
		p := problem(statusOf(e), "invalid-transition", "状态不允许此操作 / Action not allowed in this status",
			fmt.Sprintf("租户当前状态为 %s，不能执行 %s / the tenant is %s and cannot be %s", e.From, e.Action, e.From, pastTense(e.Action)))
		p.Allowed = []string{}
		for _, a := range e.Allowed {
			p.Allowed = append(p.Allowed, string(a))
		}
		return p
	}),
	as(validProblem),
	as(func(e *cases.TransitionError) *Problem {
		p := problem(statusOf(e), "action-not-allowed", "当前状态不允许此操作 / Action not allowed in this status",
			fmt.Sprintf("案件状态为 %s，不能执行 %s / the case is %s: %s is not allowed", e.From, e.Action, e.From, e.Action))
		p.Allowed = []string{}
		for _, a := range e.Allowed {
			p.Allowed = append(p.Allowed, string(a))
		}
		return p
	}),
	as(func(e *cases.VersionConflictError) *Problem {
		return problem(statusOf(e), "version-conflict", "案件已被他人修改 / Case changed meanwhile",
			fmt.Sprintf("案件当前版本为 %d，请刷新后重试 / the case is now at version %d: reload it and retry", e.Current, e.Current))
	}),
	as(func(e *cases.ReferralAgencyError) *Problem {
		return invalid("referral.agency_id", "不是本区县在用的成员单位（法院、派出所、检察院、信访、其他部门） / not an active partner agency of this district (court, police station, procuratorate, petition office, department): "+e.ID)
	}),
	as(func(e *cases.ReferralForbiddenError) *Problem {
		detail := "协作单位只能以本单位名义移交案件；请省略 agency_id 或填写本单位 / an agency refers cases in its own name only: omit agency_id or name your own organisation"
		if e.Own == "" {
			detail = "未绑定协作单位的用户或令牌不能以任何单位名义移交；请省略 agency_id / a user or token bound to no agency refers in no agency's name: omit agency_id"
		}
		p := problem(statusOf(e), "referral-agency-forbidden", "不能以其他单位名义移交 / Referral in another agency's name", detail)
		p.Field = "referral.agency_id"
		return p
	}),
	as(func(e *cases.CommitteeError) *Problem {
		return invalid("committee_id", "不是本区县在用的调委会 / not an active mediation committee of this district: "+e.ID)
	}),
	as(func(e *orgs.NotFoundError) *Problem { // organisation-/mediator-/expert-not-found
		return problem(statusOf(e), e.Resource+"-not-found", e.Title(), e.Detail())
	}),
	as(func(e *tenant.CodeError) *Problem { return codeProblem(e.Code, e.Err) }),
	as(func(e *division.CodeError) *Problem { return codeProblem(e.Code, e.Err) }),
	as(func(e *identity.ManageError) *Problem {
		p := problem(statusOf(e), "user-not-manageable", "无权管理该用户 / User not manageable", e.Message)
		p.Field = e.Field
		return p
	}),
}

// as adapts a converter of one error type to typedProblems.
func as[E error](f func(E) *Problem) func(error) (*Problem, bool) {
	return func(err error) (*Problem, bool) {
		var e E
		if errors.As(err, &e) {
			return f(e), true
		}
		return nil, false
	}
}

// toProblem chooses the HTTP status for an error: only this edge knows about statuses. The
// order: a plugin's refusal, a database outage, the errors that carry data, the sentinels, the
// kinds, else an internal error.
func toProblem(err error) *Problem {
	if hp, ok := hookProblem(err); ok {
		return hp
	}
	var ua unavailable
	if errors.As(err, &ua) && ua.Unavailable() {
		return databaseUnavailable()
	}
	for _, f := range typedProblems {
		if p, ok := f(err); ok {
			return p
		}
	}
	if p, ok := sentinelProblemOf(err); ok {
		return p
	}
	if k, ok := kindProblems[kind.Of(err)]; ok {
		return problem(k.status, k.slug, k.title, err.Error())
	}
	return problem(http.StatusInternalServerError, "internal", "服务器内部错误 / Internal error", "已记录，请凭 request_id 联系运维 / logged; report the request_id to the operators")
}

// validProblem lists every invalid input, the first one in the detail.
func validProblem(ve *valid.Error) *Problem {
	p := invalid(ve.Errors[0].Field, ve.Errors[0].Message)
	if len(ve.Errors) > 1 {
		p.Detail = fmt.Sprintf("%d 处输入有误，见 errors / %d inputs are invalid, see errors; first: %s", len(ve.Errors), len(ve.Errors), ve.Errors[0].Message)
		for _, f := range ve.Errors {
			p.Errors = append(p.Errors, FieldProblem{Field: f.Field, Detail: f.Message})
		}
	}
	return p
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

// codeProblems: the problem of a division code refused for the reason of the row (errors.Is);
// format gets the code and an example district code of the same prefix. The status follows
// from the reason's kind.
var codeProblems = []struct {
	err                 error
	slug, title, format string
}{
	{division.ErrMalformedCode, "invalid-code", invalidCodeTitle,
		"%[1]q 不是行政区划代码：应为 6 位数字，如 310107 / %[1]q is not a division code: use 6 digits such as 310107"},
	{division.ErrBelowDistrict, "invalid-code", invalidCodeTitle,
		"%[1]q 是街道/乡镇或村居代码，此处需要区县（或省、市）的 6 位代码，如 %[2]s / %[1]q is a street or village code; a district (or province, city) code of 6 digits is expected here, e.g. %[2]s"},
	{division.ErrUnknownCode, "unknown-code", invalidCodeTitle,
		"行政区划代码 %[1]q 不存在（GB/T 2260） / division code %[1]q does not exist (GB/T 2260)"},
	{tenant.ErrOutsideScope, "outside-jurisdiction", "超出管辖范围 / Outside your jurisdiction",
		"%[1]s 不在您的管辖范围内 / %[1]s is outside your jurisdiction"},
}

const invalidCodeTitle = "行政区划代码有误 / Invalid division code"

func codeProblem(code string, err error) *Problem {
	p := problem(http.StatusBadRequest, "invalid-code", invalidCodeTitle, fmt.Sprintf("%s: %v", code, err))
	for _, r := range codeProblems {
		if errors.Is(err, r.err) {
			p = problem(statusOf(r.err), r.slug, r.title, fmt.Sprintf(r.format, code, safePrefix(code)))
			break
		}
	}
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
