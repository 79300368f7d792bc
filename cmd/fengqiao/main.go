// Command fengqiao is the Fengqiao server and its administration commands.
package main

import (
	"context"
	"os"

	"github.com/fengqiao/fengqiao/cmd/fengqiao/cli"
)

func main() {
	os.Exit(cli.Execute(context.Background(), os.Args[1:]))
}
