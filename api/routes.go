package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
)

// route is one entry of the route table: how it is served, who may call it, and how it is
// documented. The OpenAPI document is generated from this table.
type route struct {
	method, path  string
	operationID   string
	summary       string
	tag           string
	public        bool
	tenantScoped  bool // the path carries :code, the tenant acted on
	requireActive bool // refuse while the tenant is suspended or archived
	optionalBody  bool
	contentType   string // of the success response when not JSON
	obj, act      string // authorization; empty obj: the handler authorizes itself
	// actOf, when set, names the action from the request (e.g. the case action confirm).
	actOf func(echo.Context) string
	// caseScoped, when set, returns the case the request is about (usually the :id of the
	// path): the decision is on the caller's relationships to it.
	caseScoped func(*Server, echo.Context) (string, error)
	// caseList: a list of cases (or of what hangs off them) filtered to what the caller may see.
	caseList bool
	// tenantRel: a tenant-wide route about cases: decided on the caller's relationship to the
	// tenant (its staff, a member organisation's user, an upper level).
	tenantRel bool
	request   any
	response  any
	status    int
	query     []queryParam
	handler   func(*Server, echo.Context) error
	// Routes taking a raw body (not JSON): its media types, and limits other than the server's.
	rawBody   []string
	bodyLimit int64
	timeout   time.Duration
}

type queryParam struct {
	name, description, typ string
}

// routeTable is every route of the API: the foundation's and each feature's group.
func routeTable() []route {
	var out []route
	for _, group := range []func() []route{foundationRoutes, caseRoutes, orgRoutes, warningRoutes, statsRoutes, exportRoutes, libraryRoutes, caseImportRoutes, accessRoutes, pluginRoutes, transferRoutes} {
		out = append(out, group()...)
	}
	return out
}

func foundationRoutes() []route {
	listQ := []queryParam{
		{"after", "游标：上一页最后一项 / cursor: the last item of the previous page", "string"},
		{"limit", "每页条数 1–500，默认 100 / page size 1–500, default 100", "integer"},
	}
	return []route{
		{method: http.MethodGet, path: "/healthz", operationID: "healthz", summary: "存活检查 / Liveness", tag: "ops", public: true, response: healthResponse{}, status: 200, handler: (*Server).healthz},
		{method: http.MethodGet, path: "/api/v1/healthz", operationID: "healthzV1", summary: "存活检查 / Liveness", tag: "ops", public: true, response: healthResponse{}, status: 200, handler: (*Server).healthz},
		{method: http.MethodGet, path: "/readyz", operationID: "readyz", summary: "就绪检查（含数据库） / Readiness, checks the database", tag: "ops", public: true, response: healthResponse{}, status: 200, handler: (*Server).readyz},
		{method: http.MethodGet, path: "/api/v1/readyz", operationID: "readyzV1", summary: "就绪检查（含数据库） / Readiness, checks the database", tag: "ops", public: true, response: healthResponse{}, status: 200, handler: (*Server).readyz},
		{method: http.MethodGet, path: "/api/v1/openapi.json", operationID: "getOpenAPI", summary: "本接口文档 / This OpenAPI document", tag: "ops", public: true, status: 200, handler: (*Server).openapi},

		{method: http.MethodPost, path: "/api/v1/auth/login", operationID: "login", summary: "用户名密码登录，返回 Bearer 令牌 / Log in, get a bearer token", tag: "auth", public: true, request: loginRequest{}, response: loginResponse{}, status: 200, handler: (*Server).login},
		{method: http.MethodPost, path: "/api/v1/auth/logout", operationID: "logout", summary: "退出登录：本令牌立即失效，其他登录不受影响（API 令牌请吊销） / Log out: this token stops working, other logins stay (revoke an API token instead)", tag: "auth", status: 204, handler: (*Server).logout},
		{method: http.MethodPost, path: "/api/v1/auth/logout-all", operationID: "logoutEverywhere", summary: "退出所有登录：本用户此前的全部令牌立即失效 / Log out everywhere: every login token of yours stops working", tag: "auth", status: 204, handler: (*Server).logoutEverywhere},
		{method: http.MethodPost, path: "/api/v1/me/password", operationID: "changeOwnPassword", summary: "修改自己的密码 / Change your own password", tag: "auth", request: changePasswordRequest{}, status: 204, handler: (*Server).changeOwnPassword},
		{method: http.MethodGet, path: "/api/v1/me", operationID: "getMe", summary: "当前调用者 / The caller", tag: "auth", response: meResponse{}, status: 200, handler: (*Server).me},

		{method: http.MethodPost, path: "/api/v1/tenants", operationID: "onboardTenant", summary: "开通一个租户（省、市或区县），补齐上级；重复调用返回 200 / Onboard one tenant with its missing ancestors; again → 200", tag: "tenants", request: onboardRequest{}, response: tenantDTO{}, status: 201, handler: (*Server).onboard},
		{method: http.MethodPost, path: "/api/v1/tenants/bulk", operationID: "bulkOnboardTenants", summary: "批量开通：某省/市/全国的全部区县，或代码列表；幂等 / Bulk onboarding, idempotent", tag: "tenants", request: bulkOnboardRequest{}, response: onboardReport{}, status: 200, handler: (*Server).bulkOnboard},
		{method: http.MethodGet, path: "/api/v1/tenants", operationID: "listTenants", summary: "管辖范围内的租户 / Tenants within your jurisdiction", tag: "tenants", obj: "tenants", act: "read", response: tenantList{}, status: 200, handler: (*Server).listTenants,
			query: append([]queryParam{
				{"level", "province | city | district", "string"},
				{"status", "active | suspended | archived", "string"},
				{"parent", "上级代码 / parent code", "string"},
				{"within", "子树根代码 / subtree root code", "string"},
				{"q", "名称或代码包含 / name or code contains", "string"},
			}, listQ...)},
		{method: http.MethodGet, path: "/api/v1/tenants/:code", operationID: "getTenant", summary: "租户详情 / A tenant", tag: "tenants", tenantScoped: true, obj: "tenants", act: "read", response: tenantDTO{}, status: 200, handler: (*Server).getTenant},
		{method: http.MethodPatch, path: "/api/v1/tenants/:code", operationID: "updateTenant", summary: "修改租户设置 / Update tenant settings", tag: "tenants", tenantScoped: true, requireActive: true, obj: "tenants", act: "update", request: settingsRequest{}, response: tenantDTO{}, status: 200, handler: (*Server).updateTenant},
		{method: http.MethodPost, path: "/api/v1/tenants/:code/suspend", operationID: "suspendTenant", summary: "暂停租户（数据保留） / Suspend a tenant, data kept", tag: "tenants", tenantScoped: true, obj: "tenants", act: "suspend", request: lifecycleRequest{}, optionalBody: true, response: tenantDTO{}, status: 200, handler: (*Server).lifecycle},
		{method: http.MethodPost, path: "/api/v1/tenants/:code/resume", operationID: "resumeTenant", summary: "恢复租户 / Resume a tenant", tag: "tenants", tenantScoped: true, obj: "tenants", act: "resume", request: lifecycleRequest{}, optionalBody: true, response: tenantDTO{}, status: 200, handler: (*Server).lifecycle},
		{method: http.MethodPost, path: "/api/v1/tenants/:code/archive", operationID: "archiveTenant", summary: "归档租户（终态，数据保留） / Archive a tenant, final, data kept", tag: "tenants", tenantScoped: true, obj: "tenants", act: "archive", request: lifecycleRequest{}, optionalBody: true, response: tenantDTO{}, status: 200, handler: (*Server).lifecycle},
		{method: http.MethodGet, path: "/api/v1/tenants/:code/offices", operationID: "listOffices", summary: "司法所 / Judicial offices of a district", tag: "tenants", tenantScoped: true, requireActive: true, obj: "offices", act: "read", response: officeList{}, status: 200, handler: (*Server).listOffices},
		{method: http.MethodGet, path: "/api/v1/tenants/:code/audit", operationID: "listAuditEvents", summary: "审计日志 / Audit trail", tag: "tenants", tenantScoped: true, requireActive: true, obj: "audit", act: "read", response: auditList{}, status: 200, handler: (*Server).listAudit,
			query: []queryParam{{"before", "游标：上一页最后一条的 id / cursor: id of the last event of the previous page", "integer"}, {"limit", "1–500，默认 100 / 1–500, default 100", "integer"}}},

		{method: http.MethodGet, path: "/api/v1/tenants/:code/users", operationID: "listUsers", summary: "用户列表 / Users of a tenant", tag: "users", tenantScoped: true, requireActive: true, obj: "users", act: "read", response: userList{}, status: 200, handler: (*Server).listUsers, query: listQ},
		{method: http.MethodPost, path: "/api/v1/tenants/:code/users", operationID: "createUser", summary: "新建用户 / Create a user", tag: "users", tenantScoped: true, requireActive: true, obj: "users", act: "create", request: createUserRequest{}, response: userDTO{}, status: 201, handler: (*Server).createUser},
		{method: http.MethodGet, path: "/api/v1/tenants/:code/users/:id", operationID: "getUser", summary: "用户详情 / A user", tag: "users", tenantScoped: true, requireActive: true, obj: "users", act: "read", response: userDTO{}, status: 200, handler: (*Server).getUser},
		{method: http.MethodPatch, path: "/api/v1/tenants/:code/users/:id", operationID: "updateUser", summary: "修改用户（名称、停用、重置密码、角色） / Update a user: name, status, password, roles", tag: "users", tenantScoped: true, requireActive: true, obj: "users", act: "update", request: updateUserRequest{}, response: userDTO{}, status: 200, handler: (*Server).updateUser},

		{method: http.MethodDelete, path: "/api/v1/tenants/:code/users/:id/sessions", operationID: "endUserSessions", summary: "结束某用户的全部登录（须可管理该用户：不是同级或上级） / End every login session of a user you may manage, not a peer or a superior", tag: "users", tenantScoped: true, requireActive: true, obj: "users", act: "update", status: 204, handler: (*Server).endUserSessions},

		{method: http.MethodGet, path: "/api/v1/tenants/:code/tokens", operationID: "listTokens", summary: "API 令牌列表 / API tokens", tag: "tokens", tenantScoped: true, requireActive: true, obj: "tokens", act: "read", response: tokenList{}, status: 200, handler: (*Server).listTokens},
		{method: http.MethodPost, path: "/api/v1/tenants/:code/tokens", operationID: "createToken", summary: "新建 API 令牌（仅显示一次） / Create an API token, shown once", tag: "tokens", tenantScoped: true, requireActive: true, obj: "tokens", act: "create", request: createTokenRequest{}, response: createdToken{}, status: 201, handler: (*Server).createToken},
		{method: http.MethodDelete, path: "/api/v1/tenants/:code/tokens/:id", operationID: "revokeToken", summary: "吊销 API 令牌 / Revoke an API token", tag: "tokens", tenantScoped: true, requireActive: true, obj: "tokens", act: "revoke", response: tokenDTO{}, status: 200, handler: (*Server).revokeToken},
	}
}
