package sdk

import (
	"context"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"time"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	pluginv1 "github.com/fengqiao/fengqiao/plugins/sdk/proto/fengqiao/plugin/v1"
)

// Shutdown behaviour. The host stops a plugin through go-plugin (its Kill: a gRPC Shutdown,
// then SIGKILL after two seconds); SIGTERM and SIGINT are for everything else (an operator,
// systemd stopping the service's whole cgroup).
const (
	// drainTimeout bounds how long SIGTERM/SIGINT wait for the calls in flight; the host has
	// its own deadlines, so a call still running after it is one nobody waits for.
	drainTimeout = 10 * time.Second
	// parentPoll is how often the plugin looks for its host having died: a plugin whose host
	// was SIGKILLed would otherwise live on, orphaned.
	parentPoll = 500 * time.Millisecond
)

// Serve runs the plugin: it answers go-plugin's handshake on protocol version ProtocolVersion
// and serves PluginService over gRPC until the host stops it, the host process dies, or
// SIGTERM/SIGINT arrive (then it finishes the calls in flight, waiting at most 10 s, and
// exits). A plugin's main calls it and nothing else. Started by hand rather than by the host,
// it says it is a plugin and exits with status 1.
//
// TLS: when the host enables go-plugin's AutoMTLS it sends its certificate in the
// environment and go-plugin answers with one of its own; nothing to configure here.
func Serve(p Plugin) { ServeVersions(p, ProtocolVersion) }

// ServeVersions is Serve speaking the given protocol versions (the host picks the newest both
// sides speak, and refuses to start a plugin that speaks none of its own). Plugins call
// Serve; this exists so that the platform's tests can build a plugin of another version.
func ServeVersions(p Plugin, versions ...int) {
	calls := &inflight{}
	sets := make(map[int]plugin.PluginSet, len(versions))
	for _, v := range versions {
		sets[v] = plugin.PluginSet{PluginKey: &GRPCPlugin{Impl: p, Version: v, calls: calls}}
	}
	go exitOnSignal(calls)
	if runtime.GOOS != "windows" {
		go watchParent(startPPID, os.Getppid, parentPoll, func() {
			Logger().Warn("the host process is gone; exiting")
			os.Exit(0)
		})
	}
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig:  plugin.HandshakeConfig{MagicCookieKey: MagicCookieKey, MagicCookieValue: MagicCookieValue},
		VersionedPlugins: sets,
		GRPCServer:       plugin.DefaultGRPCServer,
	})
	// go-plugin returns when the host shut the server down (its Kill): the host no longer
	// waits for any answer, so the process ends here without waiting for handlers.
	os.Exit(0)
}

// exitOnSignal exits after the calls in flight once SIGTERM or SIGINT arrives. go-plugin
// itself ignores SIGINT (so that a Ctrl-C in the host's terminal leaves shutdown to the
// host) and leaves SIGTERM at Go's default, an immediate exit without draining.
func exitOnSignal(calls *inflight) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGTERM, os.Interrupt)
	sig := <-ch
	Logger().Info("signal received; finishing the calls in flight", "signal", sig.String())
	ctx, cancel := context.WithTimeout(context.Background(), drainTimeout)
	defer cancel()
	if !calls.drain(ctx) {
		Logger().Warn("calls still running after the drain timeout; exiting anyway", "timeout", drainTimeout.String())
	}
	os.Exit(0)
}

// watchParent calls exit once the parent process id is no longer the one the plugin started
// with: on Unix an orphan is re-parented (to init or a subreaper), which is how the death of
// a host that could not stop its plugins (SIGKILL, a crash) shows.
func watchParent(start int, getppid func() int, every time.Duration, exit func()) {
	t := time.NewTicker(every)
	defer t.Stop()
	for range t.C {
		if getppid() != start {
			exit()
			return
		}
	}
}

// startPPID is the parent (the host) as early as the process can see it: a host that died
// before this was read goes unnoticed (its orphan's parent is init from the start, which is
// also what a host running as PID 1 in a container looks like).
var startPPID = os.Getppid()

// GRPCPlugin is the go-plugin plugin of the Fengqiao protocol. On the plugin side (Serve)
// GRPCServer serves Impl; on the host side GRPCClient dispenses a *PluginClient. Hosts and
// test harnesses (sdktest) use it; plugins call Serve.
type GRPCPlugin struct {
	plugin.NetRPCUnsupportedPlugin
	Impl    Plugin // the plugin side's implementation; nil on the host side
	Version int    // the protocol version served (0: ProtocolVersion)

	calls *inflight // shared by every version Serve offers; nil: counted per server
}

// PluginClient is what GRPCPlugin dispenses on the host side: the PluginService client and the
// broker through which the host serves HostService (AcceptAndServe on broker.NextId(), then
// pass the id in Init).
type PluginClient struct {
	pluginv1.PluginServiceClient
	Broker *plugin.GRPCBroker
}

// GRPCServer registers PluginService (go-plugin calls it once the host connected).
func (g *GRPCPlugin) GRPCServer(broker *plugin.GRPCBroker, s *grpc.Server) error {
	v := g.Version
	if v == 0 {
		v = ProtocolVersion
	}
	pluginv1.RegisterPluginServiceServer(s, newPluginServer(g.Impl, v, broker, g.calls))
	return nil
}

// GRPCClient is the host side: it dispenses a *PluginClient.
func (g *GRPCPlugin) GRPCClient(_ context.Context, broker *plugin.GRPCBroker, c *grpc.ClientConn) (any, error) {
	return &PluginClient{PluginServiceClient: pluginv1.NewPluginServiceClient(c), Broker: broker}, nil
}
