package authz

import (
	"sort"
	"strings"
	"sync"

	"github.com/casbin/casbin/v2/log"
	"github.com/casbin/casbin/v2/rbac"
)

// roleManager is the role manager of "g": it answers g(sub, role, requestDomain) from the
// grants "g, sub, role, grantDomain", a grant reaching every request domain the domain matching
// function accepts (subtreeMatch: the grant's tenant and the tenants below it; a grant in "*"
// reaches every tenant).
//
// It replaces Casbin's default domain role manager, which gives the same answers (see
// TestRoleManagerMatchesCasbin) but materialises every grant into the role manager of each
// domain it reaches: with a domain matching function every AddLink scans all domains, so loading
// 10,000 grants over 3,000 districts took seconds, and a request in a domain without grants of
// its own rebuilt that domain's links on every call (~1 ms). Here a grant is stored once, under
// its subject, and a lookup checks the subject's few grants.
//
// Role-to-role links ("g, district-admin, district-staff, *") are followed transitively up to
// maxHierarchyLevel, each link reaching the domains its own domain covers. Pattern matching of
// names (AddMatchingFunc) is not supported: Fengqiao's subjects and roles are plain names.
type roleManager struct {
	mu    sync.RWMutex
	links map[string]map[link]struct{} // name1 -> links
	// roleHeld counts the links whose holder is a role (no "kind:" prefix), not a principal.
	roleHeld int
	match    rbac.MatchingFunc // fn(requestDomain, grantDomain); nil: equal domains only
}

type link struct{ role, domain string }

const maxHierarchyLevel = 10

var _ rbac.RoleManager = (*roleManager)(nil)

func newRoleManager() *roleManager {
	return &roleManager{links: map[string]map[link]struct{}{}}
}

func domainOf(domains []string) string {
	if len(domains) == 0 {
		return ""
	}
	return domains[0]
}

// reaches tells whether a link held in grantDomain applies in requestDomain.
func (rm *roleManager) reaches(requestDomain, grantDomain string) bool {
	return grantDomain == requestDomain || grantDomain == AnyTenant ||
		(rm.match != nil && rm.match(requestDomain, grantDomain))
}

// Clear removes every link (the matching function stays).
func (rm *roleManager) Clear() error {
	rm.mu.Lock()
	rm.links = map[string]map[link]struct{}{}
	rm.roleHeld = 0
	rm.mu.Unlock()
	return nil
}

// roleLinks is how many links a role holds (role hierarchies).
func (rm *roleManager) roleLinks() int {
	rm.mu.RLock()
	defer rm.mu.RUnlock()
	return rm.roleHeld
}

func isPrincipal(name string) bool { return strings.IndexByte(name, ':') >= 0 }

// AddLink records that name1 holds name2 in the domain.
func (rm *roleManager) AddLink(name1, name2 string, domains ...string) error {
	rm.mu.Lock()
	defer rm.mu.Unlock()
	ls := rm.links[name1]
	if ls == nil {
		ls = map[link]struct{}{}
		rm.links[name1] = ls
	}
	l := link{name2, domainOf(domains)}
	if _, held := ls[l]; !held && !isPrincipal(name1) {
		rm.roleHeld++
	}
	ls[l] = struct{}{}
	return nil
}

// BuildRelationship is deprecated in Casbin and does nothing.
func (rm *roleManager) BuildRelationship(string, string, ...string) error { return nil }

// DeleteLink removes exactly the link name1 -> name2 held in the domain.
func (rm *roleManager) DeleteLink(name1, name2 string, domains ...string) error {
	rm.mu.Lock()
	defer rm.mu.Unlock()
	if ls := rm.links[name1]; ls != nil {
		l := link{name2, domainOf(domains)}
		if _, held := ls[l]; held && !isPrincipal(name1) {
			rm.roleHeld--
		}
		delete(ls, l)
		if len(ls) == 0 {
			delete(rm.links, name1)
		}
	}
	return nil
}

// HasLink tells whether name1 holds name2 in the domain, directly or through roles it holds.
func (rm *roleManager) HasLink(name1, name2 string, domains ...string) (bool, error) {
	if name1 == name2 {
		return true, nil
	}
	dom := domainOf(domains)
	rm.mu.RLock()
	defer rm.mu.RUnlock()
	// Fast path: the subject's own links, no allocation.
	nested := false
	for l := range rm.links[name1] {
		if !rm.reaches(dom, l.domain) {
			continue
		}
		if l.role == name2 {
			return true, nil
		}
		if len(rm.links[l.role]) > 0 {
			nested = true
		}
	}
	if !nested {
		return false, nil
	}
	seen := map[string]bool{name1: true}
	frontier := []string{name1}
	for level := 0; level < maxHierarchyLevel && len(frontier) > 0; level++ {
		var next []string
		for _, n := range frontier {
			for l := range rm.links[n] {
				if !rm.reaches(dom, l.domain) {
					continue
				}
				if l.role == name2 {
					return true, nil
				}
				if !seen[l.role] {
					seen[l.role] = true
					next = append(next, l.role)
				}
			}
		}
		frontier = next
	}
	return false, nil
}

// appendRoles appends to b the roles name holds directly in the domain, sorted and separated
// by ",": the decision cache's key of a subject (no map, one small slice).
func (rm *roleManager) appendRoles(b []byte, name, dom string) []byte {
	var buf [8]string
	roles := buf[:0]
	rm.mu.RLock()
	for l := range rm.links[name] {
		if rm.reaches(dom, l.domain) && !slicesContains(roles, l.role) {
			roles = append(roles, l.role)
		}
	}
	rm.mu.RUnlock()
	sort.Strings(roles)
	for i, r := range roles {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, r...)
	}
	return b
}

func slicesContains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// GetRoles returns the roles name holds directly in the domain, sorted.
func (rm *roleManager) GetRoles(name string, domains ...string) ([]string, error) {
	dom := domainOf(domains)
	rm.mu.RLock()
	defer rm.mu.RUnlock()
	set := map[string]bool{}
	for l := range rm.links[name] {
		if rm.reaches(dom, l.domain) {
			set[l.role] = true
		}
	}
	return sortedKeys(set), nil
}

// GetUsers returns the names holding name directly in the domain, sorted.
func (rm *roleManager) GetUsers(name string, domains ...string) ([]string, error) {
	dom := domainOf(domains)
	rm.mu.RLock()
	defer rm.mu.RUnlock()
	set := map[string]bool{}
	for user, ls := range rm.links {
		for l := range ls {
			if l.role == name && rm.reaches(dom, l.domain) {
				set[user] = true
			}
		}
	}
	return sortedKeys(set), nil
}

// GetImplicitRoles returns the roles name holds in the domain, directly or not, sorted.
func (rm *roleManager) GetImplicitRoles(name string, domains ...string) ([]string, error) {
	return rm.closure(name, domainOf(domains), rm.GetRoles)
}

// GetImplicitUsers returns the names holding name in the domain, directly or not, sorted.
func (rm *roleManager) GetImplicitUsers(name string, domains ...string) ([]string, error) {
	return rm.closure(name, domainOf(domains), rm.GetUsers)
}

func (rm *roleManager) closure(name, dom string, step func(string, ...string) ([]string, error)) ([]string, error) {
	set := map[string]bool{}
	frontier := []string{name}
	for level := 0; level < maxHierarchyLevel && len(frontier) > 0; level++ {
		var next []string
		for _, n := range frontier {
			found, _ := step(n, dom)
			for _, f := range found {
				if !set[f] && f != name {
					set[f] = true
					next = append(next, f)
				}
			}
		}
		frontier = next
	}
	return sortedKeys(set), nil
}

// GetDomains returns the domains in which name holds something, sorted.
func (rm *roleManager) GetDomains(name string) ([]string, error) {
	rm.mu.RLock()
	defer rm.mu.RUnlock()
	set := map[string]bool{}
	for l := range rm.links[name] {
		set[l.domain] = true
	}
	return sortedKeys(set), nil
}

// GetAllDomains returns every domain holding a link, sorted.
func (rm *roleManager) GetAllDomains() ([]string, error) {
	rm.mu.RLock()
	defer rm.mu.RUnlock()
	set := map[string]bool{}
	for _, ls := range rm.links {
		for l := range ls {
			set[l.domain] = true
		}
	}
	return sortedKeys(set), nil
}

// PrintRoles does nothing: the links are rules in the model, which Casbin can print.
func (rm *roleManager) PrintRoles() error { return nil }

// SetLogger does nothing.
func (rm *roleManager) SetLogger(log.Logger) {}

// Match applies the domain matching function: does a link held in pattern reach str?
func (rm *roleManager) Match(str, pattern string) bool { return rm.reaches(str, pattern) }

// AddMatchingFunc is not supported (names are matched exactly) and does nothing.
func (rm *roleManager) AddMatchingFunc(string, rbac.MatchingFunc) {}

// AddDomainMatchingFunc sets the domain matching function, called as fn(requestDomain,
// grantDomain), as Casbin's domain role manager calls it.
func (rm *roleManager) AddDomainMatchingFunc(_ string, fn rbac.MatchingFunc) {
	rm.mu.Lock()
	rm.match = fn
	rm.mu.Unlock()
}

// DeleteDomain removes every link held in the domain.
func (rm *roleManager) DeleteDomain(domain string) error {
	rm.mu.Lock()
	defer rm.mu.Unlock()
	for name, ls := range rm.links {
		for l := range ls {
			if l.domain == domain {
				delete(ls, l)
				if !isPrincipal(name) {
					rm.roleHeld--
				}
			}
		}
		if len(ls) == 0 {
			delete(rm.links, name)
		}
	}
	return nil
}

func sortedKeys(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
