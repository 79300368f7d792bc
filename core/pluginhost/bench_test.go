package pluginhost

// Benchmarks of the plugin platform's round trips (issue 6), without a database: the catalog,
// the case reader and the document store are in-memory fakes; everything else is the real
// host — Manager, the call token registry, go-plugin with AutoMTLS, the SDK's adapter — and
// real plugin processes built from this repository (plugins/example and
// testdata/benchplugin).
//
//	go test -run '^$' -bench 'BeforeHook|HostAPI' -benchtime 2s ./core/pluginhost/
//
// Every sub-benchmark runs b.N calls spread over c concurrent callers and reports, besides
// ns/op (wall time / b.N, the inverse of throughput), the p50 and p99 latency of one call.
//
// BenchmarkBeforeHook compares, for the before-hook case.intake of plugins/example:
//   - plugin: Manager.BeforeCase → invoke → go-plugin gRPC (AutoMTLS, unix socket) → the SDK's
//     adapter → example.Before, in the example's process;
//   - plugin-direct: the same request straight on the Manager's go-plugin client of the
//     example's process (no Manager: no enablement lookup, case JSON or call token);
//   - inprocess: example.Before called directly (the floor: no transport, no JSON);
//   - bare-grpc: a unary PluginService.Before over a unix socket to a gRPC server in this
//     process that answers allow at once, insecure, carrying the same BeforeRequest;
//   - bare-grpc-proc: the same, but the server is another process (testdata/benchplugin in
//     its bare mode: no go-plugin, no SDK);
//   - bare-grpc-tls: the in-process bare server with mutual TLS (an ECDSA P-521 certificate, as AutoMTLS makes);
//   - case-json, call-token: parts of the plugin path alone (what BeforeCase and the SDK do
//     besides the gRPC call).
//
// BenchmarkHostAPI measures a host-API callback:
//   - doc-get: testdata/benchplugin's GET /doc through Manager.ServeRoute; the plugin times its
//     one Documents().Get to the real hostServer (go-plugin's broker, mTLS) and reports it:
//     p50-µs/p99-µs are that callback as the plugin saw it, route-p50-µs/route-p99-µs the
//     whole route;
//   - route-hello: the example's GET /hello (no callback), the plain route round trip;
//   - route-case: the example's GET /cases/{id} (one GetCase callback, the case as JSON).

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/fengqiao/fengqiao/core/access"
	"github.com/fengqiao/fengqiao/core/cases"
	"github.com/fengqiao/fengqiao/core/plugins"
	"github.com/fengqiao/fengqiao/plugins/example"
	"github.com/fengqiao/fengqiao/plugins/sdk"
	pluginv1 "github.com/fengqiao/fengqiao/plugins/sdk/proto/fengqiao/plugin/v1"
	"github.com/fengqiao/fengqiao/plugins/sdk/sdktest"
)

const benchTenant = "310107" // 上海市普陀区: region 31, where both plugins may be enabled

var benchCallers = []int{1, 8, 32}

// --- building and installing the plugins ---------------------------------------------------

var (
	benchBuildMu sync.Mutex
	benchBuilds  = map[string]string{}
)

// benchBinary builds a main package of the repository once per test process, into a
// directory of the system's temp dir named after the package (rebuilt by every process; go's
// build cache makes that quick).
func benchBinary(b *testing.B, pkg string) string {
	b.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		b.Skip("pluginhost benchmarks build the plugins with the go command, which is not on PATH")
	}
	benchBuildMu.Lock()
	defer benchBuildMu.Unlock()
	if p, ok := benchBuilds[pkg]; ok {
		return p
	}
	sum := sha256.Sum256([]byte(pkg))
	dir := filepath.Join(os.TempDir(), "fengqiao-bench-plugins", hex.EncodeToString(sum[:6]))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	out := filepath.Join(dir, "plugin")
	cmd := exec.Command("go", "build", "-o", out, "./"+pkg)
	cmd.Dir = filepath.Join("..", "..")
	if msg, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("build %s: %v\n%s", pkg, err, msg)
	}
	benchBuilds[pkg] = out
	return out
}

// benchCatalog is the catalog: the installed records, each enabled in benchTenant.
type benchCatalog struct {
	recs []plugins.Record
	ens  []plugins.Enablement
}

func (c *benchCatalog) Plugins(context.Context) ([]plugins.Record, error) { return c.recs, nil }
func (c *benchCatalog) PluginEnablements(context.Context) ([]plugins.Enablement, error) {
	return c.ens, nil
}

// benchCases is the case reader of the host API: one case.
type benchCases struct{ c cases.Case }

func (r benchCases) Get(_ context.Context, tenant, id string, _ bool) (cases.Case, error) {
	if tenant != r.c.TenantCode || id != r.c.ID {
		return cases.Case{}, cases.ErrNotFound
	}
	return r.c, nil
}
func (r benchCases) List(context.Context, string, cases.Filter) ([]cases.Case, error) {
	return []cases.Case{r.c}, nil
}
func (r benchCases) Now() time.Time { return time.Now() }

// benchStore keeps plugin documents in memory; the rest of HostStore is not used (and would
// panic on the nil embedded interface).
type benchStore struct {
	HostStore
	mu   sync.RWMutex
	docs map[[4]string]plugins.Document
}

func (s *benchStore) PutPluginDocument(_ context.Context, tenant, plugin string, d plugins.Document, ifVersion int64) (plugins.Document, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := [4]string{tenant, plugin, d.Kind, d.ID}
	old, ok := s.docs[k]
	if ifVersion > 0 && (!ok || old.Version != ifVersion) {
		return plugins.Document{}, plugins.ErrConflict
	}
	d.Version, d.UpdatedAt = old.Version+1, time.Now()
	s.docs[k] = d
	return d, nil
}

func (s *benchStore) PluginDocument(_ context.Context, tenant, plugin, kind, id string) (plugins.Document, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	d, ok := s.docs[[4]string{tenant, plugin, kind, id}]
	if !ok {
		return plugins.Document{}, plugins.ErrDocNotFound
	}
	return d, nil
}

func (s *benchStore) PluginDocuments(_ context.Context, tenant, plugin, kind, after string, limit int) ([]plugins.Document, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []plugins.Document
	for k, d := range s.docs {
		if k[0] == tenant && k[1] == plugin && k[2] == kind && k[3] > after {
			out = append(out, d)
		}
	}
	slices.SortFunc(out, func(a, b plugins.Document) int {
		if a.ID < b.ID {
			return -1
		}
		return 1
	})
	return out[:min(len(out), limit)], nil
}

func (s *benchStore) DeletePluginDocument(_ context.Context, tenant, plugin, kind, id string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := [4]string{tenant, plugin, kind, id}
	_, ok := s.docs[k]
	delete(s.docs, k)
	return ok, nil
}

// benchCase is an intake as BeforeCase sees it: two parties, the usual fields.
func benchCase() cases.Case {
	now := time.Now()
	return cases.Case{
		ID: "6f1c1d2e-8a4b-4c1e-9f6a-2d3b4c5d6e7f", TenantCode: benchTenant, Number: "（2026）普调字第1024号",
		Title: "邻里噪音纠纷 / noise between neighbours", Description: "楼上住户夜间装修，多次协商未果。",
		DisputeType: "neighbour", Source: cases.SourceWalkIn, PlaceCode: "310107011", AmountFen: 500000,
		Status: cases.StatusReceived, ReceivedAt: now, DueAt: now.Add(30 * 24 * time.Hour), Version: 1,
		Parties: []cases.Party{
			{ID: "p1", Role: cases.RoleApplicant, Kind: cases.KindPerson, Name: "张三", IDNumber: "310107199001011234",
				Phone: "13800138000", Address: "上海市普陀区曹杨路100弄1号101室"},
			{ID: "p2", Role: cases.RoleRespondent, Kind: cases.KindPerson, Name: "李四", IDNumber: "310107198505052345",
				Phone: "13900139000", Address: "上海市普陀区曹杨路100弄1号201室"},
		},
	}
}

var benchInput = map[string]any{"title": "邻里噪音纠纷 / noise between neighbours", "dispute_type": "neighbour", "source": "walk_in"}

type benchEnv struct {
	m    *Manager
	kase cases.Case
	ctx  context.Context // carries a caller, as an API request's does
}

// newBenchEnv builds and installs both plugins, enables them in benchTenant and starts them
// under a Manager; everything stops when b ends.
func newBenchEnv(b *testing.B) *benchEnv {
	b.Helper()
	exBin := benchBinary(b, "plugins/example/cmd")
	bpBin := benchBinary(b, "core/pluginhost/testdata/benchplugin")
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx := context.Background()
	dir := b.TempDir()
	var recs []plugins.Record
	for _, bin := range []string{exBin, bpBin} {
		rec, rep, err := Install(ctx, bin, dir, "system:bench", quiet)
		if err != nil {
			b.Fatalf("install %s: %v (%+v)", bin, err, rep)
		}
		recs = append(recs, rec)
	}
	cat := &benchCatalog{recs: recs, ens: []plugins.Enablement{
		{Plugin: "example", TenantCode: benchTenant, Enabled: true, Settings: json.RawMessage(`{"greeting":"您好"}`)},
		{Plugin: "bench", TenantCode: benchTenant, Enabled: true},
	}}
	kase := benchCase()
	store := &benchStore{docs: map[[4]string]plugins.Document{}}
	if _, err := store.PutPluginDocument(ctx, benchTenant, "bench", plugins.Document{Kind: "bench", ID: "d1",
		Data: json.RawMessage(`{"hello":"world","n":42}`)}, 0); err != nil {
		b.Fatal(err)
	}
	m := New(cat, HostDeps{Cases: benchCases{kase}, Store: store}, Options{Logger: quiet})
	if err := m.Reload(ctx); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(m.Close)
	for _, r := range recs {
		if m.PID(r.Name) == 0 {
			b.Fatalf("plugin %s is not running: %+v", r.Name, m.Statuses())
		}
	}
	cctx := access.WithCaller(ctx, access.Caller{
		Principal: access.Principal{Subject: "user:bench", Kind: "user", ID: "bench", Tenant: benchTenant},
		Roles:     []string{"district-staff"}, Name: "bench"})
	return &benchEnv{m: m, kase: kase, ctx: cctx}
}

// --- measuring ---------------------------------------------------------------------------------

// latencies runs b.N calls of fn over callers goroutines and reports the p50 and p99 of one
// call (µs). With seen, p50-µs/p99-µs are of the durations fn returns (what the plugin
// measured) and route-p50-µs/route-p99-µs of the calls themselves.
func latencies(b *testing.B, callers int, fn func(ctx context.Context) (time.Duration, error), seen bool) {
	b.Helper()
	ctx := context.Background()
	// A few calls first, so that connections and pools are warm at every b.N.
	for range min(callers, 8) {
		if _, err := fn(ctx); err != nil {
			b.Fatal(err)
		}
	}
	own := make([]time.Duration, b.N)
	measured := make([]time.Duration, b.N)
	var next atomic.Int64
	var fails atomic.Int64
	var errMu sync.Mutex
	var firstErr error
	var wg sync.WaitGroup
	b.ReportAllocs()
	b.ResetTimer()
	for range callers {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= b.N {
					return
				}
				start := time.Now()
				d, err := fn(ctx)
				own[i] = time.Since(start)
				measured[i] = d
				if err != nil && fails.Add(1) == 1 {
					errMu.Lock()
					firstErr = err
					errMu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	if n := fails.Load(); n > 0 {
		b.Fatalf("%d of %d calls failed; the first: %v", n, b.N, firstErr)
	}
	primary := own
	if seen {
		primary = measured
		p50, p99 := percentiles(own)
		b.ReportMetric(p50, "route-p50-µs")
		b.ReportMetric(p99, "route-p99-µs")
	}
	p50, p99 := percentiles(primary)
	b.ReportMetric(p50, "p50-µs")
	b.ReportMetric(p99, "p99-µs")
}

// percentiles are the p50 and p99 (nearest rank) of ds, in µs.
func percentiles(ds []time.Duration) (p50, p99 float64) {
	s := slices.Clone(ds)
	slices.Sort(s)
	rank := func(p float64) float64 {
		i := int(p*float64(len(s))+0.999999) - 1
		return float64(s[min(max(i, 0), len(s)-1)]) / float64(time.Microsecond)
	}
	return rank(0.50), rank(0.99)
}

func byCallers(b *testing.B, name string, fn func(b *testing.B, callers int)) {
	b.Run(name, func(b *testing.B) {
		for _, c := range benchCallers {
			b.Run("c="+strconv.Itoa(c), func(b *testing.B) { fn(b, c) })
		}
	})
}

// --- bare gRPC -----------------------------------------------------------------------------

// bareServer answers every before-hook with allow, at once.
type bareServer struct {
	pluginv1.UnimplementedPluginServiceServer
}

func (bareServer) Before(context.Context, *pluginv1.BeforeRequest) (*pluginv1.BeforeResponse, error) {
	return &pluginv1.BeforeResponse{Allow: true}, nil
}

// bareGRPC serves bareServer on a unix socket in a temp dir (with TLS if creds are given)
// and returns a client of it.
func bareGRPC(b *testing.B, server, client credentials.TransportCredentials) pluginv1.PluginServiceClient {
	b.Helper()
	// b.TempDir's path can be longer than a unix socket's 108 bytes.
	dir, err := os.MkdirTemp("", "fq-bench-")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { os.RemoveAll(dir) })
	sock := filepath.Join(dir, "grpc.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		b.Fatal(err)
	}
	s := grpc.NewServer(grpc.Creds(server))
	pluginv1.RegisterPluginServiceServer(s, bareServer{})
	go func() { _ = s.Serve(l) }()
	b.Cleanup(s.Stop)
	cc, err := grpc.NewClient("unix://"+sock, grpc.WithTransportCredentials(client))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { cc.Close() })
	return pluginv1.NewPluginServiceClient(cc)
}

// bareProcess starts testdata/benchplugin as a bare gRPC server (no go-plugin, no SDK, no
// TLS) in its own process and returns a client of it over its unix socket.
func bareProcess(b *testing.B) pluginv1.PluginServiceClient {
	b.Helper()
	return bareProcessWith(b, nil, nil)
}

// bareProcessTLS is bareProcess with mutual TLS (the certificate passed to the process as PEM
// files): the floor of any out-of-process plugin with AutoMTLS.
func bareProcessTLS(b *testing.B) pluginv1.PluginServiceClient {
	b.Helper()
	cert, pool := mtlsCert(b)
	client := credentials.NewTLS(&tls.Config{Certificates: []tls.Certificate{cert}, RootCAs: pool,
		ServerName: "localhost", MinVersion: tls.VersionTLS12})
	return bareProcessWith(b, &cert, client)
}

func bareProcessWith(b *testing.B, cert *tls.Certificate, client credentials.TransportCredentials) pluginv1.PluginServiceClient {
	b.Helper()
	bin := benchBinary(b, "core/pluginhost/testdata/benchplugin")
	dir, err := os.MkdirTemp("", "fq-bench-")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { os.RemoveAll(dir) })
	sock := filepath.Join(dir, "grpc.sock")
	cmd := exec.Command(bin)
	cmd.Env = []string{"FENGQIAO_BENCH_BARE_SOCKET=" + sock}
	if cert != nil {
		keyDER, err := x509.MarshalPKCS8PrivateKey(cert.PrivateKey)
		if err != nil {
			b.Fatal(err)
		}
		certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
		if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Certificate[0]}), 0o600); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
			b.Fatal(err)
		}
		cmd.Env = append(cmd.Env, "FENGQIAO_BENCH_BARE_CERT="+certFile, "FENGQIAO_BENCH_BARE_KEY="+keyFile)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if _, err := os.Stat(sock); err == nil {
			break
		}
		if time.Now().After(deadline) {
			b.Fatal("the bare gRPC server did not start")
		}
	}
	if client == nil {
		client = insecure.NewCredentials()
	}
	cc, err := grpc.NewClient("unix://"+sock, grpc.WithTransportCredentials(client))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { cc.Close() })
	return pluginv1.NewPluginServiceClient(cc)
}

// mtlsCreds are server and client credentials of mutual TLS with one self-signed ECDSA P-521
// certificate, as go-plugin's AutoMTLS makes them (one per side there; the cost per call is
// the same).
func mtlsCreds(b *testing.B) (server, client credentials.TransportCredentials) {
	b.Helper()
	cert, pool := mtlsCert(b)
	server = credentials.NewTLS(&tls.Config{Certificates: []tls.Certificate{cert}, ClientCAs: pool,
		ClientAuth: tls.RequireAndVerifyClientCert, MinVersion: tls.VersionTLS12})
	client = credentials.NewTLS(&tls.Config{Certificates: []tls.Certificate{cert}, RootCAs: pool,
		ServerName: "localhost", MinVersion: tls.VersionTLS12})
	return server, client
}

// mtlsCert is one self-signed ECDSA P-521 certificate and the pool trusting it.
func mtlsCert(b *testing.B) (tls.Certificate, *x509.CertPool) {
	b.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "localhost", Organization: []string{"HashiCorp"}},
		DNSNames: []string{"localhost"}, NotBefore: time.Now().Add(-time.Minute), NotAfter: time.Now().Add(time.Hour),
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageServerAuth},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment | x509.KeyUsageKeyAgreement | x509.KeyUsageCertSign,
		BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		b.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		b.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

// --- the benchmarks ------------------------------------------------------------------------

func BenchmarkBeforeHook(b *testing.B) {
	env := newBenchEnv(b)
	rec, settings, ok := env.m.Enabled("example", benchTenant)
	if !ok {
		b.Fatal("example is not enabled in " + benchTenant)
	}
	body, err := caseJSON(env.kase, time.Now(), false)
	if err != nil {
		b.Fatal(err)
	}
	in, err := json.Marshal(benchInput)
	if err != nil {
		b.Fatal(err)
	}

	byCallers(b, "plugin", func(b *testing.B, callers int) {
		latencies(b, callers, func(context.Context) (time.Duration, error) {
			_, err := env.m.BeforeCase(env.ctx, benchTenant, "case.intake", env.kase, benchInput)
			return 0, err
		}, false)
	})

	byCallers(b, "inprocess", func(b *testing.B, callers int) {
		p := example.New("1.0.0")
		host := sdktest.NewHost(benchTenant, rec.Manifest.Permissions...)
		kase, err := sdk.ParseCase(body)
		if err != nil {
			b.Fatal(err)
		}
		call := &sdk.Call{Tenant: benchTenant, Settings: settings, RequestID: "bench", Host: host,
			Principal: sdk.Principal{Subject: "user:bench", Kind: "user", ID: "bench", Tenant: benchTenant, Name: "bench"}}
		latencies(b, callers, func(ctx context.Context) (time.Duration, error) {
			return 0, p.Before(ctx, call, "case.intake", kase, in)
		}, false)
	})

	// The request BeforeCase sends, token and principal included.
	req := func() *pluginv1.BeforeRequest {
		return &pluginv1.BeforeRequest{Hook: "case.intake", Case: body, Input: in, Call: &pluginv1.Call{
			Tenant: benchTenant, Settings: settings, CallToken: "0123456789abcdef0123456789abcdef0123",
			Principal: &pluginv1.Principal{Subject: "user:bench", Kind: "user", Id: "bench", Tenant: benchTenant,
				Roles: []string{"district-staff"}, Name: "bench"}}}
	}
	bare := func(svc pluginv1.PluginServiceClient) func(ctx context.Context) (time.Duration, error) {
		return func(ctx context.Context) (time.Duration, error) {
			ctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond) // as invoke does
			defer cancel()
			r, err := svc.Before(ctx, req())
			if err == nil && !r.GetAllow() {
				err = fmt.Errorf("refused: %v", r.GetProblem())
			}
			return 0, err
		}
	}
	byCallers(b, "plugin-direct", func(b *testing.B, callers int) {
		env.m.mu.RLock()
		p := env.m.procs["example"]
		env.m.mu.RUnlock()
		p.mu.Lock()
		svc := p.conn.svc
		p.mu.Unlock()
		latencies(b, callers, bare(svc), false)
	})
	byCallers(b, "bare-grpc", func(b *testing.B, callers int) {
		svc := bareGRPC(b, insecure.NewCredentials(), insecure.NewCredentials())
		latencies(b, callers, bare(svc), false)
	})
	byCallers(b, "bare-grpc-proc", func(b *testing.B, callers int) {
		latencies(b, callers, bare(bareProcess(b)), false)
	})
	byCallers(b, "bare-grpc-proc-tls", func(b *testing.B, callers int) {
		latencies(b, callers, bare(bareProcessTLS(b)), false)
	})
	byCallers(b, "bare-grpc-tls", func(b *testing.B, callers int) {
		s, c := mtlsCreds(b)
		svc := bareGRPC(b, s, c)
		latencies(b, callers, bare(svc), false)
	})

	// Parts of the plugin path, alone, sequentially.
	b.Run("case-json", func(b *testing.B) {
		// BeforeCase's marshalling of the input and the case, and the SDK's parsing of the case.
		latencies(b, 1, func(context.Context) (time.Duration, error) {
			if _, err := json.Marshal(benchInput); err != nil {
				return 0, err
			}
			raw, err := caseJSON(env.kase, time.Now(), false)
			if err != nil {
				return 0, err
			}
			_, err = sdk.ParseCase(raw)
			return 0, err
		}, false)
	})
	b.Run("call-token", func(b *testing.B) {
		// callOf and its done: the token registry, and Enabled (settings applied) as enabledIn does.
		latencies(b, 1, func(ctx context.Context) (time.Duration, error) {
			if _, _, ok := env.m.Enabled("example", benchTenant); !ok {
				return 0, fmt.Errorf("not enabled")
			}
			_, done := env.m.callOf(env.ctx, rec, benchTenant, settings, false, false)
			done()
			return 0, nil
		}, false)
	})
}

func BenchmarkHostAPI(b *testing.B) {
	env := newBenchEnv(b)
	route := func(plugin, path string) func(ctx context.Context) (time.Duration, error) {
		return func(context.Context) (time.Duration, error) {
			resp, err := env.m.ServeRoute(env.ctx, plugin, benchTenant, RouteRequest{Method: "GET", Path: path,
				Headers: map[string]string{"Accept": "application/json"}})
			if err == nil && resp.Status != 200 {
				err = fmt.Errorf("%s %s: %d %s", plugin, path, resp.Status, resp.Body)
			}
			if err != nil || plugin != "bench" {
				return 0, err
			}
			var out struct{ NS int64 }
			if err := json.Unmarshal(resp.Body, &out); err != nil || out.NS <= 0 {
				return 0, fmt.Errorf("bench /doc answered %s (%v)", resp.Body, err)
			}
			return time.Duration(out.NS), nil
		}
	}
	byCallers(b, "doc-get", func(b *testing.B, callers int) { latencies(b, callers, route("bench", "/doc"), true) })
	byCallers(b, "route-hello", func(b *testing.B, callers int) { latencies(b, callers, route("example", "/hello"), false) })
	byCallers(b, "route-case", func(b *testing.B, callers int) {
		latencies(b, callers, route("example", "/cases/"+env.kase.ID), false)
	})
}
