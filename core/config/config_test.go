package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
)

// clearEnv blanks every FENGQIAO_* variable Load reads so that the
// environment of the test process cannot leak in (empty env values are
// ignored by Load).
func clearEnv(t *testing.T) {
	t.Helper()
	for _, k := range allKeys {
		t.Setenv(envName(k), "")
	}
}

func writeFile(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "fengqiao.yaml")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// fieldErrors returns every *FieldError in err's tree.
func fieldErrors(err error) []*FieldError {
	var out []*FieldError
	var walk func(error)
	walk = func(e error) {
		if e == nil {
			return
		}
		if fe, ok := e.(*FieldError); ok {
			out = append(out, fe)
			return
		}
		switch u := e.(type) {
		case interface{ Unwrap() []error }:
			for _, x := range u.Unwrap() {
				walk(x)
			}
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		}
	}
	walk(err)
	return out
}

func keysOf(fes []*FieldError) []string {
	var keys []string
	for _, fe := range fes {
		keys = append(keys, fe.Key)
	}
	return keys
}

func TestLoad(t *testing.T) {
	const fileYAML = `
http:
  addr: "127.0.0.1:9000"
  read_timeout: 5s
  body_limit: 2MiB
database:
  url: postgres://owner@db/fengqiao
  app_role: app_role_x
  max_conns: 32
  min_conns: 2
auth:
  token_ttl: 1h
  issuer: file-issuer
log:
  level: debug
  format: text
tenancy:
  placements: [bj, sh]
`
	fromFile := func() Config {
		c := Defaults()
		c.HTTP.Addr = "127.0.0.1:9000"
		c.HTTP.ReadTimeout = 5 * time.Second
		c.HTTP.BodyLimit = 2 << 20
		c.Database.URL = "postgres://owner@db/fengqiao"
		c.Database.AppRole = "app_role_x"
		c.Database.MaxConns = 32
		c.Database.MinConns = 2
		c.Auth.TokenTTL = time.Hour
		c.Auth.Issuer = "file-issuer"
		c.Log.Level = "debug"
		c.Log.Format = "text"
		c.Tenancy.Placements = []string{"bj", "sh"}
		return c
	}

	tests := []struct {
		name  string
		file  string // YAML; "" means no file
		env   map[string]string
		flags []string // command line parsed into a FlagSet from BindFlags plus extras
		want  func() Config
	}{
		{
			name: "defaults",
			want: Defaults,
		},
		{
			name: "empty file keeps defaults",
			file: "# nothing\n",
			want: Defaults,
		},
		{
			name: "file overrides defaults",
			file: fileYAML,
			want: fromFile,
		},
		{
			name: "env overrides file",
			file: fileYAML,
			env: map[string]string{
				"FENGQIAO_HTTP_ADDR":            ":7000",
				"FENGQIAO_HTTP_READ_TIMEOUT":    "7s",
				"FENGQIAO_HTTP_BODY_LIMIT":      "4096",
				"FENGQIAO_DATABASE_MAX_CONNS":   "50",
				"FENGQIAO_DATABASE_APP_URL":     "host=db dbname=fengqiao user=fengqiao_app",
				"FENGQIAO_AUTH_TOKEN_KEY":       strings.Repeat("k", 32),
				"FENGQIAO_LOG_LEVEL":            "WARN",
				"FENGQIAO_TENANCY_PLACEMENTS":   "gz, sz",
				"FENGQIAO_HTTP_IDLE_TIMEOUT":    "1m",
				"FENGQIAO_AUTH_ISSUER":          "env-issuer",
				"FENGQIAO_DATABASE_MIN_CONNS":   "3",
				"FENGQIAO_HTTP_WRITE_TIMEOUT":   "45s",
				"FENGQIAO_DATABASE_APP_ROLE":    "env_role",
				"FENGQIAO_AUTH_TOKEN_TTL":       "24h",
				"FENGQIAO_LOG_FORMAT":           "json",
				"FENGQIAO_DATABASE_URL":         "postgresql://owner:pw@env-db:5432/fq?sslmode=disable",
				"FENGQIAO_HTTP_REQUEST_TIMEOUT": "10s",
			},
			want: func() Config {
				c := fromFile()
				c.HTTP.Addr = ":7000"
				c.HTTP.ReadTimeout = 7 * time.Second
				c.HTTP.WriteTimeout = 45 * time.Second
				c.HTTP.IdleTimeout = time.Minute
				c.HTTP.RequestTimeout = 10 * time.Second
				c.HTTP.BodyLimit = 4096
				c.Database.URL = "postgresql://owner:pw@env-db:5432/fq?sslmode=disable"
				c.Database.AppURL = "host=db dbname=fengqiao user=fengqiao_app"
				c.Database.AppRole = "env_role"
				c.Database.MaxConns = 50
				c.Database.MinConns = 3
				c.Auth.TokenKey = strings.Repeat("k", 32)
				c.Auth.TokenTTL = 24 * time.Hour
				c.Auth.Issuer = "env-issuer"
				c.Log.Level = "warn"
				c.Log.Format = "json"
				c.Tenancy.Placements = []string{"gz", "sz"}
				return c
			},
		},
		{
			name: "env-only keys without file",
			env: map[string]string{
				"FENGQIAO_HTTP_SHUTDOWN_TIMEOUT": "3s",
				"FENGQIAO_DATABASE_URL":          "host=localhost",
			},
			want: func() Config {
				c := Defaults()
				c.HTTP.ShutdownTimeout = 3 * time.Second
				c.Database.URL = "host=localhost"
				return c
			},
		},
		{
			name: "console keys from env and file",
			file: "console:\n  idle_timeout: 5m\n  secure_cookies: true\n",
			env:  map[string]string{"FENGQIAO_CONSOLE_MAX_AGE": "2h"},
			want: func() Config {
				c := Defaults()
				c.Console = Console{IdleTimeout: 5 * time.Minute, MaxAge: 2 * time.Hour, SecureCookies: true}
				return c
			},
		},
		{
			name: "console secure_cookies from env",
			env:  map[string]string{"FENGQIAO_CONSOLE_SECURE_COOKIES": "true"},
			want: func() Config {
				c := Defaults()
				c.Console.SecureCookies = true
				return c
			},
		},
		{
			name: "flag overrides env",
			file: fileYAML,
			env: map[string]string{
				"FENGQIAO_HTTP_ADDR":    ":7000",
				"FENGQIAO_LOG_LEVEL":    "warn",
				"FENGQIAO_LOG_FORMAT":   "json",
				"FENGQIAO_DATABASE_URL": "host=env",
			},
			flags: []string{
				"--http-addr=:6000",
				"--log-level=error",
				"--database-url=dbname=flag",
				"--database-app-url=postgres://app@flag/fq",
				"--http-read-timeout=9s",  // extra flag: underscores written as dashes
				"--database-max_conns=99", // extra flag: underscores kept
				"--tenancy-placements=x,y",
			},
			want: func() Config {
				c := fromFile()
				c.HTTP.Addr = ":6000"
				c.HTTP.ReadTimeout = 9 * time.Second
				c.Log.Level = "error"
				c.Log.Format = "json" // env; --log-format not set
				c.Database.URL = "dbname=flag"
				c.Database.AppURL = "postgres://app@flag/fq"
				c.Database.MaxConns = 99
				c.Tenancy.Placements = []string{"x", "y"}
				return c
			},
		},
		{
			name:  "unset flags do not override",
			env:   map[string]string{"FENGQIAO_HTTP_ADDR": ":7000"},
			flags: []string{"--unrelated=1"},
			want: func() Config {
				c := Defaults()
				c.HTTP.Addr = ":7000"
				return c
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearEnv(t)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			path := ""
			if tt.file != "" {
				path = writeFile(t, tt.file)
			}
			var flags *pflag.FlagSet
			if tt.flags != nil {
				flags = pflag.NewFlagSet("test", pflag.ContinueOnError)
				BindFlags(flags)
				flags.Duration("http-read-timeout", 0, "")
				flags.Int32("database-max_conns", 0, "")
				flags.StringSlice("tenancy-placements", nil, "")
				flags.String("unrelated", "", "")
				if err := flags.Parse(tt.flags); err != nil {
					t.Fatal(err)
				}
			}
			got, err := Load(path, flags)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if want := tt.want(); !reflect.DeepEqual(got, want) {
				t.Errorf("Load:\n got %+v\nwant %+v", got, want)
			}
			if err := got.Validate(); err != nil {
				t.Errorf("Validate of loaded config: %v", err)
			}
		})
	}
}

func TestLoadInvalidValues(t *testing.T) {
	tests := []struct {
		name    string
		file    string
		env     map[string]string
		flags   []string
		wantKey string
		// wantValue, when set, is the FieldError.Value expected.
		wantValue string
	}{
		// http.addr
		{name: "addr without port", env: map[string]string{"FENGQIAO_HTTP_ADDR": "localhost"}, wantKey: "http.addr", wantValue: "localhost"},
		{name: "addr port out of range", env: map[string]string{"FENGQIAO_HTTP_ADDR": ":65536"}, wantKey: "http.addr"},
		{name: "addr port not numeric", env: map[string]string{"FENGQIAO_HTTP_ADDR": ":http"}, wantKey: "http.addr"},
		{name: "addr empty port", env: map[string]string{"FENGQIAO_HTTP_ADDR": "host:"}, wantKey: "http.addr"},
		{name: "addr empty via flag", flags: []string{"--http-addr="}, wantKey: "http.addr"},
		{name: "addr wrong type", file: "http:\n  addr: [1, 2]\n", wantKey: "http.addr"},
		// durations
		{name: "read_timeout not a duration", file: "http:\n  read_timeout: soon\n", wantKey: "http.read_timeout", wantValue: "soon"},
		{name: "read_timeout bare number", file: "http:\n  read_timeout: 15\n", wantKey: "http.read_timeout", wantValue: "15"},
		{name: "read_timeout zero", env: map[string]string{"FENGQIAO_HTTP_READ_TIMEOUT": "0s"}, wantKey: "http.read_timeout", wantValue: "0s"},
		{name: "write_timeout negative", env: map[string]string{"FENGQIAO_HTTP_WRITE_TIMEOUT": "-1s"}, wantKey: "http.write_timeout", wantValue: "-1s"},
		{name: "idle_timeout bad", env: map[string]string{"FENGQIAO_HTTP_IDLE_TIMEOUT": "2 minutes"}, wantKey: "http.idle_timeout"},
		{name: "request_timeout zero", file: "http:\n  request_timeout: 0s\n", wantKey: "http.request_timeout"},
		{name: "shutdown_timeout map", file: "http:\n  shutdown_timeout: {a: 1}\n", wantKey: "http.shutdown_timeout"},
		// body limit
		{name: "body_limit too small", env: map[string]string{"FENGQIAO_HTTP_BODY_LIMIT": "1023"}, wantKey: "http.body_limit", wantValue: "1023"},
		{name: "body_limit too large", file: "http:\n  body_limit: 65MiB\n", wantKey: "http.body_limit", wantValue: "65MiB"},
		{name: "body_limit negative int", file: "http:\n  body_limit: -5\n", wantKey: "http.body_limit"},
		{name: "body_limit bad unit", env: map[string]string{"FENGQIAO_HTTP_BODY_LIMIT": "1 parsec"}, wantKey: "http.body_limit"},
		{name: "body_limit fraction", file: "http:\n  body_limit: 1.5\n", wantKey: "http.body_limit"},
		// database
		{name: "url wrong scheme", env: map[string]string{"FENGQIAO_DATABASE_URL": "mysql://u@h/db"}, wantKey: "database.url"},
		{name: "url plain word", env: map[string]string{"FENGQIAO_DATABASE_URL": "fengqiao"}, wantKey: "database.url"},
		{name: "url bad escape", env: map[string]string{"FENGQIAO_DATABASE_URL": "postgres://u:p%zz@h/db"}, wantKey: "database.url", wantValue: "(hidden)"},
		{name: "app_url invalid", file: "database:\n  app_url: nonsense\n", wantKey: "database.app_url"},
		{name: "app_role uppercase", env: map[string]string{"FENGQIAO_DATABASE_APP_ROLE": "App"}, wantKey: "database.app_role", wantValue: "App"},
		{name: "app_role too long", env: map[string]string{"FENGQIAO_DATABASE_APP_ROLE": strings.Repeat("a", 64)}, wantKey: "database.app_role"},
		{name: "app_role empty", file: "database:\n  app_role: \"\"\n", wantKey: "database.app_role"},
		{name: "max_conns zero", env: map[string]string{"FENGQIAO_DATABASE_MAX_CONNS": "0"}, wantKey: "database.max_conns", wantValue: "0"},
		{name: "max_conns too many", file: "database:\n  max_conns: 201\n", wantKey: "database.max_conns", wantValue: "201"},
		{name: "max_conns not a number", file: "database:\n  max_conns: many\n", wantKey: "database.max_conns", wantValue: "many"},
		{name: "max_conns overflows int32", env: map[string]string{"FENGQIAO_DATABASE_MAX_CONNS": "4294967296"}, wantKey: "database.max_conns"},
		{name: "max_conns fraction", file: "database:\n  max_conns: 1.5\n", wantKey: "database.max_conns"},
		{name: "min_conns negative", env: map[string]string{"FENGQIAO_DATABASE_MIN_CONNS": "-1"}, wantKey: "database.min_conns"},
		{name: "min_conns above max", file: "database:\n  max_conns: 4\n  min_conns: 5\n", wantKey: "database.min_conns", wantValue: "5"},
		{name: "min_conns bool", file: "database:\n  min_conns: true\n", wantKey: "database.min_conns"},
		{name: "metrics_addr not an address", env: map[string]string{"FENGQIAO_HTTP_METRICS_ADDR": "metrics"}, wantKey: "http.metrics_addr", wantValue: "metrics"},
		{name: "metrics_addr same as addr", file: "http:\n  addr: \":8080\"\n  metrics_addr: \":8080\"\n", wantKey: "http.metrics_addr", wantValue: ":8080"},
		{name: "metrics_token short", env: map[string]string{"FENGQIAO_HTTP_METRICS_TOKEN": "short"}, wantKey: "http.metrics_token", wantValue: "(hidden)"},
		// auth
		{name: "token_key short", env: map[string]string{"FENGQIAO_AUTH_TOKEN_KEY": "short"}, wantKey: "auth.token_key", wantValue: "(hidden)"},
		{name: "token_key wrong type", file: "auth:\n  token_key: [a]\n", wantKey: "auth.token_key", wantValue: "(hidden)"},
		{name: "token_ttl too short", env: map[string]string{"FENGQIAO_AUTH_TOKEN_TTL": "59s"}, wantKey: "auth.token_ttl", wantValue: "59s"},
		{name: "token_ttl too long", file: "auth:\n  token_ttl: 721h\n", wantKey: "auth.token_ttl"},
		{name: "token_ttl not a duration", env: map[string]string{"FENGQIAO_AUTH_TOKEN_TTL": "1d"}, wantKey: "auth.token_ttl"},
		{name: "issuer blank", file: "auth:\n  issuer: \"  \"\n", wantKey: "auth.issuer"},
		// console
		{name: "console idle_timeout too short", env: map[string]string{"FENGQIAO_CONSOLE_IDLE_TIMEOUT": "59s"}, wantKey: "console.idle_timeout", wantValue: "59s"},
		{name: "console idle_timeout too long", file: "console:\n  idle_timeout: 25h\n", wantKey: "console.idle_timeout"},
		{name: "console idle_timeout not a duration", env: map[string]string{"FENGQIAO_CONSOLE_IDLE_TIMEOUT": "30"}, wantKey: "console.idle_timeout"},
		{name: "console max_age zero", file: "console:\n  max_age: 0s\n", wantKey: "console.max_age"},
		{name: "console max_age too long", env: map[string]string{"FENGQIAO_CONSOLE_MAX_AGE": "721h"}, wantKey: "console.max_age", wantValue: "721h"},
		{name: "console secure_cookies not a bool", env: map[string]string{"FENGQIAO_CONSOLE_SECURE_COOKIES": "maybe"}, wantKey: "console.secure_cookies", wantValue: "maybe"},
		{name: "console secure_cookies a list", file: "console:\n  secure_cookies: [true]\n", wantKey: "console.secure_cookies"},
		// log
		{name: "level unknown", env: map[string]string{"FENGQIAO_LOG_LEVEL": "trace"}, wantKey: "log.level", wantValue: "trace"},
		{name: "level via flag", flags: []string{"--log-level=verbose"}, wantKey: "log.level"},
		{name: "level is a mapping", file: "log:\n  level:\n    x: 1\n", wantKey: "log.level", wantValue: "map[x:1]"},
		{name: "format unknown", file: "log:\n  format: xml\n", wantKey: "log.format", wantValue: "xml"},
		// tenancy
		{name: "placements empty list", file: "tenancy:\n  placements: []\n", wantKey: "tenancy.placements"},
		{name: "placements bad name", env: map[string]string{"FENGQIAO_TENANCY_PLACEMENTS": "ok,Bad"}, wantKey: "tenancy.placements", wantValue: "Bad"},
		{name: "placements empty element", env: map[string]string{"FENGQIAO_TENANCY_PLACEMENTS": "a,,b"}, wantKey: "tenancy.placements", wantValue: ""},
		{name: "placements starts with digit", file: "tenancy:\n  placements: [1a]\n", wantKey: "tenancy.placements"},
		{name: "placements too long", file: "tenancy:\n  placements: [" + strings.Repeat("a", 33) + "]\n", wantKey: "tenancy.placements"},
		{name: "placements duplicate", file: "tenancy:\n  placements: [a, b, a]\n", wantKey: "tenancy.placements", wantValue: "a"},
		{name: "placements non-string element", file: "tenancy:\n  placements: [a, 5]\n", wantKey: "tenancy.placements"},
		{name: "placements map", file: "tenancy:\n  placements: {a: 1}\n", wantKey: "tenancy.placements"},
		// section of the wrong shape
		{name: "section is scalar", file: "http: 5\n", wantKey: "http"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearEnv(t)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			path := ""
			if tt.file != "" {
				path = writeFile(t, tt.file)
			}
			var flags *pflag.FlagSet
			if tt.flags != nil {
				flags = pflag.NewFlagSet("test", pflag.ContinueOnError)
				BindFlags(flags)
				if err := flags.Parse(tt.flags); err != nil {
					t.Fatal(err)
				}
			}
			got, err := Load(path, flags)
			if err == nil {
				t.Fatalf("Load succeeded with %+v, want FieldError for %s", got, tt.wantKey)
			}
			fes := fieldErrors(err)
			if len(fes) != 1 {
				t.Fatalf("got field errors for %v, want exactly one for %s; err: %v", keysOf(fes), tt.wantKey, err)
			}
			fe := fes[0]
			if fe.Key != tt.wantKey {
				t.Fatalf("FieldError.Key = %q, want %q", fe.Key, tt.wantKey)
			}
			var first *FieldError
			if !errors.As(err, &first) || first != fe {
				t.Errorf("errors.As did not find the FieldError")
			}
			if tt.wantValue != "" || strings.Contains(tt.name, "empty element") {
				if fe.Value != tt.wantValue {
					t.Errorf("FieldError.Value = %q, want %q", fe.Value, tt.wantValue)
				}
			}
			if strings.Contains(fe.Key, ".") && fe.Env != envName(fe.Key) {
				t.Errorf("FieldError.Env = %q, want %q", fe.Env, envName(fe.Key))
			}
			if fe.Allowed == "" {
				t.Errorf("FieldError.Allowed is empty")
			}
			msg := err.Error()
			for _, part := range []string{fe.Key, fe.Env, fe.Allowed, "配置项", "invalid value for"} {
				if !strings.Contains(msg, part) {
					t.Errorf("message %q does not contain %q", msg, part)
				}
			}
			if strings.Index(msg, "配置项") > strings.Index(msg, "invalid value") {
				t.Errorf("message %q: Chinese should come before English", msg)
			}
			if !reflect.DeepEqual(got, Config{}) {
				t.Errorf("Load returned non-zero Config with error: %+v", got)
			}
		})
	}
}

func TestValidateDefaults(t *testing.T) {
	if err := Defaults().Validate(); err != nil {
		t.Fatalf("Defaults().Validate() = %v", err)
	}
	d1, d2 := Defaults(), Defaults()
	d1.Tenancy.Placements[0] = "changed"
	if d2.Tenancy.Placements[0] != "default" {
		t.Fatal("Defaults shares the placements slice between calls")
	}
}

func TestValidateReportsAllErrors(t *testing.T) {
	c := Defaults()
	c.HTTP.Addr = "bad"
	c.HTTP.ReadTimeout = 0
	c.Log.Level = "loud"
	err := c.Validate()
	got := keysOf(fieldErrors(err))
	want := []string{"http.addr", "http.read_timeout", "log.level"}
	if !slices.Equal(got, want) {
		t.Fatalf("keys = %v, want %v (err %v)", got, want, err)
	}
}

func TestLoadFileErrors(t *testing.T) {
	tests := []struct {
		name     string
		path     func(t *testing.T) string
		contains []string
		is       error
	}{
		{
			name:     "unknown top-level key",
			path:     func(t *testing.T) string { return writeFile(t, "listen: :80\n") },
			contains: []string{"未知配置项 listen", "unknown key listen"},
		},
		{
			name:     "unknown nested key",
			path:     func(t *testing.T) string { return writeFile(t, "http:\n  addr: \":1\"\n  adr: \":2\"\n") },
			contains: []string{"http.adr"},
		},
		{
			name:     "malformed YAML",
			path:     func(t *testing.T) string { return writeFile(t, "http:\n  addr: [\n") },
			contains: []string{"格式错误", "malformed config file"},
		},
		{
			name:     "top level is a list",
			path:     func(t *testing.T) string { return writeFile(t, "- a\n- b\n") },
			contains: []string{"malformed config file"},
		},
		{
			name:     "missing file",
			path:     func(t *testing.T) string { return filepath.Join(t.TempDir(), "nope.yaml") },
			contains: []string{"无法读取配置文件", "cannot read config file", "nope.yaml"},
			is:       fs.ErrNotExist,
		},
		{
			name:     "path is a directory",
			path:     func(t *testing.T) string { return t.TempDir() },
			contains: []string{"cannot read config file"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearEnv(t)
			_, err := Load(tt.path(t), nil)
			if err == nil {
				t.Fatal("Load succeeded, want error")
			}
			for _, s := range tt.contains {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not contain %q", err, s)
				}
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("errors.Is(%v, %v) = false", err, tt.is)
			}
		})
	}
}

func TestExampleFile(t *testing.T) {
	clearEnv(t)
	got, err := Load("../../deploy/fengqiao.example.yaml", nil)
	if err != nil {
		t.Fatalf("Load example: %v", err)
	}
	want := Defaults()
	// Secrets are empty in the example (and in Defaults); be explicit anyway.
	want.Database.URL, want.Database.AppURL, want.Auth.TokenKey = "", "", ""
	if !reflect.DeepEqual(got, want) {
		t.Errorf("example file differs from Defaults():\n got %+v\nwant %+v", got, want)
	}

	// Every key must appear in the example together with its env variable.
	data, err := os.ReadFile("../../deploy/fengqiao.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range allKeys {
		leaf := k[strings.IndexByte(k, '.')+1:]
		if !strings.Contains(string(data), "  "+leaf+":") {
			t.Errorf("example file lacks key %s", k)
		}
		if !strings.Contains(string(data), envName(k)) {
			t.Errorf("example file does not mention %s", envName(k))
		}
	}
}

func TestParseByteSize(t *testing.T) {
	tests := []struct {
		in      string
		want    int64
		wantErr bool
	}{
		{in: "0", want: 0},
		{in: "1048576", want: 1 << 20},
		{in: "1024B", want: 1024},
		{in: "1MiB", want: 1 << 20},
		{in: "512KiB", want: 512 << 10},
		{in: "512kib", want: 512 << 10},
		{in: "2MB", want: 2_000_000},
		{in: "2mb", want: 2_000_000},
		{in: "3KB", want: 3000},
		{in: "1M", want: 1 << 20},
		{in: "1m", want: 1 << 20},
		{in: "64K", want: 64 << 10},
		{in: "8Mi", want: 8 << 20},
		{in: "1GiB", want: 1 << 30},
		{in: "1GB", want: 1_000_000_000},
		{in: "1G", want: 1 << 30},
		{in: " 1 MiB ", want: 1 << 20},
		{in: "007KiB", want: 7 << 10},
		{in: "", wantErr: true},
		{in: "MiB", wantErr: true},
		{in: "-1", wantErr: true},
		{in: "+1", wantErr: true},
		{in: "1.5MiB", wantErr: true},
		{in: "1 MiB extra", wantErr: true},
		{in: "1TiB", wantErr: true},
		{in: "1e6", wantErr: true},
		{in: "0x10", wantErr: true},
		{in: "9223372036854775807", want: 9223372036854775807},
		{in: "9223372036854775808", wantErr: true},
		{in: "9007199254740992KiB", wantErr: true},
		{in: "8589934592GiB", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseByteSize(tt.in)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("parseByteSize(%q) = %d, want error", tt.in, got)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("parseByteSize(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestBodyLimitLoad(t *testing.T) {
	tests := []struct {
		name string
		file string
		env  string
		want int64
	}{
		{name: "yaml integer", file: "http:\n  body_limit: 2048\n", want: 2048},
		{name: "yaml size string", file: "http:\n  body_limit: 512KiB\n", want: 512 << 10},
		{name: "yaml integral float", file: "http:\n  body_limit: 4096.0\n", want: 4096},
		{name: "env decimal unit", env: "2MB", want: 2_000_000},
		{name: "env shorthand", env: "1M", want: 1 << 20},
		{name: "lower bound", env: "1KiB", want: 1 << 10},
		{name: "upper bound", env: "64MiB", want: 64 << 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearEnv(t)
			path := ""
			if tt.file != "" {
				path = writeFile(t, tt.file)
			}
			if tt.env != "" {
				t.Setenv("FENGQIAO_HTTP_BODY_LIMIT", tt.env)
			}
			c, err := Load(path, nil)
			if err != nil {
				t.Fatal(err)
			}
			if c.HTTP.BodyLimit != tt.want {
				t.Errorf("BodyLimit = %d, want %d", c.HTTP.BodyLimit, tt.want)
			}
		})
	}
}

func TestPlacementsEnv(t *testing.T) {
	tests := []struct {
		name string
		env  string
		want []string
	}{
		{name: "single", env: "bj", want: []string{"bj"}},
		{name: "comma separated", env: "bj,sh,gz-2", want: []string{"bj", "sh", "gz-2"}},
		{name: "spaces trimmed", env: " bj , sh ", want: []string{"bj", "sh"}},
		{name: "empty env means default", env: "", want: []string{"default"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearEnv(t)
			t.Setenv("FENGQIAO_TENANCY_PLACEMENTS", tt.env)
			// The env list replaces, not merges with, the file list.
			path := writeFile(t, "tenancy:\n  placements: [file-a, file-b]\n")
			c, err := Load(path, nil)
			if err != nil {
				t.Fatal(err)
			}
			want := tt.want
			if tt.env == "" {
				want = []string{"file-a", "file-b"}
			}
			if !slices.Equal(c.Tenancy.Placements, want) {
				t.Errorf("Placements = %q, want %q", c.Tenancy.Placements, want)
			}
			c2, err := Load("", nil)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(c2.Tenancy.Placements, tt.want) {
				t.Errorf("without file: Placements = %q, want %q", c2.Tenancy.Placements, tt.want)
			}
		})
	}
}

func TestSecretsNeverEchoed(t *testing.T) {
	const secret = "s3cr3t-token-value"
	const dbPassword = "hunter2-db-password"
	tests := []struct {
		name string
		env  map[string]string
		file string
		key  string
	}{
		{name: "short token key from env", env: map[string]string{"FENGQIAO_AUTH_TOKEN_KEY": secret}, key: "auth.token_key"},
		{name: "short token key from file", file: "auth:\n  token_key: " + secret + "\n", key: "auth.token_key"},
		{name: "token key wrong type", file: "auth:\n  token_key: {k: " + secret + "}\n", key: "auth.token_key"},
		{name: "db url password masked", env: map[string]string{"FENGQIAO_DATABASE_URL": "mysql://u:" + dbPassword + "@h/db"}, key: "database.url"},
		{name: "db url query password masked", env: map[string]string{"FENGQIAO_DATABASE_URL": "mysql://h/db?password=" + dbPassword}, key: "database.url"},
		{name: "dsn password masked", env: map[string]string{"FENGQIAO_DATABASE_APP_URL": "user=x password=" + dbPassword + " port=5432"}, key: "database.app_url"},
		{name: "dsn quoted password masked", env: map[string]string{"FENGQIAO_DATABASE_APP_URL": "user=x password='" + dbPassword + " x' port=5432"}, key: "database.app_url"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearEnv(t)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			path := ""
			if tt.file != "" {
				path = writeFile(t, tt.file)
			}
			_, err := Load(path, nil)
			if err == nil {
				t.Fatal("Load succeeded, want error")
			}
			fes := fieldErrors(err)
			if len(fes) != 1 || fes[0].Key != tt.key {
				t.Fatalf("field errors %v, want one for %s", keysOf(fes), tt.key)
			}
			for _, s := range []string{secret, dbPassword} {
				if strings.Contains(err.Error(), s) || strings.Contains(fes[0].Value, s) {
					t.Errorf("error echoes secret: %v", err)
				}
			}
			if tt.key == "auth.token_key" && fes[0].Value != "(hidden)" {
				t.Errorf("Value = %q, want (hidden)", fes[0].Value)
			}
		})
	}
}

func TestRequire(t *testing.T) {
	c := Defaults()
	if err := c.RequireDatabase(); err == nil || !strings.Contains(err.Error(), "database.url") || !strings.Contains(err.Error(), "FENGQIAO_DATABASE_URL") {
		t.Errorf("RequireDatabase() = %v", err)
	}
	if err := c.RequireTokenKey(); err == nil || !strings.Contains(err.Error(), "auth.token_key") || !strings.Contains(err.Error(), "FENGQIAO_AUTH_TOKEN_KEY") {
		t.Errorf("RequireTokenKey() = %v", err)
	}
	c.Database.URL = "postgres://h/db"
	c.Auth.TokenKey = strings.Repeat("x", 32)
	if err := c.RequireDatabase(); err != nil {
		t.Errorf("RequireDatabase() = %v", err)
	}
	if err := c.RequireTokenKey(); err != nil {
		t.Errorf("RequireTokenKey() = %v", err)
	}
}

func TestBindFlags(t *testing.T) {
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	BindFlags(fs)
	for _, name := range []string{"http-addr", "database-url", "database-app-url", "log-level", "log-format"} {
		f := fs.Lookup(name)
		if f == nil {
			t.Errorf("flag --%s not defined", name)
			continue
		}
		if f.DefValue != "" {
			t.Errorf("flag --%s default = %q, want empty", name, f.DefValue)
		}
		if _, ok := flagKeys[name]; !ok {
			t.Errorf("flag --%s does not map to a key", name)
		}
	}
	if u := fs.Lookup("http-addr").Usage; !strings.Contains(u, `":8080"`) || !strings.Contains(u, "FENGQIAO_HTTP_ADDR") {
		t.Errorf("http-addr usage %q lacks default or env", u)
	}
}

func TestFieldErrorMessage(t *testing.T) {
	fe := &FieldError{Key: "http.addr", Env: "FENGQIAO_HTTP_ADDR", Value: "x y", Allowed: "host:port, e.g. :8080"}
	want := `配置项 http.addr（环境变量 FENGQIAO_HTTP_ADDR）无效：值 "x y"，允许：host:port, e.g. :8080 / invalid value for http.addr (env FENGQIAO_HTTP_ADDR): "x y"; allowed: host:port, e.g. :8080`
	if got := fe.Error(); got != want {
		t.Errorf("Error() =\n%s\nwant\n%s", got, want)
	}
	hidden := &FieldError{Key: "auth.token_key", Env: "FENGQIAO_AUTH_TOKEN_KEY", Value: "(hidden)", Allowed: "at least 32 bytes"}
	if got := hidden.Error(); strings.Contains(got, `"(hidden)"`) || !strings.Contains(got, "(hidden)") {
		t.Errorf("Error() = %s", got)
	}
}

func FuzzParseByteSize(f *testing.F) {
	for _, s := range []string{"0", "1024", "1MiB", "512KiB", "2MB", "1M", " 64 mib ", "65MiB", "-1", "1.5K", "9223372036854775807", "99999999999999999999GiB", "1\x00K", "１MiB"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := parseByteSize(s)
		if err != nil {
			return
		}
		if n < 0 {
			t.Fatalf("parseByteSize(%q) = %d, negative", s, n)
		}
		// An accepted size is a valid body limit exactly when it is within limits.
		c := Defaults()
		c.HTTP.BodyLimit = n
		inRange := n >= minBodyLimit && n <= maxBodyLimit
		if err := c.Validate(); (err == nil) != inRange {
			t.Fatalf("size %q = %d: Validate() = %v, in range = %v", s, n, err, inRange)
		}
		// Loading the same value from env agrees with the parser.
		if strings.ContainsRune(s, 0) {
			return // not representable in the environment
		}
		t.Setenv("FENGQIAO_HTTP_BODY_LIMIT", s)
		for _, k := range allKeys {
			if k != keyHTTPBodyLimit {
				t.Setenv(envName(k), "")
			}
		}
		got, err := Load("", nil)
		if strings.TrimSpace(s) == "" {
			return
		}
		if inRange != (err == nil) || (err == nil && got.HTTP.BodyLimit != n) {
			t.Fatalf("Load with body_limit %q: %+v, %v; parser gave %d", s, got.HTTP, err, n)
		}
	})
}
