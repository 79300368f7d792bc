package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// hiddenValue replaces secret values in errors.
const hiddenValue = "(hidden)"

// FieldError reports an invalid value for one configuration key. Load and
// Validate return one or more of them (joined with errors.Join); use
// errors.As to inspect the first, or unwrap the join to see all. It is not a
// valid.Error on purpose: it names a key, its environment variable and the
// (masked) value given, and is printed by the CLI to an operator at start —
// never served to an API client as a problem.
type FieldError struct {
	Key     string // configuration key, e.g. "http.addr"
	Env     string // environment variable, e.g. "FENGQIAO_HTTP_ADDR"
	Value   string // offending value as given; "(hidden)" for secrets, passwords in database URLs are masked
	Allowed string // what is allowed, in words, e.g. "host:port, e.g. :8080"

	allowedZH string // Chinese version of Allowed, when known
}

// Error returns the message, Chinese first then English.
func (e *FieldError) Error() string {
	val := strconv.Quote(e.Value)
	if e.Value == hiddenValue {
		val = hiddenValue
	}
	envZH, envEN := " ", ""
	if e.Env != "" {
		envZH = "（环境变量 " + e.Env + "）"
		envEN = " (env " + e.Env + ")"
	}
	allowedZH := e.allowedZH
	if allowedZH == "" {
		allowedZH = e.Allowed
	}
	return fmt.Sprintf("配置项 %s%s无效：值 %s，允许：%s / invalid value for %s%s: %s; allowed: %s",
		e.Key, envZH, val, allowedZH, e.Key, envEN, val, e.Allowed)
}

// Limits.
const (
	minBodyLimit    = 1 * kib
	maxBodyLimit    = 64 * mib
	maxMaxConns     = 200
	minTokenKey     = 32
	minMetricsToken = 16
	minTokenTTL     = time.Minute
	maxTokenTTL     = 720 * time.Hour
	minConsoleIdle  = time.Minute
	maxConsoleIdle  = 24 * time.Hour
	minConsoleAge   = time.Minute
	maxConsoleAge   = 720 * time.Hour
)

var (
	appRoleRE   = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)
	placementRE = regexp.MustCompile(`^[a-z][a-z0-9-]{0,31}$`)
)

type allowed struct{ en, zh string }

var (
	durationAllowed = allowed{"a Go duration greater than 0, e.g. 15s", "大于 0 的 Go 时长，例如 15s"}
	dbURLAllowed    = allowed{
		"empty, a postgres:// or postgresql:// URL, or a key=value DSN containing host= or dbname=",
		"留空，或 postgres:// / postgresql:// 开头的 URL，或包含 host= 或 dbname= 的 key=value 连接串",
	}
)

// allowedByKey describes, per key, what is allowed.
var allowedByKey = map[string]allowed{
	keyServerEnvironment: {"one of development, production", "\"development\"（开发）、\"production\"（生产）之一"},
	keySecurityKeyFile:   {"a file path, or empty for keys only from the configuration", "文件路径，或留空（密钥只取自配置）"},
	keyHTTPAddr: {
		"host:port with a numeric port 0-65535 (host may be empty), e.g. :8080",
		"主机:端口，端口为 0-65535 的数字（主机可省略），例如 :8080",
	},
	keyHTTPMetricsAddr: {
		"empty, or host:port with a numeric port 0-65535 other than http.addr, e.g. 127.0.0.1:9090",
		"留空，或与 http.addr 不同的 主机:端口（端口为 0-65535 的数字），例如 127.0.0.1:9090",
	},
	keyHTTPMetricsToken: {
		"empty, or a secret of at least 16 bytes",
		"留空，或至少 16 字节的令牌",
	},
	keyHTTPReadTimeout:     durationAllowed,
	keyHTTPWriteTimeout:    durationAllowed,
	keyHTTPIdleTimeout:     durationAllowed,
	keyHTTPRequestTimeout:  durationAllowed,
	keyHTTPShutdownTimeout: durationAllowed,
	keyHTTPBodyLimit: {
		"a byte count or a size such as 512KiB, 1MiB, 2MB, 1M, between 1KiB and 64MiB",
		"字节数或带单位的大小（如 512KiB、1MiB、2MB、1M），范围 1KiB 至 64MiB",
	},
	keyDBURL:    dbURLAllowed,
	keyDBAppURL: dbURLAllowed,
	keyDBAppRole: {
		"a PostgreSQL role name matching ^[a-z_][a-z0-9_]{0,62}$",
		"匹配 ^[a-z_][a-z0-9_]{0,62}$ 的 PostgreSQL 角色名",
	},
	keyDBMaxConns: {"an integer between 1 and 200", "1 至 200 之间的整数"},
	keyDBMinConns: {"an integer between 0 and database.max_conns", "0 至 database.max_conns 之间的整数"},
	keyAuthTokenKey: {
		"empty, or a secret of at least 32 bytes",
		"留空，或至少 32 字节的密钥",
	},
	keyAuthTokenTTL:       {"a Go duration between 1m and 720h, e.g. 12h", "1m 至 720h 之间的 Go 时长，例如 12h"},
	keyAuthIssuer:         {"a non-empty string", "非空字符串"},
	keyLogLevel:           {"one of debug, info, warn, error", "\"debug\"、\"info\"、\"warn\"、\"error\" 之一"},
	keyLogFormat:          {"one of json, text", "json、text 之一"},
	keyPluginsDir:         {"a non-empty directory path", "非空的目录路径"},
	keyConsoleIdleTimeout: {"a Go duration between 1m and 24h, e.g. 30m", "1m 至 24h 之间的 Go 时长，例如 30m"},
	keyConsoleMaxAge:      {"a Go duration between 1m and 720h, e.g. 12h", "1m 至 720h 之间的 Go 时长，例如 12h"},
	keyConsoleSecure:      {"true or false", "true 或 false"},
	keyTenancyPlacements: {
		"a non-empty list (in env: comma-separated) of unique names matching ^[a-z][a-z0-9-]{0,31}$",
		"非空且不重复的名称列表（环境变量中以逗号分隔），每项匹配 ^[a-z][a-z0-9-]{0,31}$",
	},
	keySecurityPIIKeys: {
		"empty, or comma-separated id:key entries, id 1-16 characters of a-z, 0-9 and - (unique), key the standard or URL base64 (padding optional) of exactly 32 bytes, e.g. k2026:<output of head -c 32 /dev/urandom | base64>",
		"留空，或以逗号分隔的 id:密钥 条目，id 为 1 至 16 个 a-z、0-9、- 字符且不重复，密钥为恰好 32 字节的标准或 URL base64 编码（可省略填充），例如 k2026:<head -c 32 /dev/urandom | base64 的输出>",
	},
	keySecurityPIIActive: {
		"one of the ids in security.pii_keys (may be empty when it holds exactly one key; must be empty when it is empty)",
		"security.pii_keys 中的某个 id（其中只有一个密钥时可留空；其为空时须留空）",
	},
	keySecurityPIIIndexKey: {
		"empty, or the standard or URL base64 (padding optional) of exactly 32 bytes, e.g. the output of head -c 32 /dev/urandom | base64",
		"留空，或恰好 32 字节的标准或 URL base64 编码（可省略填充），例如 head -c 32 /dev/urandom | base64 的输出",
	},
}

// newFieldError builds the FieldError for key with the documented allowed text.
func newFieldError(key, value string) *FieldError {
	a := allowedByKey[key]
	return &FieldError{Key: key, Env: envName(key), Value: value, Allowed: a.en, allowedZH: a.zh}
}

// Validate checks every value against its documented constraints. It returns
// nil or one or more *FieldError joined with errors.Join. Empty database URLs
// and an empty token key are valid here; see RequireDatabase and
// RequireTokenKey. Empty PII keys are valid too (the server then keeps
// generated keys in the database).
func (c Config) Validate() error {
	fes := c.fieldErrors()
	errs := make([]error, len(fes))
	for i, fe := range fes {
		errs[i] = fe
	}
	return errors.Join(errs...)
}

func (c Config) fieldErrors() []*FieldError {
	var errs []*FieldError
	add := func(key, value string) { errs = append(errs, newFieldError(key, value)) }

	switch c.Server.Environment {
	case EnvDevelopment, EnvProduction:
	default:
		add(keyServerEnvironment, c.Server.Environment)
	}

	h := c.HTTP
	if !validAddr(h.Addr) {
		add(keyHTTPAddr, h.Addr)
	}
	if h.MetricsAddr != "" && (!validAddr(h.MetricsAddr) || h.MetricsAddr == h.Addr) {
		add(keyHTTPMetricsAddr, h.MetricsAddr)
	}
	if h.MetricsToken != "" && len(h.MetricsToken) < minMetricsToken {
		add(keyHTTPMetricsToken, hiddenValue)
	}
	for _, d := range []struct {
		key string
		v   time.Duration
	}{
		{keyHTTPReadTimeout, h.ReadTimeout},
		{keyHTTPWriteTimeout, h.WriteTimeout},
		{keyHTTPIdleTimeout, h.IdleTimeout},
		{keyHTTPRequestTimeout, h.RequestTimeout},
		{keyHTTPShutdownTimeout, h.ShutdownTimeout},
	} {
		if d.v <= 0 {
			add(d.key, d.v.String())
		}
	}
	if h.BodyLimit < minBodyLimit || h.BodyLimit > maxBodyLimit {
		add(keyHTTPBodyLimit, strconv.FormatInt(h.BodyLimit, 10))
	}

	db := c.Database
	if db.URL != "" && !validDatabaseURL(db.URL) {
		add(keyDBURL, redactDatabaseURL(db.URL))
	}
	if db.AppURL != "" && !validDatabaseURL(db.AppURL) {
		add(keyDBAppURL, redactDatabaseURL(db.AppURL))
	}
	if !appRoleRE.MatchString(db.AppRole) {
		add(keyDBAppRole, db.AppRole)
	}
	if db.MaxConns < 1 || db.MaxConns > maxMaxConns {
		add(keyDBMaxConns, strconv.Itoa(int(db.MaxConns)))
	}
	if db.MinConns < 0 || db.MinConns > db.MaxConns {
		fe := newFieldError(keyDBMinConns, strconv.Itoa(int(db.MinConns)))
		fe.Allowed = fmt.Sprintf("an integer between 0 and database.max_conns (%d)", db.MaxConns)
		fe.allowedZH = fmt.Sprintf("0 至 database.max_conns（%d）之间的整数", db.MaxConns)
		errs = append(errs, fe)
	}

	a := c.Auth
	if a.TokenKey != "" && len(a.TokenKey) < minTokenKey {
		add(keyAuthTokenKey, hiddenValue)
	}
	if a.TokenTTL < minTokenTTL || a.TokenTTL > maxTokenTTL {
		add(keyAuthTokenTTL, a.TokenTTL.String())
	}
	if strings.TrimSpace(a.Issuer) == "" {
		add(keyAuthIssuer, a.Issuer)
	}

	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		add(keyLogLevel, c.Log.Level)
	}
	switch c.Log.Format {
	case "json", "text":
	default:
		add(keyLogFormat, c.Log.Format)
	}

	if strings.TrimSpace(c.Plugins.Dir) == "" {
		add(keyPluginsDir, c.Plugins.Dir)
	}

	p := c.Tenancy.Placements
	if len(p) == 0 {
		add(keyTenancyPlacements, "")
	}
	for i, name := range p {
		switch {
		case !placementRE.MatchString(name):
			add(keyTenancyPlacements, name)
		case slices.Index(p, name) < i:
			fe := newFieldError(keyTenancyPlacements, name)
			fe.Allowed += fmt.Sprintf("; %q is listed more than once", name)
			fe.allowedZH += fmt.Sprintf("；%q 重复出现", name)
			errs = append(errs, fe)
		}
	}

	if c.Console.IdleTimeout < minConsoleIdle || c.Console.IdleTimeout > maxConsoleIdle {
		add(keyConsoleIdleTimeout, c.Console.IdleTimeout.String())
	}
	if c.Console.MaxAge < minConsoleAge || c.Console.MaxAge > maxConsoleAge {
		add(keyConsoleMaxAge, c.Console.MaxAge.String())
	}

	errs = append(errs, c.Security.fieldErrors()...)
	return errs
}

// RequireDatabase returns an error naming database.url and
// FENGQIAO_DATABASE_URL when no database URL is configured. Commands that
// need the database call it after Load.
func (c Config) RequireDatabase() error {
	if c.Database.URL != "" {
		return nil
	}
	return fmt.Errorf("缺少数据库连接串：请设置配置项 %s 或环境变量 %s / missing database URL: set %s or env %s",
		keyDBURL, envName(keyDBURL), keyDBURL, envName(keyDBURL))
}

// RequireTokenKey returns an error naming auth.token_key and
// FENGQIAO_AUTH_TOKEN_KEY when no token key is configured. Commands that
// issue or verify bearer tokens call it after Load.
func (c Config) RequireTokenKey() error {
	if c.Auth.TokenKey != "" {
		return nil
	}
	return fmt.Errorf("缺少令牌密钥：请设置配置项 %s 或环境变量 %s（至少 %d 字节的随机值）/ missing token key: set %s or env %s to a random secret of at least %d bytes",
		keyAuthTokenKey, envName(keyAuthTokenKey), minTokenKey, keyAuthTokenKey, envName(keyAuthTokenKey), minTokenKey)
}

// validAddr reports whether s is host:port with a numeric port 0-65535.
func validAddr(s string) bool {
	_, port, err := net.SplitHostPort(s)
	if err != nil || port == "" {
		return false
	}
	_, err = strconv.ParseUint(port, 10, 16)
	return err == nil
}

// validDatabaseURL reports whether s is a postgres:// or postgresql:// URL,
// or a key=value DSN containing host= or dbname=.
func validDatabaseURL(s string) bool {
	lower := strings.ToLower(s)
	if strings.HasPrefix(lower, "postgres://") || strings.HasPrefix(lower, "postgresql://") {
		_, err := url.Parse(s)
		return err == nil
	}
	if strings.Contains(s, "://") {
		return false
	}
	return strings.Contains(s, "host=") || strings.Contains(s, "dbname=")
}

var dsnPasswordRE = regexp.MustCompile(`(?i)(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S*)`)

// redactDatabaseURL masks passwords in a database URL or DSN so that it can
// be shown in an error. A value that cannot be parsed is hidden entirely.
func redactDatabaseURL(s string) string {
	if !strings.Contains(s, "://") {
		return dsnPasswordRE.ReplaceAllString(s, "${1}xxxxx")
	}
	u, err := url.Parse(s)
	if err != nil {
		return hiddenValue
	}
	if q := u.Query(); q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}
