package api_test

import (
	"io"
	"log/slog"
	"os"
)

// discardLogger silences the server in tests; FENGQIAO_TEST_LOG=1 shows its log.
func discardLogger() *slog.Logger {
	if os.Getenv("FENGQIAO_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}
