package pluginhost

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/fengqiao/fengqiao/core/plugins"
	pluginv1 "github.com/fengqiao/fengqiao/plugins/sdk/proto/fengqiao/plugin/v1"
)

// CheckResult is one step of a conformance run.
type CheckResult struct {
	Step     string        `json:"step"`
	OK       bool          `json:"ok"`
	Detail   string        `json:"detail,omitempty"`
	Duration time.Duration `json:"duration_ns"`
}

// Report is a conformance run of a plugin binary.
type Report struct {
	Path     string            `json:"path"`
	SHA256   string            `json:"sha256"`
	Protocol int               `json:"protocol_version"`
	Manifest *plugins.Manifest `json:"-"`
	Results  []CheckResult     `json:"results"`

	served *pluginv1.Manifest // as the plugin served it, for ManifestJSON
}

// OK reports whether every step passed.
func (r *Report) OK() bool {
	for _, s := range r.Results {
		if !s.OK {
			return false
		}
	}
	return len(r.Results) > 0
}

// Failure is the first failed step, as an error.
func (r *Report) Failure() error {
	for _, s := range r.Results {
		if !s.OK {
			return fmt.Errorf("%s: %s", s.Step, s.Detail)
		}
	}
	return nil
}

// checkHost answers every host API call of a conformance run: there is no tenant data.
type checkHost struct {
	pluginv1.UnimplementedHostServiceServer
}

// Check runs the plugin binary at path through the host's conformance steps: the handshake
// (go-plugin, protocol version, AutoMTLS), the manifest (valid, under the negotiated
// protocol), health, and a call of every declared hook and route, each within its deadline.
// Jobs are not run (they act on a tenant's data). log receives the plugin's own log.
func Check(ctx context.Context, path string, log *slog.Logger) (*Report, error) {
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	rep := &Report{Path: path}
	abs, err := filepath.Abs(path)
	if err != nil {
		return rep, err
	}
	st, err := os.Stat(abs)
	if err != nil {
		return rep, fmt.Errorf("找不到插件程序 / no plugin binary at %s: %w", path, err)
	}
	if st.IsDir() || st.Mode().Perm()&0o111 == 0 {
		return rep, fmt.Errorf("%s 不是可执行文件 / %s is not an executable file", path, path)
	}
	if rep.SHA256, err = FileSHA256(abs); err != nil {
		return rep, err
	}
	step := func(name string, start time.Time, err error) bool {
		r := CheckResult{Step: name, OK: err == nil, Duration: time.Since(start)}
		if err != nil {
			r.Detail = err.Error()
		}
		rep.Results = append(rep.Results, r)
		return err == nil
	}
	start := time.Now()
	c, err := launch(abs, rep.SHA256, newHCLog(log, filepath.Base(path)), checkHost{})
	if !step("handshake", start, err) {
		return rep, nil
	}
	defer c.kill()
	rep.Protocol = c.protocol

	start = time.Now()
	mctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	mr, err := c.svc.GetManifest(mctx, &pluginv1.GetManifestRequest{})
	cancel()
	m := manifestFromProto(mr.GetManifest())
	if err == nil {
		err = plugins.CheckManifest(m, c.protocol)
	}
	if !step("manifest", start, err) {
		return rep, nil
	}
	rep.Manifest, rep.served = m, mr.GetManifest()

	start = time.Now()
	hctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	hr, err := c.svc.Health(hctx, &pluginv1.HealthRequest{})
	cancel()
	if err == nil && !hr.GetOk() {
		err = fmt.Errorf("不健康 / unhealthy: %s", hr.GetDetail())
	}
	step("health", start, err)

	settings, err := plugins.CompileSettings(m.SettingsSchema)
	if err != nil {
		step("settings", time.Now(), err)
		return rep, nil
	}
	defaults, err := settings.Apply(nil)
	if !step("settings", time.Now(), err) {
		return rep, nil
	}
	tenant := sampleTenant(m.Regions)
	call := func() *pluginv1.Call {
		return &pluginv1.Call{Tenant: tenant, Settings: defaults, RequestId: "plugin-check", CallToken: "check",
			Principal: &pluginv1.Principal{Subject: "user:check", Kind: "user", Id: "check", Tenant: tenant, Name: "check"}}
	}
	sampleCase := []byte(`{"id":"00000000-0000-0000-0000-000000000000","tenant_code":"` + tenant + `","number":"CHECK-1","title":"合规检查 / conformance check","description":"","dispute_type":"neighbour","source":"walk_in","status":"received","risk_level":"green","parties":[]}`)
	for _, h := range m.Hooks {
		start := time.Now()
		d := plugins.HookTimeout(h)
		hctx, cancel := context.WithTimeout(ctx, d)
		r, err := c.svc.Before(hctx, &pluginv1.BeforeRequest{Call: call(), Hook: h.Name, Case: sampleCase, Input: []byte("{}")})
		cancel()
		switch {
		case err != nil:
			err = answered(err, d)
		case !r.GetAllow() && r.GetProblem().GetTitle() == "":
			err = errors.New("拒绝但未给出原因 / refused without a problem to show")
		}
		step("hook "+h.Name, start, err)
	}
	for _, rt := range m.Routes {
		start := time.Now()
		d := plugins.RouteTimeout(rt)
		path, params := samplePath(rt.Path)
		rctx, cancel := context.WithTimeout(ctx, d)
		cl := call()
		if rt.Public {
			cl.Principal = &pluginv1.Principal{Kind: "public"}
		}
		r, err := c.svc.Route(rctx, &pluginv1.RouteRequest{Call: cl, Method: rt.Method, Path: path, Pattern: rt.Path, Params: params,
			Headers: map[string]string{"Accept": "application/json"}, Body: []byte("{}")})
		cancel()
		switch {
		case err != nil:
			err = answered(err, d)
		case r.GetStatus() != 0 && (r.GetStatus() < 200 || r.GetStatus() > 599):
			err = fmt.Errorf("HTTP 状态码 %d 无效 / invalid HTTP status %d", r.GetStatus(), r.GetStatus())
		}
		step("route "+rt.Method+" "+rt.Path, start, err)
	}
	// A console entry's page is a declarative view: an answer the check can get (without tenant
	// data) must be one the console shows.
	for _, e := range m.Console {
		rt, params, ok := plugins.MatchRoute(m, "GET", e.Path)
		if !ok {
			continue // CheckManifest refused it already
		}
		start := time.Now()
		d := plugins.RouteTimeout(rt)
		rctx, cancel := context.WithTimeout(ctx, d)
		r, err := c.svc.Route(rctx, &pluginv1.RouteRequest{Call: call(), Method: "GET", Path: e.Path, Pattern: rt.Path, Params: params,
			Headers: map[string]string{"Accept": "application/json"}})
		cancel()
		switch {
		case err != nil:
			err = answered(err, d)
		case r.GetStatus() == 0 || (r.GetStatus() >= 200 && r.GetStatus() < 300):
			if _, verr := plugins.DecodeView(r.GetBody(), m); verr != nil {
				err = fmt.Errorf("控制台页面不是有效的视图 / the console page is not a valid view: %w", verr)
			}
		}
		step("console "+e.Path, start, err)
	}
	if c.exited() {
		step("still running", time.Now(), errors.New("插件在检查中退出 / the plugin exited during the check"))
	}
	return rep, nil
}

// answered turns a call's error into a failure unless the plugin did answer (with an error
// status of its own: an answer, since the check's host has no data for it).
func answered(err error, d time.Duration) error {
	switch status.Code(err) {
	case codes.DeadlineExceeded:
		return fmt.Errorf("未在时限 %s 内答复 / no answer within its deadline of %s", d, d)
	case codes.Unavailable:
		return fmt.Errorf("插件无法连接或已退出 / the plugin is unreachable or exited: %v", err)
	case codes.Internal, codes.Unknown:
		if strings.Contains(err.Error(), "panic") {
			return fmt.Errorf("插件处理时崩溃 / the plugin panicked: %v", err)
		}
	}
	return nil
}

// sampleTenant is a district inside the plugin's regions.
func sampleTenant(regions []string) string {
	for _, r := range regions {
		if r != "*" {
			return (r + "0101")[:6]
		}
	}
	return "110101"
}

func samplePath(pattern string) (string, map[string]string) {
	segs := strings.Split(pattern, "/")
	params := map[string]string{}
	for i, s := range segs {
		if strings.HasPrefix(s, "{") {
			params[s[1:len(s)-1]] = "check"
			segs[i] = "check"
		}
	}
	return strings.Join(segs, "/"), params
}

// Install checks the binary at path, copies it into dir (named after its name, version and
// checksum, so an upgrade never overwrites a running binary), and returns the catalog record
// to store. by is who installs it.
func Install(ctx context.Context, path, dir, by string, log *slog.Logger) (plugins.Record, *Report, error) {
	rep, err := Check(ctx, path, log)
	if err != nil {
		return plugins.Record{}, rep, err
	}
	if !rep.OK() {
		return plugins.Record{}, rep, fmt.Errorf("插件未通过检查 / the plugin failed its check: %w", rep.Failure())
	}
	m := rep.Manifest
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return plugins.Record{}, rep, err
	}
	absDir, err := filepath.Abs(dir)
	if err != nil {
		return plugins.Record{}, rep, err
	}
	dst := filepath.Join(absDir, fmt.Sprintf("%s-%s-%s", m.Name, m.Version, rep.SHA256[:12]))
	if err := copyExecutable(path, dst); err != nil {
		return plugins.Record{}, rep, err
	}
	sum, err := FileSHA256(dst)
	if err != nil {
		return plugins.Record{}, rep, err
	}
	if sum != rep.SHA256 {
		return plugins.Record{}, rep, fmt.Errorf("%w: the copy in %s differs from the checked binary", plugins.ErrChecksum, dst)
	}
	return plugins.Record{Name: m.Name, Version: m.Version, SHA256: sum, Path: dst,
		ProtocolVersion: rep.Protocol, Manifest: m, InstalledBy: by}, rep, nil
}

func copyExecutable(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".install-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := io.Copy(tmp, in); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o755); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), dst)
}
