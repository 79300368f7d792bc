package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/fengqiao/fengqiao/plugins/sdk"
	pluginv1 "github.com/fengqiao/fengqiao/plugins/sdk/proto/fengqiao/plugin/v1"
	"github.com/fengqiao/fengqiao/plugins/sdk/sdktest"
)

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func newHost() *sdktest.Host {
	h := sdktest.NewHost("310101", "cases.read")
	h.AddCase(sdk.Case{ID: "c1", Title: "案件"})
	return h
}

// TestModesInProcess drives the modes that leave the test process alive.
func TestModesInProcess(t *testing.T) {
	w := sdktest.Connect(t, &faulty{}, newHost())
	tests := []struct {
		mode    string
		allow   bool
		status  uint32
		errCode codes.Code
	}{
		{mode: "ok", allow: true, status: 200},
		{mode: "malformed", allow: false, status: 999},
		{mode: "panic", errCode: codes.Internal},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			settings := []byte(`{"mode":"` + tt.mode + `"}`)
			before, err := w.Before(testCtx(t), &pluginv1.BeforeRequest{Call: &pluginv1.Call{Settings: settings}, Hook: "case.intake"})
			route, rerr := w.Route(testCtx(t), &pluginv1.RouteRequest{Call: &pluginv1.Call{Settings: settings}, Method: "GET", Path: "/mode", Pattern: "/mode"})
			if tt.errCode != codes.OK {
				if status.Code(err) != tt.errCode || status.Code(rerr) != tt.errCode {
					t.Fatalf("errors %v / %v, want %v", err, rerr, tt.errCode)
				}
				return
			}
			if err != nil || rerr != nil {
				t.Fatal(err, rerr)
			}
			if before.GetAllow() != tt.allow || before.GetProblem() != nil {
				t.Errorf("before %v, want allow %v and no problem", before, tt.allow)
			}
			if route.GetStatus() != tt.status {
				t.Errorf("route status %d, want %d", route.GetStatus(), tt.status)
			}
		})
	}
}

func code(t *testing.T, w *sdktest.Wire, path, query string) string {
	t.Helper()
	resp, err := w.Route(testCtx(t), &pluginv1.RouteRequest{Method: "GET", Path: path, Pattern: path, Query: query})
	if err != nil {
		t.Fatal(err)
	}
	var body struct{ Code string }
	if err := json.Unmarshal(resp.GetBody(), &body); err != nil {
		t.Fatalf("%s: %s", path, resp.GetBody())
	}
	return body.Code
}

func TestCrossAndReplayInProcess(t *testing.T) {
	w := sdktest.Connect(t, &faulty{}, newHost())
	tests := []struct {
		name, path, query, want string
	}{
		{"no previous call", "/replay", "case=c1", "none"},
		{"own tenant", "/cross", "tenant=310101&case=c1", "OK"},
		{"another tenant", "/cross", "tenant=370102&case=c1", "PermissionDenied"},
		{"a finished call's token", "/replay", "case=c1", "Unauthenticated"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := code(t, w, tt.path, tt.query); got != tt.want {
				t.Errorf("code %q, want %q", got, tt.want)
			}
		})
	}
}

// The process tests build this plugin once and run it as the host does.

var (
	buildOnce sync.Once
	binDir    string
	buildErr  error
)

// binary builds the plugin with the given ldflags (cached per flags).
func binary(t *testing.T, ldflags string) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the plugin binary")
	}
	buildOnce.Do(func() { binDir, buildErr = os.MkdirTemp("", "faulty-test") })
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	path := filepath.Join(binDir, "faulty-"+strconv.Itoa(len(ldflags))+strings.NewReplacer(" ", "", "=", "", ".", "").Replace(ldflags))
	if _, err := os.Stat(path); err == nil {
		return path
	}
	out, err := exec.Command("go", "build", "-ldflags", ldflags, "-o", path, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return path
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		_ = os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// syncBuffer collects the host's log output.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func start(t *testing.T, path string, logs *syncBuffer) (*plugin.Client, *sdk.PluginClient, error) {
	t.Helper()
	client := plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig:  plugin.HandshakeConfig{MagicCookieKey: sdk.MagicCookieKey, MagicCookieValue: sdk.MagicCookieValue},
		VersionedPlugins: map[int]plugin.PluginSet{1: {sdk.PluginKey: &sdk.GRPCPlugin{}}},
		Cmd:              exec.Command(path),
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		AutoMTLS:         true,
		Logger:           hclog.New(&hclog.LoggerOptions{Name: "host", Level: hclog.Debug, Output: logs, JSONFormat: true}),
	})
	t.Cleanup(client.Kill)
	rpc, err := client.Client()
	if err != nil {
		return client, nil, err
	}
	raw, err := rpc.Dispense(sdk.PluginKey)
	if err != nil {
		return client, nil, err
	}
	return client, raw.(*sdk.PluginClient), nil
}

func waitExit(t *testing.T, client *plugin.Client, within time.Duration) bool {
	t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		if client.Exited() {
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return false
}

// TestProcess runs the built plugin with AutoMTLS: manifest, the host's refusals of raw
// calls, a panic logged through the host's logger, a crash, and SIGTERM.
func TestProcess(t *testing.T) {
	path := binary(t, "-X main.name=faulty-proc")
	logs := &syncBuffer{}
	client, pc, err := start(t, path, logs)
	if err != nil {
		t.Fatal(err)
	}
	w := sdktest.Attach(t, pc, newHost())
	m, version, err := w.Manifest(testCtx(t))
	if err != nil || m.Name != "faulty-proc" || version != 1 {
		t.Fatalf("manifest %q v%d %v", m.Name, version, err)
	}
	if got := code(t, w, "/cross", "tenant=370102&case=c1"); got != "PermissionDenied" {
		t.Errorf("cross-tenant code %q", got)
	}
	if got := code(t, w, "/replay", "case=c1"); got != "Unauthenticated" {
		t.Errorf("replay code %q", got)
	}
	_, err = w.Route(testCtx(t), &pluginv1.RouteRequest{Call: &pluginv1.Call{Settings: []byte(`{"mode":"panic"}`)}, Method: "GET", Path: "/mode", Pattern: "/mode"})
	if status.Code(err) != codes.Internal {
		t.Errorf("panic: %v, want Internal", err)
	}
	// The panic's log line reached the host's logger as a structured entry of the plugin.
	deadline := time.Now().Add(2 * time.Second)
	for !strings.Contains(logs.String(), `"@message":"plugin panic"`) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	var found bool
	for _, line := range strings.Split(logs.String(), "\n") {
		var e map[string]any
		if json.Unmarshal([]byte(line), &e) == nil && e["@message"] == "plugin panic" {
			found = e["@level"] == "error" && e["method"] == "Route" && strings.HasPrefix(e["@module"].(string), "host.")
		}
	}
	if !found {
		t.Errorf("no structured error entry for the panic in the host's log:\n%s", logs.String())
	}

	t.Run("sigterm", func(t *testing.T) {
		client2, pc2, err := start(t, path, &syncBuffer{})
		if err != nil {
			t.Fatal(err)
		}
		w2 := sdktest.Attach(t, pc2, newHost())
		slow := make(chan error, 1)
		go func() {
			_, err := w2.Before(context.Background(), &pluginv1.BeforeRequest{Call: &pluginv1.Call{Settings: []byte(`{"mode":"hang"}`)}, Hook: "case.intake"})
			slow <- err
		}()
		time.Sleep(200 * time.Millisecond) // the call is in flight
		pid := client2.ReattachConfig().Pid
		if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		// The signal arrives asynchronously: new calls are refused soon after, not at once.
		var herr error
		for range 50 {
			if _, herr = w2.Health(testCtx(t)); status.Code(herr) == codes.Unavailable {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		if status.Code(herr) != codes.Unavailable {
			t.Errorf("a call while draining: %v, want Unavailable", herr)
		}
		select {
		case err := <-slow:
			t.Errorf("the call in flight ended early (%v): SIGTERM must wait for it", err)
		case <-time.After(time.Second):
		}
	})

	t.Run("crash", func(t *testing.T) {
		_, err := w.Before(testCtx(t), &pluginv1.BeforeRequest{Call: &pluginv1.Call{Settings: []byte(`{"mode":"crash"}`)}, Hook: "case.intake"})
		if status.Code(err) != codes.Unavailable {
			t.Errorf("crash: %v, want Unavailable", err)
		}
		if !waitExit(t, client, 2*time.Second) {
			t.Error("the process did not exit")
		}
	})
}

func TestProcessSigtermIdle(t *testing.T) {
	client, _, err := start(t, binary(t, ""), &syncBuffer{})
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(client.ReattachConfig().Pid, syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if !waitExit(t, client, 2*time.Second) {
		t.Error("an idle plugin did not exit promptly on SIGTERM")
	}
}

// TestProcessParentDeath starts the plugin from a shell that exits once the plugin is up, as a
// host killed with SIGKILL would leave it: the orphan must notice and exit.
func TestProcessParentDeath(t *testing.T) {
	path := binary(t, "")
	cmd := exec.Command("sh", "-c", `"$0" >/dev/null 2>&1 & sleep 0.5; echo $!`, path)
	cmd.Env = append(os.Environ(), sdk.MagicCookieKey+"="+sdk.MagicCookieValue, "PLUGIN_PROTOCOL_VERSIONS=1")
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(out)))
	if err != nil {
		t.Fatalf("pid %q", out)
	}
	deadline := time.Now().Add(3 * time.Second)
	for syscall.Kill(pid, 0) == nil {
		if time.Now().After(deadline) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
			t.Fatal("the orphaned plugin is still running")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestProcessProtocolMismatch(t *testing.T) {
	path := binary(t, "-X main.protocol=2")
	_, _, err := start(t, path, &syncBuffer{})
	if err == nil || !strings.Contains(strings.ToLower(err.Error()), "incompatible api version") {
		t.Fatalf("start: %v, want an incompatible version", err)
	}
}
