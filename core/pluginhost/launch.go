// Package pluginhost runs regional plugins (hashicorp/go-plugin over gRPC; the protocol is in
// plugins/sdk/proto): it starts one process per installed plugin, verifying the binary's
// SHA-256 against the catalog before every start; supervises it (health checks, restarts with
// backoff, deactivation after repeated crashes, deadlines, bounded concurrency); dispatches
// before-hooks, after-events, routes and scheduled jobs to it; and serves the host API the
// plugin calls back, bound to the call's tenant and to the plugin's granted permissions.
// go-plugin lives only here (and, on the plugin side, in plugins/sdk).
package pluginhost

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	"github.com/fengqiao/fengqiao/core/plugins"
	"github.com/fengqiao/fengqiao/plugins/sdk"
	pluginv1 "github.com/fengqiao/fengqiao/plugins/sdk/proto/fengqiao/plugin/v1"
)

// handshake must match plugins/sdk.Serve.
var handshake = plugin.HandshakeConfig{MagicCookieKey: sdk.MagicCookieKey, MagicCookieValue: sdk.MagicCookieValue}

// conn is a running plugin process and its client.
type conn struct {
	client   *plugin.Client
	svc      pluginv1.PluginServiceClient
	protocol int
	pid      int
}

// grpcPlugin is the host side of go-plugin's GRPCPlugin: it serves the Host API on the broker
// and tells the plugin its broker id (Init).
type grpcPlugin struct {
	plugin.NetRPCUnsupportedPlugin
	host pluginv1.HostServiceServer
}

func (p *grpcPlugin) GRPCServer(*plugin.GRPCBroker, *grpc.Server) error {
	return errors.New("pluginhost: the host does not serve plugins")
}

func (p *grpcPlugin) GRPCClient(ctx context.Context, broker *plugin.GRPCBroker, cc *grpc.ClientConn) (any, error) {
	id := broker.NextId()
	go broker.AcceptAndServe(id, func(opts []grpc.ServerOption) *grpc.Server {
		s := grpc.NewServer(opts...)
		pluginv1.RegisterHostServiceServer(s, p.host)
		return s
	})
	svc := pluginv1.NewPluginServiceClient(cc)
	ictx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if _, err := svc.Init(ictx, &pluginv1.InitRequest{HostBrokerId: id, HostVersion: HostVersion}); err != nil {
		return nil, fmt.Errorf("init: %w", err)
	}
	return svc, nil
}

// HostVersion is told to plugins in Init (set by the command line).
var HostVersion = "dev"

// FileSHA256 is the hex SHA-256 of the file at path.
func FileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// launch starts the plugin at path, verifying its SHA-256 (hex) first, and completes the
// handshake. The plugin inherits no environment from the server (it holds the database's
// address and keys), and is killed by the kernel if the server dies.
func launch(path, sum string, log hclog.Logger, host pluginv1.HostServiceServer) (*conn, error) {
	want, err := hex.DecodeString(sum)
	if err != nil || len(want) != sha256.Size {
		return nil, fmt.Errorf("%w: the catalog's checksum %q is not a SHA-256", plugins.ErrChecksum, sum)
	}
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("插件程序不存在 / plugin binary missing: %w", err)
	}
	cmd := exec.Command(path)
	cmd.Env = []string{"PATH=/usr/bin:/bin", "TZ=Asia/Shanghai", "LANG=C.UTF-8"}
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
	versioned := map[int]plugin.PluginSet{}
	for _, v := range plugins.ProtocolVersions {
		versioned[v] = plugin.PluginSet{sdk.PluginKey: &grpcPlugin{host: host}}
	}
	client := plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig:  handshake,
		VersionedPlugins: versioned,
		Cmd:              cmd,
		SkipHostEnv:      true,
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		AutoMTLS:         true,
		SecureConfig:     &plugin.SecureConfig{Checksum: want, Hash: sha256.New()},
		Logger:           log,
		StartTimeout:     10 * time.Second,
		GRPCDialOptions:  []grpc.DialOption{grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(16 << 20))},
	})
	rpc, err := client.Client()
	if err != nil {
		client.Kill()
		return nil, explainLaunch(err)
	}
	raw, err := rpc.Dispense(sdk.PluginKey)
	if err != nil {
		client.Kill()
		return nil, fmt.Errorf("插件握手失败 / plugin handshake failed: %w", err)
	}
	svc, ok := raw.(pluginv1.PluginServiceClient)
	if !ok {
		client.Kill()
		return nil, fmt.Errorf("%w: unexpected client %T", plugins.ErrProtocol, raw)
	}
	c := &conn{client: client, svc: svc, protocol: client.NegotiatedVersion()}
	if rc := client.ReattachConfig(); rc != nil {
		c.pid = rc.Pid
	}
	return c, nil
}

// explainLaunch turns go-plugin's start errors into messages an operator can act on.
func explainLaunch(err error) error {
	msg := err.Error()
	first, _, _ := strings.Cut(msg, "\n")
	switch {
	case errors.Is(err, plugin.ErrChecksumsDoNotMatch):
		return fmt.Errorf("%w：程序文件与目录中记录的 SHA-256 不一致，已拒绝启动；请重新安装（fengqiao plugin install） / the binary's SHA-256 differs from the catalog's: refused to start it; reinstall it (fengqiao plugin install)", plugins.ErrChecksum)
	case strings.Contains(strings.ToLower(msg), "incompatible api version"):
		return fmt.Errorf("%w：插件使用的协议版本本服务器不支持（服务器支持 %v）：%s / the plugin speaks a protocol version this server does not (it speaks %v): %s",
			plugins.ErrProtocol, plugins.ProtocolVersions, msg, plugins.ProtocolVersions, msg)
	case strings.Contains(msg, "exited before we could connect"), strings.Contains(msg, "Unrecognized remote plugin message"),
		strings.Contains(msg, "timeout while waiting for plugin to start"):
		return fmt.Errorf("不是枫桥插件，或启动失败，未完成插件握手（go-plugin） / not a Fengqiao plugin, or it failed to start: no go-plugin handshake (%s)", strings.TrimSpace(first))
	}
	return fmt.Errorf("插件启动失败 / the plugin failed to start: %w", err)
}

// exited reports whether the process has exited.
func (c *conn) exited() bool { return c.client.Exited() }

// kill stops the process (gracefully first, then SIGKILL).
func (c *conn) kill() { c.client.Kill() }
