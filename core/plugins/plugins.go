// Package plugins owns what the platform knows about regional plugins, apart from running them
// (core/pluginhost does that): the platform's own plugin model (Manifest: plain types, not the
// protocol's generated code, which core/pluginhost converts), the catalog record, where a
// plugin is enabled and with which settings, the manifest's rules (names, regions, hooks, routes, jobs, permissions, the
// settings schema), and the errors of all of these. It knows no process, no gRPC, no HTTP.
package plugins

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/fengqiao/fengqiao/core/division"
	"github.com/fengqiao/fengqiao/core/valid"
)

// ProtocolVersions are the plugin protocol versions this host speaks.
var ProtocolVersions = []int{1}

// Record is an installed plugin in the catalog.
type Record struct {
	Name            string
	Version         string
	SHA256          string
	Path            string
	ProtocolVersion int
	Manifest        *Manifest
	InstalledBy     string
	InstalledAt     time.Time
	Previous        *Prior // the version this one replaced
}

// Prior is a replaced version.
type Prior struct {
	Version string `json:"version"`
	SHA256  string `json:"sha256"`
	Path    string `json:"path"`
}

// Enablement is a plugin enabled (or explicitly disabled) for a tenant, or for its whole
// subtree, with that tenant's settings.
type Enablement struct {
	Plugin     string
	TenantCode string
	Subtree    bool
	Enabled    bool
	Settings   json.RawMessage
	// Permissions the tenant grants the plugin; nil: every one its manifest requests.
	Permissions []string
	// Mandatory: the plugin's before-hooks must be asked here. While the plugin is
	// deactivated, the actions they check are refused (503) instead of proceeding unchecked.
	Mandatory bool
	UpdatedBy string
	UpdatedAt time.Time
}

// GrantedPermissions are the host permissions e grants a plugin of manifest m: those the
// manifest requests, narrowed by e.Permissions when set.
func GrantedPermissions(m *Manifest, e Enablement) []string {
	if e.Permissions == nil {
		return slices.Clone(m.Permissions)
	}
	var out []string
	for _, p := range m.Permissions {
		if slices.Contains(e.Permissions, p) {
			out = append(out, p)
		}
	}
	return out
}

// Effective is the enablement that governs tenant among rows: the tenant's own row, else the
// row with subtree of its nearest ancestor (the longest code prefix). ok is false when no row
// governs it: the plugin is then disabled there.
func Effective(rows []Enablement, plugin, tenant string) (e Enablement, ok bool) {
	best := -1
	for _, r := range rows {
		if r.Plugin != plugin {
			continue
		}
		switch {
		case r.TenantCode == tenant:
			return r, true
		case r.Subtree && division.Contains(r.TenantCode, tenant) && division.Depth(r.TenantCode) > best:
			e, ok, best = r, true, division.Depth(r.TenantCode)
		}
	}
	return e, ok
}

// Document is one JSON document of a plugin's store in a tenant.
type Document struct {
	Kind      string
	ID        string
	Data      json.RawMessage
	Version   int64
	UpdatedAt time.Time
}

// Errors.
var (
	ErrNotInstalled   = errors.New("plugins: not installed")
	ErrNotEnabled     = errors.New("plugins: not enabled for this tenant")
	ErrDocNotFound    = errors.New("plugins: document not found")
	ErrConflict       = errors.New("plugins: document version conflict")
	ErrDocExists      = errors.New("plugins: document exists")
	ErrInvalid        = errors.New("plugins: invalid")
	ErrUnavailable    = errors.New("plugins: plugin unavailable")
	ErrChecksum       = errors.New("plugins: binary does not match its catalog checksum")
	ErrProtocol       = errors.New("plugins: protocol version mismatch")
	ErrRouteNotFound  = errors.New("plugins: no such route")
	ErrPermission     = errors.New("plugins: permission not granted")
	ErrDeactivated    = errors.New("plugins: deactivated after repeated crashes")
	ErrRejected       = errors.New("plugins: rejected by a before-hook")
	ErrMalformedReply = errors.New("plugins: malformed answer")
)

// InvalidField is the *valid.Error naming the field of a manifest, of settings or of a host-API
// request at fault, wrapping ErrInvalid.
func InvalidField(field, message string) error { return valid.New(ErrInvalid, field, message) }

func invalid(field, format string, args ...any) error {
	return InvalidField(field, fmt.Sprintf(format, args...))
}

// Permissions a plugin may request, and what each lets it do through the host API.
var Permissions = map[string]string{
	"cases.read":         "读取本租户案件 / read the tenant's cases",
	"cases.parties":      "读取当事人个人信息 / read parties' personal data",
	"cases.note":         "在案件中添加记录 / add notes to cases",
	"cases.fields":       "写入插件自有的案件字段 / write the plugin's own case fields",
	"cases.link":         "将协作单位关联到案件 / link agencies to cases",
	"cases.share":        "与其他租户共享案件 / share cases with other tenants",
	"cases.joint":        "标记跨辖区联合调解（参与方可见） / mark a joint mediation with other tenants (they see the case)",
	"organisations.read": "读取组织与调解员 / read organisations and mediators",
	"notifications.send": "发送站内消息 / send inbox messages",
	"stats.read":         "读取统计 / read statistics",
}

// Hooks are the before-hooks a plugin may subscribe to: intake, and every case action.
var Hooks = []string{"case.intake", "case.assign", "case.transfer", "case.start_mediation", "case.record_session",
	"case.succeed", "case.fail", "case.guide", "case.confirm", "case.record_performed", "case.record_recant",
	"case.follow_up", "case.reopen", "case.close", "case.adjust_risk", "case.edit", "case.record_contact"}

// Events are the after-events a plugin may subscribe to.
var Events = []string{"case.received", "case.assigned", "case.concluded", "case.closed", "case.reopened", "case.updated"}

// Hook defaults and bounds.
const (
	DefaultHookTimeout  = 200 * time.Millisecond
	MaxHookTimeout      = 5 * time.Second
	DefaultRouteTimeout = 5 * time.Second
	MaxRouteTimeout     = 60 * time.Second
	DefaultJobTimeout   = time.Minute
	MaxJobTimeout       = 30 * time.Minute
)

// HookTimeout is a hook's deadline.
func HookTimeout(h Hook) time.Duration {
	if h.TimeoutMS == 0 {
		return DefaultHookTimeout
	}
	return time.Duration(h.TimeoutMS) * time.Millisecond
}

// RouteTimeout is a route's deadline.
func RouteTimeout(r Route) time.Duration {
	if r.TimeoutMS == 0 {
		return DefaultRouteTimeout
	}
	return time.Duration(r.TimeoutMS) * time.Millisecond
}

// JobTimeout is a job run's deadline.
func JobTimeout(j Job) time.Duration {
	if j.TimeoutMS == 0 {
		return DefaultJobTimeout
	}
	return time.Duration(j.TimeoutMS) * time.Millisecond
}

var (
	namePattern    = regexp.MustCompile(`^[a-z][a-z0-9-]{1,39}$`)
	semverPattern  = regexp.MustCompile(`^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$`)
	regionPattern  = regexp.MustCompile(`^([0-9]{2}){1,3}$`)
	segmentPattern = regexp.MustCompile(`^([a-z0-9][a-z0-9_.-]*|\{[a-z][a-z0-9_]*\})$`)
	methods        = []string{"GET", "POST", "PUT", "PATCH", "DELETE"}
)

// ValidName reports whether s may name a plugin.
func ValidName(s string) bool { return namePattern.MatchString(s) }

// CheckManifest validates a manifest served under protocol version protocol; it returns the
// first problem, naming the field.
func CheckManifest(m *Manifest, protocol int) error {
	if m == nil {
		return invalid("manifest", "插件未返回清单 / the plugin returned no manifest")
	}
	if !namePattern.MatchString(m.Name) {
		return invalid("name", "名称须为小写字母开头的 2–40 位小写字母、数字或连字符，实际为 %q / name must be 2–40 lowercase letters, digits or hyphens starting with a letter, got %q", m.Name, m.Name)
	}
	if !semverPattern.MatchString(m.Version) {
		return invalid("version", "版本须为语义化版本，如 1.2.0，实际为 %q / version must be a semantic version like 1.2.0, got %q", m.Version, m.Version)
	}
	if int(m.ProtocolVersion) != protocol {
		return invalid("protocol_version", "清单声明协议版本 %d，但握手协商为 %d / the manifest says protocol %d but the handshake negotiated %d", m.ProtocolVersion, protocol, m.ProtocolVersion, protocol)
	}
	if m.Description.Zh == "" || m.Description.En == "" {
		return invalid("description", "请提供中文和英文说明 / a description in Chinese and in English is required")
	}
	if len(m.Regions) == 0 {
		return invalid("regions", "请声明适用地区（区划代码前缀，如 31，或 *） / regions must list division code prefixes such as 31, or *")
	}
	for i, r := range m.Regions {
		if r != "*" && !regionPattern.MatchString(r) {
			return invalid(fmt.Sprintf("regions[%d]", i), "地区须为 2、4 或 6 位区划代码前缀或 *，实际为 %q / a region is a 2-, 4- or 6-digit division code prefix or *, got %q", r, r)
		}
	}
	seen := map[string]bool{}
	for i, h := range m.Hooks {
		f := fmt.Sprintf("hooks[%d]", i)
		switch {
		case !slices.Contains(Hooks, h.Name):
			return invalid(f+".name", "未知钩子 %q；可选：%s / unknown hook %q; one of: %s", h.Name, strings.Join(Hooks, ", "), h.Name, strings.Join(Hooks, ", "))
		case seen["hook:"+h.Name]:
			return invalid(f+".name", "钩子 %q 重复 / hook %q is declared twice", h.Name, h.Name)
		case HookTimeout(h) > MaxHookTimeout:
			return invalid(f+".timeout_ms", "钩子时限最长 %d 毫秒 / a hook's deadline is at most %d ms", MaxHookTimeout.Milliseconds(), MaxHookTimeout.Milliseconds())
		}
		seen["hook:"+h.Name] = true
	}
	for i, e := range m.Events {
		if !slices.Contains(Events, e) {
			return invalid(fmt.Sprintf("events[%d]", i), "未知事件 %q；可选：%s / unknown event %q; one of: %s", e, strings.Join(Events, ", "), e, strings.Join(Events, ", "))
		}
	}
	for i, r := range m.Routes {
		if err := checkRoute(fmt.Sprintf("routes[%d]", i), r); err != nil {
			return err
		}
		key := "route:" + r.Method + " " + r.Path
		if seen[key] {
			return invalid(fmt.Sprintf("routes[%d]", i), "路由 %s %s 重复 / route %s %s is declared twice", r.Method, r.Path, r.Method, r.Path)
		}
		seen[key] = true
	}
	for i, j := range m.Jobs {
		f := fmt.Sprintf("jobs[%d]", i)
		if !namePattern.MatchString(j.Name) || seen["job:"+j.Name] {
			return invalid(f+".name", "任务名须唯一，为小写字母、数字或连字符 / a job's name must be unique lowercase letters, digits or hyphens")
		}
		seen["job:"+j.Name] = true
		if _, err := ParseSchedule(j.Schedule); err != nil {
			return invalid(f+".schedule", "%v", err)
		}
		if JobTimeout(j) > MaxJobTimeout {
			return invalid(f+".timeout_ms", "任务时限最长 %d 分钟 / a job's deadline is at most %d minutes", int(MaxJobTimeout.Minutes()), int(MaxJobTimeout.Minutes()))
		}
	}
	for i, p := range m.Permissions {
		if _, ok := Permissions[p]; !ok {
			names := slices.Sorted(mapKeys(Permissions))
			return invalid(fmt.Sprintf("permissions[%d]", i), "未知权限 %q；可选：%s / unknown permission %q; one of: %s", p, strings.Join(names, ", "), p, strings.Join(names, ", "))
		}
	}
	if _, err := CompileSettings(m.SettingsSchema); err != nil {
		return err
	}
	for i, c := range m.Console {
		f := fmt.Sprintf("console[%d]", i)
		if c.Menu.Zh == "" || (c.Kind != "page" && c.Kind != "form") {
			return invalid(f, "控制台入口须有中文菜单名，kind 为 \"page\"（页面）或 \"form\"（表单） / a console entry needs a Chinese menu name and kind page or form")
		}
		if _, _, ok := MatchRoute(m, "GET", c.Path); !ok {
			return invalid(f+".path", "控制台入口 %q 须指向插件声明的 GET 路由 / console entry %q must point at one of the plugin's GET routes", c.Path, c.Path)
		}
	}
	if o := m.OpenAPI; len(o) > 0 && !json.Valid(o) {
		return invalid("openapi", "OpenAPI 片段须为 JSON / the OpenAPI fragment must be JSON")
	}
	return nil
}

func checkRoute(f string, r Route) error {
	if !slices.Contains(methods, r.Method) {
		return invalid(f+".method", "方法须为 %s 之一 / method must be one of %s", strings.Join(methods, ", "), strings.Join(methods, ", "))
	}
	p := r.Path
	if !strings.HasPrefix(p, "/") || p == "/" || strings.HasSuffix(p, "/") || len(p) > 200 {
		return invalid(f+".path", "路径须以 / 开头、不以 / 结尾，如 /applications/{id}，实际为 %q / path must start with / and not end with it, like /applications/{id}, got %q", p, p)
	}
	for _, seg := range strings.Split(p[1:], "/") {
		if !segmentPattern.MatchString(seg) {
			return invalid(f+".path", "路径段 %q 不合法（小写字母、数字、_ . - 或 {参数}） / path segment %q must be lowercase letters, digits, _ . - or a {parameter}", seg, seg)
		}
	}
	if r.Public && r.Method != "GET" {
		return invalid(f+".public", "公开路由只能是 GET（只读） / a public route must be GET (read-only)")
	}
	if RouteTimeout(r) > MaxRouteTimeout {
		return invalid(f+".timeout_ms", "路由时限最长 %d 秒 / a route's deadline is at most %d s", int(MaxRouteTimeout.Seconds()), int(MaxRouteTimeout.Seconds()))
	}
	return nil
}

// MatchRoute finds the manifest route for method and path (below the plugin's root): its spec
// and path parameters. A path matching a route of another method only is still !ok; use
// PathKnown to tell 405 from 404.
func MatchRoute(m *Manifest, method, path string) (Route, map[string]string, bool) {
	for _, r := range m.Routes {
		if r.Method != method {
			continue
		}
		if params, ok := matchPath(r.Path, path); ok {
			return r, params, true
		}
	}
	return Route{}, nil, false
}

// PathKnown reports whether some route, of any method, matches path.
func PathKnown(m *Manifest, path string) bool {
	for _, r := range m.Routes {
		if _, ok := matchPath(r.Path, path); ok {
			return true
		}
	}
	return false
}

func matchPath(pattern, path string) (map[string]string, bool) {
	ps, xs := strings.Split(strings.TrimPrefix(pattern, "/"), "/"), strings.Split(strings.TrimPrefix(path, "/"), "/")
	if len(ps) != len(xs) {
		return nil, false
	}
	var params map[string]string
	for i, p := range ps {
		if strings.HasPrefix(p, "{") {
			if xs[i] == "" {
				return nil, false
			}
			if params == nil {
				params = map[string]string{}
			}
			params[p[1:len(p)-1]] = xs[i]
			continue
		}
		if p != xs[i] {
			return nil, false
		}
	}
	return params, true
}

// RegionAllows reports whether a plugin declaring regions may be enabled for tenant.
func RegionAllows(regions []string, tenant string) bool {
	for _, r := range regions {
		if r == "*" || strings.HasPrefix(tenant, r) {
			return true
		}
	}
	return false
}

// Subscribes reports whether the manifest subscribes to the before-hook.
func Subscribes(m *Manifest, hook string) (Hook, bool) {
	for _, h := range m.Hooks {
		if h.Name == hook {
			return h, true
		}
	}
	return Hook{}, false
}

// Granted reports whether the manifest requests permission p.
func Granted(m *Manifest, p string) bool { return slices.Contains(m.Permissions, p) }

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// CheckEnablement validates enabling (or disabling) rec for tenant (and its subtree) with
// settings and granted permissions (nil: all it requests; else only ones it requests): the tenant must lie in the plugin's regions — or, for a subtree, some region
// within it (a "3701" plugin enabled for Shandong's subtree runs in Jinan only) — a district
// has no subtree, and the settings must satisfy the plugin's schema.
func CheckEnablement(rec Record, tenant string, subtree, enabled bool, settings []byte, permissions []string) error {
	for i, p := range permissions {
		if !slices.Contains(rec.Manifest.Permissions, p) {
			return invalid(fmt.Sprintf("permissions[%d]", i), "插件 %s 未申请权限 %q（申请的：%s） / plugin %s does not request %q (it requests: %s)",
				rec.Name, p, strings.Join(rec.Manifest.Permissions, ", "), rec.Name, p, strings.Join(rec.Manifest.Permissions, ", "))
		}
	}
	if subtree && !strings.HasSuffix(tenant, "00") {
		return invalid("subtree", "区县没有下级，subtree 只能用于省、市 / a district has no subtree: subtree is for provinces and cities")
	}
	if enabled && !regionFits(rec.Manifest.Regions, tenant, subtree) {
		r := strings.Join(rec.Manifest.Regions, ", ")
		return invalid("regions", "插件 %q 只适用于其地区（%s），不能在%s启用 / plugin %s is for regions %s only, not %s", rec.Name, r, tenantName(tenant), rec.Name, r, tenant)
	}
	s, err := CompileSettings(rec.Manifest.SettingsSchema)
	if err != nil {
		return err
	}
	_, err = s.Apply(settings)
	return err
}

// tenantName names a tenant by its division's full name.
func tenantName(code string) string {
	if d, err := division.Lookup(code); err == nil {
		return d.FullName()
	}
	return code
}

func regionFits(regions []string, tenant string, subtree bool) bool {
	if RegionAllows(regions, tenant) {
		return true
	}
	if !subtree {
		return false
	}
	for _, r := range regions {
		if division.Contains(tenant, (r + "000000")[:6]) {
			return true
		}
	}
	return false
}
