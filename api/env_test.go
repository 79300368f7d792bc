package api_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/fengqiao/fengqiao/api"
	"github.com/fengqiao/fengqiao/cmd/fengqiao/app"
	"github.com/fengqiao/fengqiao/core/audit"
	"github.com/fengqiao/fengqiao/core/authz"
	"github.com/fengqiao/fengqiao/core/cases"
	"github.com/fengqiao/fengqiao/core/config"
	"github.com/fengqiao/fengqiao/core/identity"
	"github.com/fengqiao/fengqiao/core/jobs"
	"github.com/fengqiao/fengqiao/core/pluginhost"
	"github.com/fengqiao/fengqiao/core/store"
	"github.com/fengqiao/fengqiao/core/store/storetest"
	"github.com/fengqiao/fengqiao/core/tenant"
	"github.com/fengqiao/fengqiao/core/warnings"
	"github.com/prometheus/client_golang/prometheus"
)

// env is the whole product behind a test HTTP server, on a fresh database.
type env struct {
	t        testing.TB
	srv      *httptest.Server
	api      *api.Server
	store    *store.Store
	queue    *jobs.Runner // works the job queue (with the plugin manager, if any)
	authz    *authz.Authorizer
	cases    *cases.Service
	warnings *warnings.Service
	owner    string              // the database's owner URL
	tokens   map[string]string   // username → bearer token
	ids      map[string]string   // username → user id
	plugins  *pluginhost.Manager // with envOptions.plugins
	metrics  prometheus.Gatherer // with envOptions.plugins
	deps     api.Deps            // what the server was built with, for a second server on the same database
}

// envOptions vary the env.
type envOptions struct {
	plugins bool // run the plugin platform (core/pluginhost)
	// pluginOptions tune its supervision (crash limit, backoff).
	pluginOptions pluginhost.Options
}

const testBodyLimit = 64 << 10

// client keeps connections for the concurrent benchmarks (the default keeps two per host).
var client = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}, Timeout: time.Minute}

// testUsers are created in every env: username → (tenant, role).
var testUsers = []struct{ username, tenant, role string }{
	{"nation", "000000", identity.RoleNationalAdmin},
	{"sh-prov", "310000", identity.RoleProvinceAdmin},
	{"sd-prov", "370000", identity.RoleProvinceAdmin},
	{"jinan-city", "370100", identity.RoleCityAdmin},
	{"putuo-admin", "310107", identity.RoleDistrictAdmin},
	{"putuo-staff", "310107", identity.RoleDistrictStaff},
	{"qingpu-admin", "310118", identity.RoleDistrictAdmin},
	{"huaiyin-admin", "370104", identity.RoleDistrictAdmin},
	{"huaiyin-staff", "370104", identity.RoleDistrictStaff},
}

const testPassword = "correct-horse-42"

func newEnv(t testing.TB) *env { t.Helper(); return newEnvWith(t, envOptions{}) }

func newEnvWith(t testing.TB, o envOptions) *env {
	t.Helper()
	owner := storetest.NewDatabase(t)
	ctx := audit.WithActor(context.Background(), audit.Actor{Subject: "system:test"})
	opts := app.Options{Serve: true, Logger: discardLogger(), Version: "test"}
	var gatherer prometheus.Gatherer
	if o.plugins {
		reg := prometheus.NewRegistry()
		opts.Registerer, opts.Gatherer = reg, reg
		gatherer = reg
		opts.Plugins, opts.PluginHost = true, pluginOptions(o.pluginOptions)
	}
	a, err := app.New(ctx, testConfig(owner), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	e := &env{t: t, srv: httptest.NewServer(a.API.Handler()), api: a.API, store: a.Store, queue: a.Queue, authz: a.Authz, cases: a.Cases, warnings: a.Warnings, owner: owner, tokens: map[string]string{}, ids: map[string]string{}, plugins: a.Plugins, metrics: gatherer, deps: a.Deps}
	t.Cleanup(e.srv.Close)

	plan, err := tenant.PlanOnboarding("000000", []string{"310107", "310118", "370104", "370105"}, true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Tenants.Execute(ctx, "000000", plan); err != nil {
		t.Fatal(err)
	}
	for _, u := range testUsers {
		created, err := a.Identity.CreateUser(ctx, nil, u.tenant, identity.NewUser{Username: u.username, Password: testPassword, Roles: []string{u.role}})
		if err != nil {
			t.Fatalf("create %s: %v", u.username, err)
		}
		e.ids[u.username] = created.ID
	}
	for _, u := range testUsers {
		e.tokens[u.username] = e.login(u.username, testPassword)
	}
	return e
}

// testConfig is the configuration of an env on the database owner: keys configured (no key
// file), two placements.
func testConfig(owner string) config.Config {
	key := func(b byte) string { return base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{b}, 32)) }
	return config.Config{
		Database: config.Database{URL: owner, MaxConns: 8},
		Auth:     config.Auth{TokenKey: strings.Repeat("k", 32), TokenTTL: time.Hour, Issuer: "fengqiao-test"},
		Security: config.Security{PIIKeys: "t1:" + key(1), PIIActiveKey: "t1", PIIIndexKey: key(2)},
		Tenancy:  config.Tenancy{Placements: []string{"default", "east"}},
		HTTP:     config.HTTP{BodyLimit: testBodyLimit, MetricsToken: testMetricsToken},
	}
}

func pluginOptions(o pluginhost.Options) pluginhost.Options {
	if o.Logger == nil {
		o.Logger = discardLogger()
	}
	o.HealthInterval = time.Hour
	return o
}

func (e *env) login(username, password string) string {
	e.t.Helper()
	res := e.do("", http.MethodPost, "/api/v1/auth/login", map[string]string{"username": username, "password": password})
	if res.status != http.StatusOK {
		e.t.Fatalf("login %s: %d %s", username, res.status, res.body)
	}
	return res.json["token"].(string)
}

type response struct {
	status int
	header http.Header
	body   []byte
	json   map[string]any
}

// do sends a request as user (a username of the env, a raw "Bearer …" value, or "" for none).
// body may be a string (sent as is), nil, or anything JSON-encodable.
func (e *env) do(as, method, path string, body any) response {
	e.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = bytes.NewReader(b)
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		r = bytes.NewReader(buf)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, r)
	if err != nil {
		e.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	switch {
	case strings.HasPrefix(as, "Bearer ") || strings.HasPrefix(as, "Basic "):
		req.Header.Set("Authorization", as)
	case as != "":
		tok, ok := e.tokens[as]
		if !ok {
			e.t.Fatalf("no such test user %q", as)
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	return e.send(req)
}

// send performs a prepared request.
func (e *env) send(req *http.Request) response {
	e.t.Helper()
	res, err := client.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	out := response{status: res.StatusCode, header: res.Header}
	out.body, _ = io.ReadAll(res.Body)
	_ = json.Unmarshal(out.body, &out.json)
	return out
}

func mustJSON(t testing.TB, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
