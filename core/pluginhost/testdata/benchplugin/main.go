// Command benchplugin is the plugin of core/pluginhost's benchmarks (bench_test.go builds it;
// it lives under testdata so that ./... neither builds nor tests it). Its one route,
// GET /doc, makes exactly one host-API call, Documents().Get("bench", "d1"), and answers
// {"ns": N}: that call's round trip in nanoseconds as the plugin saw it.
//
// With FENGQIAO_BENCH_BARE_SOCKET set it is not a plugin but a bare gRPC server on that unix
// socket (insecure, no go-plugin, no SDK) whose PluginService.Before answers allow at once:
// the benchmarks' bare gRPC round trip to another process.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"log"
	"net"
	"net/http"
	"os"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"

	"github.com/fengqiao/fengqiao/plugins/sdk"
	pluginv1 "github.com/fengqiao/fengqiao/plugins/sdk/proto/fengqiao/plugin/v1"
)

type benchPlugin struct{}

func (benchPlugin) Manifest() sdk.Manifest {
	return sdk.Manifest{
		Name:        "bench",
		Version:     "1.0.0",
		Description: sdk.Text{ZH: "基准测试插件", EN: "benchmark plugin"},
		Regions:     []string{"31"},
		Routes:      []sdk.RouteSpec{{Method: "GET", Path: "/doc", Summary: sdk.Text{ZH: "读一个文档", EN: "read one document"}}},
	}
}

func (benchPlugin) ServeRoute(ctx context.Context, call *sdk.Call, _ *sdk.Request) (*sdk.Response, error) {
	start := time.Now()
	_, err := call.Host.Documents().Get(ctx, "bench", "d1")
	ns := time.Since(start).Nanoseconds()
	if err != nil {
		return nil, err
	}
	return sdk.JSON(http.StatusOK, map[string]int64{"ns": ns})
}

type bareServer struct {
	pluginv1.UnimplementedPluginServiceServer
}

func (bareServer) Before(context.Context, *pluginv1.BeforeRequest) (*pluginv1.BeforeResponse, error) {
	return &pluginv1.BeforeResponse{Allow: true}, nil
}

func main() {
	if sock := os.Getenv("FENGQIAO_BENCH_BARE_SOCKET"); sock != "" {
		l, err := net.Listen("unix", sock)
		if err != nil {
			log.Fatal(err)
		}
		var opts []grpc.ServerOption
		if certFile := os.Getenv("FENGQIAO_BENCH_BARE_CERT"); certFile != "" {
			// Mutual TLS with the benchmark's certificate, as AutoMTLS between host and plugin.
			cert, err := tls.LoadX509KeyPair(certFile, os.Getenv("FENGQIAO_BENCH_BARE_KEY"))
			if err != nil {
				log.Fatal(err)
			}
			pem, err := os.ReadFile(certFile)
			if err != nil {
				log.Fatal(err)
			}
			pool := x509.NewCertPool()
			pool.AppendCertsFromPEM(pem)
			opts = append(opts, grpc.Creds(credentials.NewTLS(&tls.Config{Certificates: []tls.Certificate{cert}, ClientCAs: pool,
				ClientAuth: tls.RequireAndVerifyClientCert, MinVersion: tls.VersionTLS12})))
		}
		s := grpc.NewServer(opts...)
		pluginv1.RegisterPluginServiceServer(s, bareServer{})
		log.Fatal(s.Serve(l))
	}
	sdk.Serve(benchPlugin{})
}
