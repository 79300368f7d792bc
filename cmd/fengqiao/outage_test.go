package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// privateCluster is a PostgreSQL cluster of one test (deploy/localpg.sh in a folder of its own,
// on a free port), which the test may stop and start: never the cluster other tests share.
type privateCluster struct {
	t         *testing.T
	dir, port string
}

func startPrivateCluster(t *testing.T) (*privateCluster, string) {
	t.Helper()
	base, err := os.MkdirTemp("", "fq-outage-")
	if err != nil {
		t.Fatal(err)
	}
	// PostgreSQL may run as another user (under root): it must traverse the folder.
	if err := os.Chmod(base, 0o755); err != nil {
		t.Fatal(err)
	}
	_, port, err := net.SplitHostPort(freeAddr(t))
	if err != nil {
		t.Fatal(err)
	}
	c := &privateCluster{t: t, dir: filepath.Join(base, "pg"), port: port}
	t.Cleanup(func() {
		_, _ = c.run("destroy")
		_ = os.RemoveAll(base)
	})
	url, err := c.run("start", "--fast")
	if err != nil {
		t.Fatalf("start a private PostgreSQL: %v", err)
	}
	return c, strings.TrimSpace(url)
}

func (c *privateCluster) run(cmd string, args ...string) (string, error) {
	script, err := filepath.Abs("../../deploy/localpg.sh")
	if err != nil {
		return "", err
	}
	var out, errOut bytes.Buffer
	x := exec.Command(script, append([]string{cmd, "--dir", c.dir, "--port", c.port}, args...)...)
	x.Stdout, x.Stderr = &out, &errOut
	if err := x.Run(); err != nil {
		return "", fmt.Errorf("localpg.sh %s: %w\n%s", cmd, err, errOut.Bytes())
	}
	return out.String(), nil
}

func (c *privateCluster) stop() {
	c.t.Helper()
	if _, err := c.run("stop"); err != nil {
		c.t.Fatalf("stop PostgreSQL: %v", err)
	}
}

func (c *privateCluster) start() {
	c.t.Helper()
	if _, err := c.run("start", "--fast"); err != nil {
		c.t.Fatalf("start PostgreSQL again: %v", err)
	}
}

type reply struct {
	status int
	header http.Header
	body   []byte
}

// send is call that also returns the headers and does not stop the test on a transport error.
func send(method, url, token string, body any) (reply, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return reply{}, err
		}
		rd = bytes.NewReader(b)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return reply{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return reply{}, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return reply{status: res.StatusCode, header: res.Header, body: b}, err
}

// TestDatabaseOutage: while PostgreSQL is unreachable, the server answers every request that
// needs it with 503, Retry-After and a problem (never 500), /readyz is 503 and /healthz still
// 200; once PostgreSQL is back, the same process answers as before, without a restart.
func TestDatabaseOutage(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a PostgreSQL cluster of its own, builds the binary and serves it")
	}
	pg, url := startPrivateCluster(t)
	bin := buildBinary(t)
	environ := env(t, "FENGQIAO_DATABASE_URL="+url, "FENGQIAO_LOG_LEVEL=warn",
		"FENGQIAO_AUTH_TOKEN_KEY=outage-test-signing-key-0123456789abcdef")
	run(t, bin, environ, "migrate")
	run(t, bin, environ, "tenant", "onboard", "310107")
	run(t, bin, environ, "admin", "create", "--username", "outage-root", "--password", "outage-root-pass-1", "--role", "national-admin")
	run(t, bin, environ, "admin", "create", "--username", "outage-putuo", "--password", "outage-putuo-pass-1", "--role", "district-admin", "--tenant", "310107")
	base := serve(t, "outage", bin, environ, freeAddr(t))
	root := login(t, base, "outage-root", "outage-root-pass-1")
	district := login(t, base, "outage-putuo", "outage-putuo-pass-1")
	status, body := call(t, http.MethodPost, base+"/api/v1/tenants/310107/tokens", root, map[string]any{"name": "法院系统", "role": "agency-system"})
	var tok struct{ Token string }
	if status != http.StatusCreated || json.Unmarshal(body, &tok) != nil || tok.Token == "" {
		t.Fatalf("create an API token: %d %s", status, body)
	}
	newCase := map[string]any{"title": "停电期间的纠纷", "dispute_type": "neighbour", "source": "walk_in",
		"parties": []map[string]any{{"name": "张三", "role": "applicant"}, {"name": "李四", "role": "respondent"}}}

	type probe struct {
		name, method, path, token string
		body                      any
		down, up                  int // the status while PostgreSQL is down, and once it is back
	}
	probes := []probe{
		{name: "getTenant with a login token", method: http.MethodGet, path: "/api/v1/tenants/310107", token: root, down: 503, up: 200},
		{name: "listCases with an API token", method: http.MethodGet, path: "/api/v1/tenants/310107/cases", token: tok.Token, down: 503, up: 200},
		{name: "createCase", method: http.MethodPost, path: "/api/v1/tenants/310107/cases", token: district, body: newCase, down: 503, up: 201},
		{name: "login", method: http.MethodPost, path: "/api/v1/auth/login", body: map[string]string{"username": "outage-root", "password": "outage-root-pass-1"}, down: 503, up: 200},
		{name: "readyz", method: http.MethodGet, path: "/readyz", down: 503, up: 200},
		{name: "healthz (liveness needs no database)", method: http.MethodGet, path: "/healthz", down: 200, up: 200},
	}

	pg.stop()
	for _, p := range probes {
		t.Run("down/"+p.name, func(t *testing.T) {
			// Twice: the first request may meet pooled connections the shutdown killed, the
			// second has to connect.
			for attempt := 1; attempt <= 2; attempt++ {
				res, err := send(p.method, base+p.path, p.token, p.body)
				if err != nil {
					t.Fatal(err)
				}
				if res.status != p.down {
					t.Fatalf("attempt %d: %d %s, want %d", attempt, res.status, res.body, p.down)
				}
				if p.down != http.StatusServiceUnavailable {
					continue
				}
				if ra := res.header.Get("Retry-After"); ra == "" {
					t.Errorf("attempt %d: no Retry-After", attempt)
				}
				var prob map[string]any
				if ct := res.header.Get("Content-Type"); ct != "application/problem+json" || json.Unmarshal(res.body, &prob) != nil {
					t.Fatalf("attempt %d: %s %s, want a problem", attempt, ct, res.body)
				}
				if prob["status"] != float64(503) || !strings.Contains(prob["title"].(string), " / ") {
					t.Errorf("attempt %d: problem %s", attempt, res.body)
				}
			}
		})
	}

	pg.start()
	deadline := time.Now().Add(30 * time.Second)
	for _, p := range probes {
		t.Run("up/"+p.name, func(t *testing.T) {
			for {
				res, err := send(p.method, base+p.path, p.token, p.body)
				if err == nil && res.status == p.up {
					return
				}
				if time.Now().After(deadline) {
					t.Fatalf("PostgreSQL is back but %s answers %d %s (%v), want %d", p.path, res.status, res.body, err, p.up)
				}
				time.Sleep(200 * time.Millisecond)
			}
		})
	}
}
