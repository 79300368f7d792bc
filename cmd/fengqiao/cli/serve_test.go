package cli_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fengqiao/fengqiao/cmd/fengqiao/cli"
	"github.com/fengqiao/fengqiao/core/store/storetest"
)

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestServeRunsAndShutsDownGracefully starts the real `serve` command, uses it — including a
// user created by another process while it runs — and stops it with its context.
func TestServeRunsAndShutsDownGracefully(t *testing.T) {
	useDatabase(t, storetest.NewDatabase(t))
	addr, metricsAddr := freeAddr(t), freeAddr(t)
	t.Setenv("FENGQIAO_HTTP_ADDR", addr)
	t.Setenv("FENGQIAO_HTTP_METRICS_ADDR", metricsAddr) // /metrics on a listener of its own
	t.Setenv("FENGQIAO_AUTH_TOKEN_KEY", "")             // as the contract runs it: the key of the key file
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		root := cli.NewRoot()
		root.SetArgs([]string{"serve"})
		done <- root.ExecuteContext(ctx)
	}()
	base := "http://" + addr
	deadline := time.Now().Add(20 * time.Second)
	for {
		res, err := http.Get(base + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("server not ready: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	res, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("/metrics on http.addr with http.metrics_addr set: %d, want 404", res.StatusCode)
	}
	if res, err = http.Get("http://" + metricsAddr + "/metrics"); err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	for _, m := range []string{"fengqiao_db_pool_total_conns", "go_goroutines", "fengqiao_requests_total"} {
		if !strings.Contains(string(body), m) {
			t.Errorf("/metrics lacks %s", m)
		}
	}
	// An administrator created by the command line while the server runs can act at once.
	runSteps(t, []step{
		{name: "onboard", args: []string{"tenant", "onboard", "370104"}, wantOut: []string{"created 1"}},
		{name: "admin", args: []string{"admin", "create", "--username", "live-admin", "--password", "live-admin-pass", "--role", "district-admin", "--tenant", "370104"}},
	})
	var tok struct{ Token string }
	var lastStatus int
	for range 50 { // the reload after the notification takes a moment
		res, err := http.Post(base+"/api/v1/auth/login", "application/json", strings.NewReader(`{"username":"live-admin","password":"live-admin-pass"}`))
		if err != nil {
			t.Fatal(err)
		}
		_ = json.NewDecoder(res.Body).Decode(&tok)
		res.Body.Close()
		req, _ := http.NewRequest(http.MethodGet, base+"/api/v1/tenants/370104/users", nil)
		req.Header.Set("Authorization", "Bearer "+tok.Token)
		res, err = http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if lastStatus = res.StatusCode; lastStatus == 200 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if lastStatus != 200 {
		t.Fatalf("a user created by the CLI cannot act on the running server: %d", lastStatus)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil && !errors.Is(err, context.Canceled) {
			t.Fatalf("serve returned %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
}

func TestServeRefusesBadConfiguration(t *testing.T) {
	useDatabase(t, storetest.NewDatabase(t))
	t.Setenv("FENGQIAO_AUTH_TOKEN_KEY", strings.Repeat("s", 40))
	cases := []struct {
		name, env, value string
		want             []string
	}{
		{"bad address", "FENGQIAO_HTTP_ADDR", "not-an-address", []string{"http.addr", "FENGQIAO_HTTP_ADDR"}},
		{"short token key", "FENGQIAO_AUTH_TOKEN_KEY", "short", []string{"auth.token_key"}},
		{"bad log level", "FENGQIAO_LOG_LEVEL", "loud", []string{"log.level"}},
		{"bad body limit", "FENGQIAO_HTTP_BODY_LIMIT", "1TB", []string{"http.body_limit"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv(c.env, c.value)
			runSteps(t, []step{{name: "serve", args: []string{"serve"}, wantErr: c.want}})
		})
	}
}
