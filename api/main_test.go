package api

import (
	"fmt"
	"os"
	"testing"

	"github.com/fengqiao/fengqiao/core/search"
)

// TestMain loads the search dictionary before the tests, as `fengqiao serve` does at start:
// otherwise the first case a test creates loads it inside its request's deadline (1.5 s, but
// over the 20 s request timeout under the race detector on a busy machine).
func TestMain(m *testing.M) {
	if _, err := search.Load(); err != nil {
		fmt.Fprintln(os.Stderr, "load the search dictionary:", err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}
