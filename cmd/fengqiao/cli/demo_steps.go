package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/fengqiao/fengqiao/cmd/fengqiao/app"
	"github.com/fengqiao/fengqiao/core/orgs"
	"github.com/fengqiao/fengqiao/tenants"
)

// demoCaller sends the demo's API calls in-process through the real API, each as the demo user
// it names (logged in with the seed's password), so that a demo step is exactly what that user
// could do: the same validation, authorization, case relationships and audit.
type demoCaller struct {
	a         *app.App
	handler   http.Handler
	passwords map[string]string // username → password, from the seed
	tokens    map[string]string // username → bearer token, logged in once
	cases     map[string]string // demo case key → case ID
	now       time.Time
}

func newDemoCaller(a *app.App, s tenants.Seed, now time.Time) (*demoCaller, error) {
	if a.API == nil {
		return nil, fmt.Errorf("demo calls need the API (app.Options.Serve)")
	}
	c := &demoCaller{a: a, handler: a.API.Handler(), passwords: map[string]string{}, tokens: map[string]string{}, cases: map[string]string{}, now: now}
	for _, u := range s.Users {
		c.passwords[u.Username] = u.Password
	}
	return c, nil
}

// shanghaiTime is the zone of the demo's dates (China Standard Time, no daylight saving).
var shanghaiTime = time.FixedZone("CST", 8*3600)

var placeholder = regexp.MustCompile(`\$\{(org|user|case|mediator|date|time):([^}]*)\}`)

// expand replaces the placeholders of s; tenant is the tenant of organisation and mediator names.
func (c *demoCaller) expand(ctx context.Context, tenant, s string) (string, error) {
	var failed error
	out := placeholder.ReplaceAllStringFunc(s, func(m string) string {
		sub := placeholder.FindStringSubmatch(m)
		v, err := c.resolve(ctx, tenant, sub[1], sub[2])
		if err != nil && failed == nil {
			failed = fmt.Errorf("%s: %w", m, err)
		}
		return v
	})
	return out, failed
}

func (c *demoCaller) resolve(ctx context.Context, tenant, kind, arg string) (string, error) {
	switch kind {
	case "date", "time":
		days, err := strconv.Atoi(strings.TrimPrefix(arg, "+"))
		if err != nil {
			return "", fmt.Errorf("days must be a number like -3 or +2")
		}
		t := c.now.In(shanghaiTime).AddDate(0, 0, days)
		if kind == "date" {
			return t.Format(time.DateOnly), nil
		}
		return t.Format(time.RFC3339), nil
	case "case":
		if id, ok := c.cases[arg]; ok {
			return id, nil
		}
		return "", fmt.Errorf("no demo case with this key was created before")
	case "user":
		u, err := c.a.Identity.UserByName(ctx, arg)
		if err != nil {
			return "", err
		}
		return u.ID, nil
	case "org":
		list, err := c.a.Orgs.Organisations(ctx, tenant, orgs.Filter{Limit: 500})
		if err != nil {
			return "", err
		}
		for _, o := range list {
			if o.Name == arg {
				return o.ID, nil
			}
		}
	case "mediator":
		list, err := c.a.Orgs.Mediators(ctx, tenant, orgs.Filter{Limit: 500})
		if err != nil {
			return "", err
		}
		for _, m := range list {
			if m.Name == arg {
				return m.ID, nil
			}
		}
	}
	return "", fmt.Errorf("not found in tenant %s", tenant)
}

// expandValue expands the placeholders of every string of a YAML-decoded value.
func (c *demoCaller) expandValue(ctx context.Context, tenant string, v any) (any, error) {
	switch v := v.(type) {
	case string:
		return c.expand(ctx, tenant, v)
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			x, err := c.expandValue(ctx, tenant, e)
			if err != nil {
				return nil, err
			}
			out[k] = x
		}
		return out, nil
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			x, err := c.expandValue(ctx, tenant, e)
			if err != nil {
				return nil, err
			}
			out[i] = x
		}
		return out, nil
	}
	return v, nil
}

// token logs the demo user in once.
func (c *demoCaller) token(username string) (string, error) {
	if t, ok := c.tokens[username]; ok {
		return t, nil
	}
	pw, ok := c.passwords[username]
	if !ok {
		return "", fmt.Errorf("%s is not a user of the demo seed", username)
	}
	body, _ := json.Marshal(map[string]string{"username": username, "password": pw})
	status, out := c.send(http.MethodPost, "/api/v1/auth/login", "", body)
	if status != http.StatusOK {
		return "", fmt.Errorf("login as %s: %d %s", username, status, out)
	}
	var res struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(out, &res); err != nil || res.Token == "" {
		return "", fmt.Errorf("login as %s: no token in %s", username, out)
	}
	c.tokens[username] = res.Token
	return res.Token, nil
}

func (c *demoCaller) send(method, path, token string, body []byte) (int, []byte) {
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req := httptest.NewRequest(method, path, r)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	c.handler.ServeHTTP(rec, req)
	return rec.Code, rec.Body.Bytes()
}

// call sends one demo call; caseBase is the case's path for a step ("" for a top-level call).
// It returns the status; a status other than the expected one is an error naming the call.
func (c *demoCaller) call(ctx context.Context, sc tenants.SeedCall, tenant, caseBase string) (int, error) {
	if sc.Tenant != "" {
		tenant = sc.Tenant
	}
	path, err := c.expand(ctx, tenant, sc.Path)
	if err != nil {
		return 0, fmt.Errorf("demo call %s: %w", sc.Path, err)
	}
	if !strings.HasPrefix(path, "/") {
		if caseBase == "" {
			return 0, fmt.Errorf("demo call %s: a top-level call needs an absolute path", sc.Path)
		}
		path = caseBase + path
	}
	method := sc.Method
	if method == "" {
		method = http.MethodPost
	}
	var body []byte
	if sc.Body != nil {
		v, err := c.expandValue(ctx, tenant, sc.Body)
		if err != nil {
			return 0, fmt.Errorf("demo call %s %s: %w", method, path, err)
		}
		if body, err = json.Marshal(v); err != nil {
			return 0, err
		}
	}
	tok, err := c.token(sc.As)
	if err != nil {
		return 0, err
	}
	status, out := c.send(method, path, tok, body)
	ok := status == sc.Expect || (sc.Expect == 0 && status >= 200 && status < 300)
	if !ok {
		return status, fmt.Errorf("demo call %s %s as %s: %d %s", method, path, sc.As, status, out)
	}
	return status, nil
}

// calls runs the seed's top-level calls; a 409 counts as done (the seed ran before).
func (c *demoCaller) calls(ctx context.Context, list []tenants.SeedCall) (int, error) {
	done := 0
	for _, sc := range list {
		status, err := c.call(ctx, sc, sc.Tenant, "")
		if err != nil && status != http.StatusConflict {
			return done, err
		}
		if err == nil {
			done++
		}
	}
	return done, nil
}

// steps runs a new demo case's steps in order.
func (c *demoCaller) steps(ctx context.Context, sc tenants.SeedCase, caseID string) error {
	c.cases[sc.Key] = caseID
	base := "/api/v1/tenants/" + sc.Tenant + "/cases/" + caseID + "/"
	for _, st := range sc.Steps {
		if _, err := c.call(ctx, st, sc.Tenant, base); err != nil {
			return fmt.Errorf("demo case %s: %w", sc.Key, err)
		}
	}
	return nil
}
