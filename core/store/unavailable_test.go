package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"

	"github.com/jackc/pgerrcode"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// TestUnavailable: failures to reach the database become ErrUnavailable; errors of the
// statement, of the request's own deadline, and nil stay as they are.
func TestUnavailable(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	cases := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"connection refused on connect", &pgconn.ConnectError{}, true},
		{"connection refused", fmt.Errorf("acquire: %w", refused), true},
		{"connection reset mid-statement", &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}, true},
		{"unexpected EOF", fmt.Errorf("receive message: %w", io.ErrUnexpectedEOF), true},
		{"conn closed", fmt.Errorf("query: %w", pgconn.ErrConnClosed), true},
		{"admin shutdown 57P01", &pgconn.PgError{Code: codeAdminShutdown}, true},
		{"crash shutdown 57P02", &pgconn.PgError{Code: codeCrashShutdown}, true},
		{"cannot connect now 57P03", &pgconn.PgError{Code: codeCannotConnectNow}, true},
		{"too many connections 53300", &pgconn.PgError{Code: codeTooManyConns}, true},
		{"connection failure 08006", &pgconn.PgError{Code: pgerrcode.ConnectionFailure}, true},
		{"unique violation", &pgconn.PgError{Code: codeUniqueViolation}, false},
		{"row-level security", &pgconn.PgError{Code: codeRLSViolation}, false},
		{"no rows", pgx.ErrNoRows, false},
		{"the request's deadline", fmt.Errorf("dial: %w (%w)", context.DeadlineExceeded, refused), false},
		{"the client went away", context.Canceled, false},
		{"a domain error", errors.New("case not found"), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := unavailable(c.err)
			if is := errors.Is(got, ErrUnavailable); is != c.want {
				t.Fatalf("errors.Is(unavailable(%v), ErrUnavailable) = %v, want %v", c.err, is, c.want)
			}
			var marked interface{ Unavailable() bool }
			if c.want && (!errors.As(got, &marked) || !marked.Unavailable()) {
				t.Errorf("not marked Unavailable(): %v", got)
			}
			if c.err != nil && !errors.Is(got, c.err) {
				t.Errorf("the driver's error is lost: %v", got)
			}
			if !c.want && got != c.err {
				t.Errorf("changed: %v → %v", c.err, got)
			}
			if c.want && unavailable(got) != got {
				t.Errorf("wrapped twice: %v", unavailable(got))
			}
		})
	}
}
