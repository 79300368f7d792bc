package api_test

import (
	"cmp"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// TestNoServerErrorOnGarbage sends malformed path parameters and bodies to every documented
// operation, as the most powerful caller, and asserts that no client mistake becomes a 5xx and
// that every error is a problem document.
func TestNoServerErrorOnGarbage(t *testing.T) {
	e := newEnv(t)
	doc, err := e.api.Document()
	if err != nil {
		t.Fatal(err)
	}
	codes := []string{"310107", "x", "310107001", "999999", "000000", "%E6%99%AE", strings.Repeat("9", 300)}
	ids := []string{"00000000-0000-0000-0000-000000000000", "not-a-uuid", "'; DROP TABLE users; --", strings.Repeat("a", 300)}
	bodies := []string{
		``, `{`, `}`, `[]`, `null`, `true`, `0`, `""`, `{}`, `{"":1}`, `{"code":null}`, `{"code":["310107"]}`,
		`{"code":{"a":1}}`, `{"codes":[1,2,3]}`, `{"within":"` + strings.Repeat("1", 5000) + `"}`,
		`{"username":"a","password":` + strings.Repeat("[", 10000) + `}`, `{"roles":[null]}`, `{"roles":"x"}`,
		`{"expires_at":"9999-99-99"}`, `{"contact":{"email":1}}`, `{"enabled_plugins":null}`, `{"placement":null}`,
		`{"status":null}`, `{"reason":"` + strings.Repeat("理", 600) + `"}`, `{"display_name":"\u0000"}`,
		"{\"display_name\":\"\xff\xfe\"}", `{"new_password":"` + strings.Repeat("x", 1000) + `","current_password":"x"}`,
	}
	ids = append(ids, "%00", "%FF%FE")
	codes = append(codes, "%00")
	queries := []string{"", "?q=%00", "?after=%00", "?limit=%00", "?before=%FF", "?level=%00&status=%FF", "?%00=1", "?q=" + strings.Repeat("普", 100), "?limit=-1", "?limit=1e9"}
	n := 0
	// Logging out ends the caller's session: those operations go last, so that every other
	// operation gets garbage with a valid token.
	paths := slices.Sorted(maps.Keys(doc.Paths.Map()))
	last := func(p string) int {
		if strings.HasPrefix(p, "/api/v1/auth/logout") {
			return 1
		}
		return 0
	}
	slices.SortStableFunc(paths, func(a, b string) int { return cmp.Compare(last(a), last(b)) })
	for _, path := range paths {
		item := doc.Paths.Value(path)
		for method := range item.Operations() {
			for _, code := range codes {
				for _, id := range ids {
					p := strings.ReplaceAll(strings.ReplaceAll(path, "{code}", code), "{id}", id)
					for i, body := range bodies {
						q := ""
						if method == http.MethodGet {
							if i >= len(queries) {
								break
							}
							q, body = queries[i], ""
						}
						var b any
						if method != http.MethodGet {
							b = body
						}
						res := e.do("nation", method, p+q, b)
						n++
						if res.status >= 500 {
							t.Errorf("%s %s%s %.80q: %d %s", method, p, q, body, res.status, res.body)
						}
						if res.status >= 400 && res.header.Get("Content-Type") != "application/problem+json" {
							t.Errorf("%s %s%s %.80q: %d without a problem document", method, p, q, body, res.status)
						}
					}
					if !strings.Contains(path, "{id}") {
						break
					}
				}
				if !strings.Contains(path, "{code}") {
					break
				}
			}
		}
	}
	t.Logf("%d requests", n)
}
