// Command example is the example plugin's program: the host starts it, never a person.
//
//	go build -ldflags "-X main.version=1.1.0" -o bin/plugins/example ./plugins/example/cmd
package main

import (
	"github.com/fengqiao/fengqiao/plugins/example"
	"github.com/fengqiao/fengqiao/plugins/sdk"
)

// version is the plugin's version in its manifest; set it at build time with
// -ldflags "-X main.version=…".
var version = "1.0.0"

func main() {
	sdk.Serve(example.New(version))
}
