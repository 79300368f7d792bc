// Package config owns loading and validating the Fengqiao server
// configuration.
//
// Values come from, in increasing order of precedence:
//
//  1. built-in defaults (see Defaults),
//  2. a YAML file (optional),
//  3. FENGQIAO_* environment variables (key with dots replaced by
//     underscores, upper case: http.addr → FENGQIAO_HTTP_ADDR),
//  4. command-line flags that were explicitly set (key with dots replaced by
//     dashes: http.addr → --http-addr).
//
// Unknown keys in the file, malformed YAML, values of the wrong type and
// values outside the allowed ranges are all errors; invalid values are
// reported as *FieldError (several joined with errors.Join). This is the only
// package in the module that imports viper.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"
)

// envPrefix is the prefix of every environment variable read by Load.
const envPrefix = "FENGQIAO"

// Config is the complete server configuration.
type Config struct {
	Server   Server
	HTTP     HTTP
	Database Database
	Auth     Auth
	Log      Log
	Tenancy  Tenancy
	Security Security
	Plugins  Plugins
	Console  Console
}

// Console configures the web console's sessions. A session ends at the earlier of its idle
// timeout, its absolute lifetime and the login token's expiry (auth.token_ttl).
type Console struct {
	IdleTimeout time.Duration // console.idle_timeout: a session unused this long ends (checked on the server); 1m..24h; default 30m
	MaxAge      time.Duration // console.max_age: a session ends this long after login whatever its use; 1m..720h; default 12h
	// SecureCookies (console.secure_cookies): mark the cookies Secure even when requests arrive
	// over plain HTTP (behind a TLS-terminating proxy); default false (Secure over TLS only).
	SecureCookies bool
}

// Server configures the kind of installation.
type Server struct {
	Environment string // server.environment: development|production; default "development". In production a missing key source stops the program instead of creating a key file
}

// Environments of server.environment.
const (
	EnvDevelopment = "development"
	EnvProduction  = "production"
)

// Production reports whether server.environment is production.
func (c Config) Production() bool { return c.Server.Environment == EnvProduction }

// Plugins configures the plugin platform.
type Plugins struct {
	Dir string // plugins.dir: where installed plugin binaries are kept; default "var/plugins"
}

// HTTP configures the HTTP listener and per-request limits.
type HTTP struct {
	Addr            string        // http.addr: host:port, port 0-65535, host may be empty; default ":8080"
	ReadTimeout     time.Duration // http.read_timeout: > 0; default 15s
	WriteTimeout    time.Duration // http.write_timeout: > 0; default 30s
	IdleTimeout     time.Duration // http.idle_timeout: > 0; default 120s
	RequestTimeout  time.Duration // http.request_timeout: per-request context deadline, > 0; default 20s
	ShutdownTimeout time.Duration // http.shutdown_timeout: > 0; default 20s
	BodyLimit       int64         // http.body_limit: bytes, 1 KiB..64 MiB; default 1 MiB
	// MetricsAddr (http.metrics_addr): host:port of a listener serving only /metrics, then not
	// served on Addr; empty (default): no such listener.
	MetricsAddr string
	// MetricsToken (http.metrics_token): bearer token /metrics asks for; a secret, >= 16 bytes
	// when set. Without it and without MetricsAddr, /metrics is not served.
	MetricsToken string
}

// Database configures the PostgreSQL connections.
type Database struct {
	URL      string // database.url: owner-role URL (migrations); may be empty at Load, see RequireDatabase
	AppURL   string // database.app_url: optional URL logging in as the application role
	AppRole  string // database.app_role: ^[a-z_][a-z0-9_]{0,62}$; default "fengqiao_app"
	MaxConns int32  // database.max_conns: 1..200; default 16
	MinConns int32  // database.min_conns: 0..MaxConns; default 0
}

// Auth configures bearer-token authentication.
type Auth struct {
	TokenKey string        // auth.token_key: HMAC key, >= 32 bytes when set; see RequireTokenKey
	TokenTTL time.Duration // auth.token_ttl: 1m..720h; default 12h
	Issuer   string        // auth.issuer: non-empty; default "fengqiao"
}

// Log configures the process logger.
type Log struct {
	Level  string // log.level: debug|info|warn|error; default "info"
	Format string // log.format: json|text; default "json"
}

// Tenancy configures tenant placement.
type Tenancy struct {
	Placements []string // tenancy.placements: non-empty, unique, each ^[a-z][a-z0-9-]{0,31}$; default ["default"]
}

// Security configures the keys that protect parties' personal data (PII).
// Every field is a secret except PIIActiveKey and KeyFile; the keys are empty
// by default, and the server then takes them from the key file (creating it
// outside production). See security.go for the format and for Keys and IndexKey.
type Security struct {
	KeyFile      string // security.key_file: path of the key file (core/keyfile), kept outside the database; default "var/keys.json"; empty: keys only from the configuration
	PIIKeys      string // security.pii_keys: "id1:base64key1,id2:base64key2", AES-256 keys; ids ^[a-z0-9-]{1,16}$, unique; keys standard or URL base64 (padding optional) of 32 bytes; may be empty
	PIIActiveKey string // security.pii_active_key: id in PIIKeys that encrypts new data; required with two or more keys, set by Load when there is exactly one; empty when PIIKeys is empty
	PIIIndexKey  string // security.pii_index_key: base64 of 32 bytes, HMAC key of the blind indexes; may be empty; must not change once data exists
}

// Binary size units.
const (
	kib int64 = 1 << 10
	mib int64 = 1 << 20
	gib int64 = 1 << 30
)

// Defaults returns the built-in configuration. Secrets (database URLs, token
// key, PII keys) are empty.
func Defaults() Config {
	return Config{
		HTTP: HTTP{
			Addr:            ":8080",
			ReadTimeout:     15 * time.Second,
			WriteTimeout:    30 * time.Second,
			IdleTimeout:     120 * time.Second,
			RequestTimeout:  20 * time.Second,
			ShutdownTimeout: 20 * time.Second,
			BodyLimit:       1 * mib,
		},
		Database: Database{
			AppRole:  "fengqiao_app",
			MaxConns: 16,
			MinConns: 0,
		},
		Auth: Auth{
			TokenTTL: 12 * time.Hour,
			Issuer:   "fengqiao",
		},
		Log: Log{
			Level:  "info",
			Format: "json",
		},
		Tenancy: Tenancy{
			Placements: []string{"default"},
		},
		Server:   Server{Environment: EnvDevelopment},
		Security: Security{KeyFile: "var/keys.json"},
		Plugins:  Plugins{Dir: "var/plugins"},
		Console:  Console{IdleTimeout: 30 * time.Minute, MaxAge: 12 * time.Hour},
	}
}

// Configuration keys.
const (
	keyServerEnvironment   = "server.environment"
	keyHTTPAddr            = "http.addr"
	keyHTTPReadTimeout     = "http.read_timeout"
	keyHTTPWriteTimeout    = "http.write_timeout"
	keyHTTPIdleTimeout     = "http.idle_timeout"
	keyHTTPRequestTimeout  = "http.request_timeout"
	keyHTTPShutdownTimeout = "http.shutdown_timeout"
	keyHTTPBodyLimit       = "http.body_limit"
	keyHTTPMetricsAddr     = "http.metrics_addr"
	keyHTTPMetricsToken    = "http.metrics_token"
	keyDBURL               = "database.url"
	keyDBAppURL            = "database.app_url"
	keyDBAppRole           = "database.app_role"
	keyDBMaxConns          = "database.max_conns"
	keyDBMinConns          = "database.min_conns"
	keyAuthTokenKey        = "auth.token_key"
	keyAuthTokenTTL        = "auth.token_ttl"
	keyAuthIssuer          = "auth.issuer"
	keyLogLevel            = "log.level"
	keyLogFormat           = "log.format"
	keyTenancyPlacements   = "tenancy.placements"
	keySecurityPIIKeys     = "security.pii_keys"
	keySecurityPIIActive   = "security.pii_active_key"
	keySecurityPIIIndexKey = "security.pii_index_key"
	keySecurityKeyFile     = "security.key_file"
	keyPluginsDir          = "plugins.dir"
	keyConsoleIdleTimeout  = "console.idle_timeout"
	keyConsoleMaxAge       = "console.max_age"
	keyConsoleSecure       = "console.secure_cookies"
)

// allKeys lists every configuration key, in documentation order.
var allKeys = []string{
	keyServerEnvironment,
	keyHTTPAddr, keyHTTPReadTimeout, keyHTTPWriteTimeout, keyHTTPIdleTimeout,
	keyHTTPRequestTimeout, keyHTTPShutdownTimeout, keyHTTPBodyLimit,
	keyHTTPMetricsAddr, keyHTTPMetricsToken,
	keyDBURL, keyDBAppURL, keyDBAppRole, keyDBMaxConns, keyDBMinConns,
	keyAuthTokenKey, keyAuthTokenTTL, keyAuthIssuer,
	keyLogLevel, keyLogFormat,
	keyTenancyPlacements,
	keySecurityPIIKeys, keySecurityPIIActive, keySecurityPIIIndexKey, keySecurityKeyFile,
	keyPluginsDir,
	keyConsoleIdleTimeout, keyConsoleMaxAge, keyConsoleSecure,
}

// envName returns the environment variable that sets key.
func envName(key string) string {
	return envPrefix + "_" + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}

// flagKeys maps flag names to keys: dots become dashes; underscores may be
// written either as underscores or as dashes ("http-read_timeout" and
// "http-read-timeout" both mean http.read_timeout).
var flagKeys = func() map[string]string {
	m := make(map[string]string, 2*len(allKeys))
	for _, k := range allKeys {
		name := strings.ReplaceAll(k, ".", "-")
		m[name] = k
		m[strings.ReplaceAll(name, "_", "-")] = k
	}
	return m
}()

// defaultValues returns the viper default for every key.
func defaultValues() map[string]any {
	d := Defaults()
	return map[string]any{
		keyServerEnvironment:   d.Server.Environment,
		keyHTTPAddr:            d.HTTP.Addr,
		keyHTTPReadTimeout:     d.HTTP.ReadTimeout,
		keyHTTPWriteTimeout:    d.HTTP.WriteTimeout,
		keyHTTPIdleTimeout:     d.HTTP.IdleTimeout,
		keyHTTPRequestTimeout:  d.HTTP.RequestTimeout,
		keyHTTPShutdownTimeout: d.HTTP.ShutdownTimeout,
		keyHTTPBodyLimit:       d.HTTP.BodyLimit,
		keyHTTPMetricsAddr:     d.HTTP.MetricsAddr,
		keyHTTPMetricsToken:    d.HTTP.MetricsToken,
		keyDBURL:               d.Database.URL,
		keyDBAppURL:            d.Database.AppURL,
		keyDBAppRole:           d.Database.AppRole,
		keyDBMaxConns:          d.Database.MaxConns,
		keyDBMinConns:          d.Database.MinConns,
		keyAuthTokenKey:        d.Auth.TokenKey,
		keyAuthTokenTTL:        d.Auth.TokenTTL,
		keyAuthIssuer:          d.Auth.Issuer,
		keyLogLevel:            d.Log.Level,
		keyLogFormat:           d.Log.Format,
		keyTenancyPlacements:   slices.Clone(d.Tenancy.Placements),
		keySecurityPIIKeys:     d.Security.PIIKeys,
		keySecurityPIIActive:   d.Security.PIIActiveKey,
		keySecurityPIIIndexKey: d.Security.PIIIndexKey,
		keySecurityKeyFile:     d.Security.KeyFile,
		keyPluginsDir:          d.Plugins.Dir,
		keyConsoleIdleTimeout:  d.Console.IdleTimeout,
		keyConsoleMaxAge:       d.Console.MaxAge,
		keyConsoleSecure:       d.Console.SecureCookies,
	}
}

// BindFlags adds the standard flags (--http-addr, --database-url,
// --database-app-url, --log-level, --log-format) to fs. Their flag defaults
// are empty so that only explicitly set flags override; the documented
// defaults are shown in the usage text. Pass the same FlagSet to Load.
func BindFlags(fs *pflag.FlagSet) {
	d := Defaults()
	fs.String("http-addr", "", fmt.Sprintf("HTTP 监听地址 / HTTP listen address, host:port (默认 / default %q; env %s)", d.HTTP.Addr, envName(keyHTTPAddr)))
	fs.String("database-url", "", fmt.Sprintf("数据库所有者角色连接串，用于迁移；建议改用环境变量 / database owner-role URL for migrations; prefer the env variable (env %s)", envName(keyDBURL)))
	fs.String("database-app-url", "", fmt.Sprintf("以应用角色登录的数据库连接串（可选）；建议改用环境变量 / optional database URL logging in as the application role; prefer the env variable (env %s)", envName(keyDBAppURL)))
	fs.String("log-level", "", fmt.Sprintf("日志级别 / log level: debug|info|warn|error (默认 / default %q; env %s)", d.Log.Level, envName(keyLogLevel)))
	fs.String("log-format", "", fmt.Sprintf("日志格式 / log format: json|text (默认 / default %q; env %s)", d.Log.Format, envName(keyLogFormat)))
}

// Load reads configuration. configPath may be "" (no file); a non-empty path
// is read as YAML whatever its extension. flags may be nil; when non-nil,
// every flag in it whose name matches a key with dots replaced by dashes
// (e.g. "http-addr", "database-url", "log-level") and that was explicitly set
// (flag.Changed) overrides. An unreadable or malformed file, an unknown key in
// the file, or any invalid value returns an error; invalid values are
// reported as *FieldError, several joined with errors.Join.
func Load(configPath string, flags *pflag.FlagSet) (Config, error) {
	v := viper.New()
	v.SetConfigType("yaml")
	v.SetEnvPrefix(envPrefix)
	v.SetEnvKeyReplacer(strings.NewReplacer(".", "_"))
	v.AutomaticEnv()
	for key, def := range defaultValues() {
		v.SetDefault(key, def)
		if err := v.BindEnv(key, envName(key)); err != nil {
			return Config{}, fmt.Errorf("绑定环境变量失败 / binding env for %s: %w", key, err)
		}
	}

	if configPath != "" {
		if err := readFile(v, configPath); err != nil {
			return Config{}, err
		}
	}

	if flags != nil {
		flags.VisitAll(func(f *pflag.Flag) {
			key, ok := flagKeys[f.Name]
			if !ok || !f.Changed {
				return
			}
			if sv, ok := f.Value.(pflag.SliceValue); ok {
				v.Set(key, sv.GetSlice())
				return
			}
			v.Set(key, f.Value.String())
		})
	}

	c, err := decode(v)
	if err != nil {
		return Config{}, err
	}
	return c, nil
}

// readFile reads the YAML file at path into v after checking that it holds
// only known keys.
func readFile(v *viper.Viper, path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("无法读取配置文件 %s / cannot read config file %s: %w", path, path, err)
	}
	// Parse into a separate instance so that the keys come from the file only.
	fv := viper.New()
	fv.SetConfigType("yaml")
	if err := fv.ReadConfig(bytes.NewReader(data)); err != nil {
		return fmt.Errorf("配置文件 %s 格式错误（应为 YAML 映射）/ malformed config file %s (want a YAML mapping): %w", path, path, err)
	}
	if err := checkFileKeys(path, fv); err != nil {
		return err
	}
	if err := v.ReadConfig(bytes.NewReader(data)); err != nil {
		return fmt.Errorf("配置文件 %s 格式错误 / malformed config file %s: %w", path, path, err)
	}
	return nil
}

// checkFileKeys reports every key in the file that is not a configuration key.
func checkFileKeys(path string, fv *viper.Viper) error {
	known := make(map[string]bool, len(allKeys))
	sections := make(map[string]bool)
	for _, k := range allKeys {
		known[k] = true
		sections[k[:strings.IndexByte(k, '.')]] = true
	}
	fileKeys := fv.AllKeys()
	slices.Sort(fileKeys)
	var errs []error
	reported := make(map[string]bool)
	for _, k := range fileKeys {
		if leaf := knownPrefix(k, known); leaf != "" {
			// e.g. "addr: {x: 1}": a mapping where a value belongs.
			if !reported[leaf] {
				reported[leaf] = true
				errs = append(errs, newFieldError(leaf, display(leaf, fv.Get(leaf))))
			}
			continue
		}
		switch {
		case known[k]:
		case sections[k]:
			// e.g. "http: 5": a section given as a scalar or list.
			errs = append(errs, &FieldError{
				Key:       k,
				Value:     displayValue(fv.Get(k)),
				Allowed:   fmt.Sprintf("a mapping of %s.* keys", k),
				allowedZH: fmt.Sprintf("由 %s.* 配置项组成的映射", k),
			})
		default:
			errs = append(errs, fmt.Errorf("配置文件 %s 中有未知配置项 %s / unknown key %s in config file %s", path, k, k, path))
		}
	}
	return errors.Join(errs...)
}

// knownPrefix returns the known key of which k is a sub-key, or "".
func knownPrefix(k string, known map[string]bool) string {
	for i := len(k) - 1; i > 0; i-- {
		if k[i] == '.' && known[k[:i]] {
			return k[:i]
		}
	}
	return ""
}

// decode converts the merged viper values into a Config and validates it.
// Values of the wrong type and invalid values are reported as *FieldError.
func decode(v *viper.Viper) (Config, error) {
	c := Defaults()
	d := decoder{v: v, given: make(map[string]string), failed: make(map[string]bool)}

	d.str(keyServerEnvironment, &c.Server.Environment)
	d.str(keyHTTPAddr, &c.HTTP.Addr)
	d.duration(keyHTTPReadTimeout, &c.HTTP.ReadTimeout)
	d.duration(keyHTTPWriteTimeout, &c.HTTP.WriteTimeout)
	d.duration(keyHTTPIdleTimeout, &c.HTTP.IdleTimeout)
	d.duration(keyHTTPRequestTimeout, &c.HTTP.RequestTimeout)
	d.duration(keyHTTPShutdownTimeout, &c.HTTP.ShutdownTimeout)
	d.byteSize(keyHTTPBodyLimit, &c.HTTP.BodyLimit)
	d.str(keyHTTPMetricsAddr, &c.HTTP.MetricsAddr)
	d.secret(keyHTTPMetricsToken, &c.HTTP.MetricsToken)
	d.str(keyDBURL, &c.Database.URL)
	d.str(keyDBAppURL, &c.Database.AppURL)
	d.str(keyDBAppRole, &c.Database.AppRole)
	d.int32(keyDBMaxConns, &c.Database.MaxConns)
	d.int32(keyDBMinConns, &c.Database.MinConns)
	d.secret(keyAuthTokenKey, &c.Auth.TokenKey)
	d.duration(keyAuthTokenTTL, &c.Auth.TokenTTL)
	d.str(keyAuthIssuer, &c.Auth.Issuer)
	d.str(keyLogLevel, &c.Log.Level)
	d.str(keyLogFormat, &c.Log.Format)
	d.list(keyTenancyPlacements, &c.Tenancy.Placements)
	d.str(keyPluginsDir, &c.Plugins.Dir)
	d.secret(keySecurityPIIKeys, &c.Security.PIIKeys)
	d.str(keySecurityPIIActive, &c.Security.PIIActiveKey)
	d.secret(keySecurityPIIIndexKey, &c.Security.PIIIndexKey)
	d.str(keySecurityKeyFile, &c.Security.KeyFile)
	d.duration(keyConsoleIdleTimeout, &c.Console.IdleTimeout)
	d.duration(keyConsoleMaxAge, &c.Console.MaxAge)
	d.boolean(keyConsoleSecure, &c.Console.SecureCookies)

	c.Server.Environment = strings.ToLower(c.Server.Environment)
	c.Log.Level = strings.ToLower(c.Log.Level)
	c.Log.Format = strings.ToLower(c.Log.Format)
	c.Security = c.Security.normalized()

	errs := d.errs
	for _, fe := range c.fieldErrors() {
		if d.failed[fe.Key] {
			continue // already reported as a type error
		}
		// Report the value as the user wrote it, unless it is hidden.
		if g, ok := d.given[fe.Key]; ok && fe.Value != hiddenValue && fe.Key != keyTenancyPlacements {
			fe.Value = g
		}
		errs = append(errs, fe)
	}
	if len(errs) > 0 {
		// Report in documentation order, whatever the kind of error.
		slices.SortStableFunc(errs, func(a, b *FieldError) int {
			return slices.Index(allKeys, a.Key) - slices.Index(allKeys, b.Key)
		})
		joined := make([]error, len(errs))
		for i, fe := range errs {
			joined[i] = fe
		}
		return Config{}, errors.Join(joined...)
	}
	return c, nil
}
