package store

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"net"

	"github.com/jackc/pgerrcode"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

func mustSub(f fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(f, dir)
	if err != nil {
		panic(err)
	}
	return sub
}

func isNoRows(err error) bool { return errors.Is(err, pgx.ErrNoRows) }

// pgCode returns the SQLSTATE of a PostgreSQL error, or "".
func pgCode(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code
	}
	return ""
}

// The SQLSTATE codes the store tells apart; the only place they are named (pgerrcode spells
// PostgreSQL's table of codes, so no literal like "23505" appears in the store).
const (
	codeUniqueViolation  = pgerrcode.UniqueViolation           // 23505
	codeFKViolation      = pgerrcode.ForeignKeyViolation       // 23503
	codeCheckViolation   = pgerrcode.CheckViolation            // 23514
	codeRLSViolation     = pgerrcode.InsufficientPrivilege     // 42501: row-level security refused the row
	codeInvalidText      = pgerrcode.InvalidTextRepresentation // 22P02: e.g. a malformed uuid
	codeUndefinedFunc    = pgerrcode.UndefinedFunction         // 42883
	codeUndefinedObject  = pgerrcode.UndefinedObject           // 42704: e.g. a role that does not exist
	codeSerialization    = pgerrcode.SerializationFailure      // 40001
	codeDeadlock         = pgerrcode.DeadlockDetected          // 40P01
	codeAdminShutdown    = pgerrcode.AdminShutdown             // 57P01
	codeCrashShutdown    = pgerrcode.CrashShutdown             // 57P02
	codeCannotConnectNow = pgerrcode.CannotConnectNow          // 57P03
	codeTooManyConns     = pgerrcode.TooManyConnections        // 53300
)

// ErrUnavailable means the database could not be reached: it is down, restarting, refusing
// connections, or dropped the connection. Nothing about the request is wrong; the same request
// may succeed once the database is back (the pool reconnects by itself). Errors that wrap it
// also have Unavailable() true, so that callers that do not import the store can tell.
var ErrUnavailable = errors.New("store: database unavailable")

// unavailableError keeps the driver's error (for the logs) and marks it as ErrUnavailable.
type unavailableError struct{ err error }

func (e *unavailableError) Error() string     { return ErrUnavailable.Error() + ": " + e.err.Error() }
func (e *unavailableError) Unwrap() []error   { return []error{ErrUnavailable, e.err} }
func (e *unavailableError) Unavailable() bool { return true }

// unavailable translates a failure to reach the database into ErrUnavailable and returns any
// other error (nil included) unchanged.
func unavailable(err error) error {
	if err == nil || !isConnectionFailure(err) {
		return err
	}
	var ue *unavailableError
	if errors.As(err, &ue) {
		return err
	}
	return &unavailableError{err: err}
}

// isConnectionFailure reports whether err comes from the connection rather than the statement:
// connecting failed (refused, reset, no route, the server starting up or shutting down), the
// server ended the session (SQLSTATE class 08, 57P01–57P03, 53300 too many connections), or
// the socket broke mid-statement. A cancelled or expired context is the request's own deadline,
// not an outage.
func isConnectionFailure(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return true
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch code := pgErr.Code; {
		case pgerrcode.IsConnectionException(code), code == codeAdminShutdown, code == codeCrashShutdown,
			code == codeCannotConnectNow, code == codeTooManyConns:
			return true
		}
		return false
	}
	var netErr net.Error
	return errors.Is(err, pgconn.ErrConnClosed) || errors.As(err, &netErr) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}
