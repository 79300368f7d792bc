package identity

import (
	"context"
	"strings"

	"github.com/fengqiao/fengqiao/core/division"
)

// ActorNames names the principals of a tenant's history and audit trail for people: a user by
// display name (else username), an API token by its name, the system and anonymous callers in
// words. A principal is looked up in the tenant and the levels above it (a city administrator
// acting in its district); one found nowhere (a partner tenant's user, a deleted token) keeps
// no name. Lookups are cached per call.
func (s *Service) ActorNames(ctx context.Context, tenantCode string, subjects []string) map[string]string {
	out := map[string]string{}
	scopes := []string{tenantCode}
	if ancestors, err := division.Ancestors(tenantCode); err == nil {
		for i := len(ancestors) - 1; i >= 0; i-- {
			if ancestors[i].Code != tenantCode {
				scopes = append(scopes, ancestors[i].Code)
			}
		}
	}
	var tokens map[string]string // id → name, of the scopes, loaded on first need
	for _, sub := range subjects {
		if _, done := out[sub]; done {
			continue
		}
		kind, id, _ := strings.Cut(sub, ":")
		switch kind {
		case "system":
			out[sub] = "系统"
		case "anonymous":
			out[sub] = "匿名（未登录）"
		case "user":
			for _, scope := range scopes {
				if u, err := s.repo.User(ctx, scope, id); err == nil {
					out[sub] = u.Username
					if u.DisplayName != "" {
						out[sub] = u.DisplayName
					}
					break
				}
			}
		case "token":
			if tokens == nil {
				tokens = map[string]string{}
				for _, scope := range scopes {
					ts, err := s.repo.Tokens(ctx, scope)
					if err != nil {
						continue
					}
					for _, t := range ts {
						tokens[t.ID] = t.Name
					}
				}
			}
			if name := tokens[id]; name != "" {
				out[sub] = "API 令牌「" + name + "」"
			}
		}
	}
	return out
}
