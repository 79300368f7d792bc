package access

import "context"

// Caller is who makes a request, as code below the API edge may need it (the plugins'
// before-hooks tell plugins who acts): the principal, its roles and its name.
type Caller struct {
	Principal
	Roles []string
	Name  string
}

type callerKey struct{}

// WithCaller returns ctx carrying the caller of the request.
func WithCaller(ctx context.Context, c Caller) context.Context {
	return context.WithValue(ctx, callerKey{}, c)
}

// CallerFrom returns the caller in ctx, if any.
func CallerFrom(ctx context.Context) (Caller, bool) {
	c, ok := ctx.Value(callerKey{}).(Caller)
	return c, ok
}
