# Fengqiao. `make run` and `make test` need only Go and a machine with (or able to install)
# PostgreSQL binaries; see README.md.
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X github.com/fengqiao/fengqiao/cmd/fengqiao/cli.Version=$(VERSION)
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: build run test bench lint generate fuzz vendor clean

# The server, and every plugin of the repository into bin/plugins/<name> (plugins/<name>/cmd).
build:
	go build -ldflags "$(LDFLAGS)" -o bin/fengqiao ./cmd/fengqiao
	@for d in plugins/*/cmd; do \
		[ -d "$$d" ] || continue; \
		n=$$(basename $$(dirname $$d)); \
		echo "go build -o bin/plugins/$$n ./$$d"; \
		go build -ldflags "$(LDFLAGS)" -o bin/plugins/$$n ./$$d || exit 1; \
	done

run: build
	deploy/run.sh

test:
	deploy/test.sh

bench: build
	deploy/bench.sh

lint:
	gofmt -l . | tee /dev/stderr | (! read -r _)
	go vet ./...
	go run $(STATICCHECK) ./...
	shellcheck deploy/*.sh .ci/run 2>/dev/null || echo "shellcheck not installed: skipped"

# The plugin protocol's Go code from plugins/sdk/proto (buf and the protoc plugins at pinned
# versions, installed into bin/tools), then every go:generate.
BUF := github.com/bufbuild/buf/cmd/buf@v1.75.0
PROTOC_GEN_GO := google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.12
PROTOC_GEN_GO_GRPC := google.golang.org/grpc/cmd/protoc-gen-go-grpc@v1.6.2
generate:
	GOBIN=$(CURDIR)/bin/tools go install $(BUF)
	GOBIN=$(CURDIR)/bin/tools go install $(PROTOC_GEN_GO)
	GOBIN=$(CURDIR)/bin/tools go install $(PROTOC_GEN_GO_GRPC)
	cd plugins/sdk && PATH=$(CURDIR)/bin/tools:$$PATH buf lint && PATH=$(CURDIR)/bin/tools:$$PATH buf generate
	go generate ./...

# The console's vendored front-end files (htmx, Alpine CSP, ECharts, axe-core for the browser
# tests) at their pinned versions, with their SHA-256 list; needs npm, unlike run and test.
vendor:
	deploy/vendor.sh

# Short runs of every fuzz target (FUZZTIME=30s for longer).
fuzz:
	go test -run '^$$' -fuzz FuzzLevelOf -fuzztime $${FUZZTIME:-10s} ./core/division/
	go test -run '^$$' -fuzz FuzzLookup -fuzztime $${FUZZTIME:-10s} ./core/division/
	go test -run '^$$' -fuzz FuzzParseByteSize -fuzztime $${FUZZTIME:-10s} ./core/config/
	go test -run '^$$' -fuzz FuzzParseAPIToken -fuzztime $${FUZZTIME:-10s} ./core/identity/
	go test -run '^$$' -fuzz FuzzSignerVerify -fuzztime $${FUZZTIME:-10s} ./core/identity/
	go test -run '^$$' -fuzz FuzzDecrypt -fuzztime $${FUZZTIME:-10s} ./core/pii/
	go test -run '^$$' -fuzz FuzzValidateIDNumber -fuzztime $${FUZZTIME:-10s} ./core/pii/
	go test -run '^$$' -fuzz FuzzValidatePhone -fuzztime $${FUZZTIME:-10s} ./core/pii/
	go test -run '^$$' -fuzz '^FuzzReader$$' -fuzztime $${FUZZTIME:-10s} ./core/caseimport/
	go test -run '^$$' -fuzz FuzzXLSXReader -fuzztime $${FUZZTIME:-10s} ./core/caseimport/
	go test -run '^$$' -fuzz FuzzValidateDocument -fuzztime $${FUZZTIME:-10s} ./core/pii/
	go test -run '^$$' -fuzz FuzzParseQuery -fuzztime $${FUZZTIME:-10s} ./core/stats/
	go test -run '^$$' -fuzz FuzzImportCheck -fuzztime $${FUZZTIME:-10s} ./core/cases/
	go test -run '^$$' -fuzz FuzzMask -fuzztime $${FUZZTIME:-10s} ./core/pii/
	go test -run '^$$' -fuzz FuzzDecodeJSON -fuzztime $${FUZZTIME:-10s} ./api/
	go test -run '^$$' -fuzz FuzzParseQuery -fuzztime $${FUZZTIME:-10s} ./core/search/
	go test -run '^$$' -fuzz FuzzAnonymise -fuzztime $${FUZZTIME:-10s} ./core/library/
	go test -run '^$$' -fuzz FuzzSettingsApply -fuzztime $${FUZZTIME:-10s} ./core/plugins/
	go test -run '^$$' -fuzz FuzzMatchRoute -fuzztime $${FUZZTIME:-10s} ./core/plugins/
	go test -run '^$$' -fuzz FuzzDecodeView -fuzztime $${FUZZTIME:-10s} ./core/plugins/
	go test -run '^$$' -fuzz FuzzParsePack -fuzztime $${FUZZTIME:-10s} ./tenants/

clean:
	rm -rf bin
