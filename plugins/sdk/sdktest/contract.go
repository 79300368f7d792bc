package sdktest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fengqiao/fengqiao/plugins/sdk"
)

// The host-API contract: one table of cases, run against this package's Host and against the
// platform's own host (core/pluginhost, over gRPC, on the real database), so that the fake
// cannot drift from what plugins meet in production. A rule the fake re-states (a bound, a
// field's name, a refusal) is kept equal to the host's by these rows.

// Fixture is what a host under contract test holds when a case starts: the call's tenant,
// another active tenant, cases in each and an agency of the call's tenant.
type Fixture struct {
	Tenant    string // the call's tenant
	Other     string // another active tenant
	Case      string // a case of Tenant with two parties (named, with phone numbers)
	OtherCase string // a case of Other
	Missing   string // the id of no case (a well-formed one)
	Agency    string // an organisation of Tenant
}

// ContractTarget makes a fresh host for one case of the contract: an sdk.Host bound to a
// call in the fixture's Tenant, acting for no user (as hooks, events and jobs do), the given
// permissions granted, and no documents yet.
type ContractTarget func(t *testing.T, grant []string) (sdk.Host, Fixture)

// HostCase is one case of the host-API contract.
type HostCase struct {
	Name  string
	Grant []string // permissions granted; AllPermissions for every one
	// Call exercises the host; an error that is not the host's (a check of what it answered)
	// fails the case whatever Want says.
	Call func(ctx context.Context, h sdk.Host, f Fixture) error
	// Want is nil, or the SDK error the host's answer unwraps to (sdk.ErrPermission, …).
	Want error
	// Field is, for sdk.ErrInvalid, the field the host's problem names.
	Field string
	// Says is, when set, text the host's answer must hold: what tells a rule from another
	// that refuses the same field (participants out of bounds, not unknown tenants).
	Says string
}

// AllPermissions are every permission a plugin may be granted.
var AllPermissions = []string{PermCasesRead, PermCasesParties, PermCasesNote, PermCasesFields, PermCasesLink,
	PermCasesShare, PermCasesJoint, PermOrganisationsRead, PermNotificationsSend, PermStatsRead}

// without is every permission but perm.
func without(perm string) []string {
	return slices.DeleteFunc(slices.Clone(AllPermissions), func(p string) bool { return p == perm })
}

// errCheck marks a failed check of an answer, so that it is never mistaken for a host error.
type errCheck struct{ msg string }

func (e *errCheck) Error() string { return e.msg }

func check(ok bool, format string, args ...any) error {
	if ok {
		return nil
	}
	return &errCheck{fmt.Sprintf(format, args...)}
}

// tenants is a joint mediation's participants: this tenant, then n-1 made-up ones.
func tenants(f Fixture, n int) []string {
	out := []string{f.Tenant}
	for i := 1; i < n; i++ {
		out = append(out, fmt.Sprintf("65%04d", i))
	}
	return out
}

// HostContract runs every case of HostCases against the hosts target makes.
func HostContract(t *testing.T, target ContractTarget) {
	t.Helper()
	for _, c := range HostCases() {
		t.Run(c.Name, func(t *testing.T) {
			h, f := target(t, c.Grant)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			err := c.Call(ctx, h, f)
			var ce *errCheck
			var he *sdk.HostError
			switch {
			case errors.As(err, &ce):
				t.Fatal(ce.msg)
			case c.Want == nil && err != nil:
				t.Fatalf("refused: %v", err)
			case c.Want == nil:
			case !errors.Is(err, c.Want):
				t.Fatalf("got %v, want %v", err, c.Want)
			case c.Field != "" && (!errors.As(err, &he) || he.Problem == nil || len(he.Problem.Fields) == 0 || he.Problem.Fields[0].Field != c.Field):
				t.Fatalf("got %v (problem %+v), want a problem with field %s", err, problemOf(err), c.Field)
			case c.Says != "" && !strings.Contains(err.Error(), c.Says):
				t.Fatalf("got %v, want an answer saying %q", err, c.Says)
			}
		})
	}
}

func problemOf(err error) *sdk.Problem {
	var he *sdk.HostError
	if errors.As(err, &he) {
		return he.Problem
	}
	return nil
}

// HostCases are the cases of the host-API contract.
func HostCases() []HostCase {
	note := func(text string) func(ctx context.Context, h sdk.Host, f Fixture) error {
		return func(ctx context.Context, h sdk.Host, f Fixture) error {
			_, err := h.AddCaseNote(ctx, f.Case, text, nil)
			return err
		}
	}
	fields := func(n int) func(ctx context.Context, h sdk.Host, f Fixture) error {
		return func(ctx context.Context, h sdk.Host, f Fixture) error {
			m := map[string]any{}
			for i := range n {
				m["f"+strconv.Itoa(i)] = i
			}
			_, err := h.UpdateCaseFields(ctx, f.Case, m)
			return err
		}
	}
	joint := func(id string, lead func(Fixture) string, ts func(Fixture) []string) func(ctx context.Context, h sdk.Host, f Fixture) error {
		return func(ctx context.Context, h sdk.Host, f Fixture) error {
			return h.SetJoint(ctx, f.Case, sdk.Joint{ID: id, Lead: lead(f), Tenants: ts(f)})
		}
	}
	self := func(f Fixture) string { return f.Tenant }
	pair := func(f Fixture) []string { return []string{f.Tenant, f.Other} }
	share := func(s sdk.Share) func(ctx context.Context, h sdk.Host, f Fixture) error {
		return func(ctx context.Context, h sdk.Host, f Fixture) error {
			s.CaseID = f.Case
			if s.GranteeTenant == "other" {
				s.GranteeTenant = f.Other
			} else if s.GranteeTenant == "self" {
				s.GranteeTenant = f.Tenant
			}
			_, err := h.ShareCase(ctx, s)
			return err
		}
	}
	notify := func(n sdk.Notification) func(ctx context.Context, h sdk.Host, f Fixture) error {
		return func(ctx context.Context, h sdk.Host, f Fixture) error {
			_, err := h.Notify(ctx, n)
			return err
		}
	}
	notifyAbout := func(caseID func(Fixture) string) func(ctx context.Context, h sdk.Host, f Fixture) error {
		return func(ctx context.Context, h sdk.Host, f Fixture) error {
			_, err := h.Notify(ctx, sdk.Notification{Recipient: "tenant", Title: "通知", CaseID: caseID(f)})
			return err
		}
	}
	put := func(data string) func(ctx context.Context, h sdk.Host, f Fixture) error {
		return func(ctx context.Context, h sdk.Host, f Fixture) error {
			_, err := h.Documents().Put(ctx, sdk.Document{Kind: "k", ID: "a", Data: json.RawMessage(data)}, 0)
			return err
		}
	}
	later := time.Now().Add(30 * 24 * time.Hour)

	return []HostCase{
		// Permissions: each call needs its own; documents need none.
		{Name: "GetCase needs cases.read", Grant: without(PermCasesRead), Want: sdk.ErrPermission,
			Call: func(ctx context.Context, h sdk.Host, f Fixture) error {
				_, err := h.GetCase(ctx, f.Case, false)
				return err
			}},
		{Name: "ListCases needs cases.read", Grant: without(PermCasesRead), Want: sdk.ErrPermission,
			Call: func(ctx context.Context, h sdk.Host, f Fixture) error {
				_, err := h.ListCases(ctx, sdk.CaseQuery{})
				return err
			}},
		{Name: "ListOrganisations needs organisations.read", Grant: without(PermOrganisationsRead), Want: sdk.ErrPermission,
			Call: func(ctx context.Context, h sdk.Host, f Fixture) error {
				_, err := h.ListOrganisations(ctx, "")
				return err
			}},
		{Name: "ListMediators needs organisations.read", Grant: without(PermOrganisationsRead), Want: sdk.ErrPermission,
			Call: func(ctx context.Context, h sdk.Host, f Fixture) error { _, err := h.ListMediators(ctx, ""); return err }},
		{Name: "AddCaseNote needs cases.note", Grant: without(PermCasesNote), Want: sdk.ErrPermission, Call: note("记录")},
		{Name: "UpdateCaseFields needs cases.fields", Grant: without(PermCasesFields), Want: sdk.ErrPermission, Call: fields(1)},
		{Name: "LinkAgency needs cases.link", Grant: without(PermCasesLink), Want: sdk.ErrPermission,
			Call: func(ctx context.Context, h sdk.Host, f Fixture) error {
				_, err := h.LinkAgency(ctx, f.Case, f.Agency, "linkage")
				return err
			}},
		{Name: "ShareCase needs cases.share", Grant: without(PermCasesShare), Want: sdk.ErrPermission,
			Call: share(sdk.Share{GranteeTenant: "other", Scope: "summary", ExpiresAt: later, Reason: "联合调解"})},
		{Name: "RevokeShare needs cases.share", Grant: without(PermCasesShare), Want: sdk.ErrPermission,
			Call: func(ctx context.Context, h sdk.Host, f Fixture) error {
				return h.RevokeShare(ctx, f.Case, "00000000-0000-0000-0000-000000000000")
			}},
		{Name: "SetJoint needs cases.joint", Grant: without(PermCasesJoint), Want: sdk.ErrPermission, Call: joint("j1", self, pair)},
		{Name: "Notify needs notifications.send", Grant: without(PermNotificationsSend), Want: sdk.ErrPermission,
			Call: notify(sdk.Notification{Recipient: "tenant", Title: "通知"})},
		{Name: "Stats needs stats.read", Grant: without(PermStatsRead), Want: sdk.ErrPermission,
			Call: func(ctx context.Context, h sdk.Host, f Fixture) error { _, err := h.Stats(ctx, ""); return err }},
		{Name: "documents need no permission", Grant: nil, Call: put(`{"a":1}`)},

		// Cases: the tenant's own, masked unless asked for and granted.
		{Name: "GetCase reads the tenant's case, parties masked", Grant: AllPermissions,
			Call: func(ctx context.Context, h sdk.Host, f Fixture) error {
				c, err := h.GetCase(ctx, f.Case, false)
				if err != nil {
					return err
				}
				return check(c.ID == f.Case && len(c.Parties) == 2 && c.Parties[0].Masked && c.Parties[1].Masked && len(c.Raw) > 0,
					"case %s: parties %+v", c.ID, c.Parties)
			}},
		{Name: "GetCase shows parties when asked and granted", Grant: AllPermissions,
			Call: func(ctx context.Context, h sdk.Host, f Fixture) error {
				c, err := h.GetCase(ctx, f.Case, true)
				if err != nil {
					return err
				}
				return check(len(c.Parties) == 2 && !c.Parties[0].Masked && !strings.Contains(c.Parties[0].Name, "*"), "parties %+v", c.Parties)
			}},
		{Name: "GetCase asking for parties needs cases.parties", Grant: without(PermCasesParties), Want: sdk.ErrPermission,
			Call: func(ctx context.Context, h sdk.Host, f Fixture) error {
				_, err := h.GetCase(ctx, f.Case, true)
				return err
			}},
		{Name: "GetCase of another tenant's case", Grant: AllPermissions, Want: sdk.ErrNotFound,
			Call: func(ctx context.Context, h sdk.Host, f Fixture) error {
				_, err := h.GetCase(ctx, f.OtherCase, false)
				return err
			}},
		{Name: "AddCaseNote on another tenant's case", Grant: AllPermissions, Want: sdk.ErrNotFound,
			Call: func(ctx context.Context, h sdk.Host, f Fixture) error {
				_, err := h.AddCaseNote(ctx, f.OtherCase, "记录", nil)
				return err
			}},
		{Name: "UpdateCaseFields on another tenant's case", Grant: AllPermissions, Want: sdk.ErrNotFound,
			Call: func(ctx context.Context, h sdk.Host, f Fixture) error {
				_, err := h.UpdateCaseFields(ctx, f.OtherCase, map[string]any{"a": 1})
				return err
			}},
		{Name: "ShareCase of another tenant's case", Grant: AllPermissions, Want: sdk.ErrNotFound,
			Call: func(ctx context.Context, h sdk.Host, f Fixture) error {
				_, err := h.ShareCase(ctx, sdk.Share{CaseID: f.OtherCase, GranteeTenant: f.Other, Scope: "summary", ExpiresAt: later, Reason: "联合调解"})
				return err
			}},
		{Name: "SetJoint of another tenant's case", Grant: AllPermissions, Want: sdk.ErrNotFound,
			Call: func(ctx context.Context, h sdk.Host, f Fixture) error {
				return h.SetJoint(ctx, f.OtherCase, sdk.Joint{ID: "j1", Lead: f.Tenant, Tenants: []string{f.Tenant, f.Other}})
			}},
		{Name: "GetCase of no case", Grant: AllPermissions, Want: sdk.ErrNotFound,
			Call: func(ctx context.Context, h sdk.Host, f Fixture) error {
				_, err := h.GetCase(ctx, f.Missing, false)
				return err
			}},
		{Name: "ListCases lists the tenant's cases only", Grant: AllPermissions,
			Call: func(ctx context.Context, h sdk.Host, f Fixture) error {
				p, err := h.ListCases(ctx, sdk.CaseQuery{})
				if err != nil {
					return err
				}
				ids := []string{}
				for _, c := range p.Cases {
					ids = append(ids, c.ID)
				}
				return check(slices.Contains(ids, f.Case) && !slices.Contains(ids, f.OtherCase), "listed %v", ids)
			}},

		{Name: "ListOrganisations by kind", Grant: AllPermissions,
			Call: func(ctx context.Context, h sdk.Host, f Fixture) error {
				all, err := h.ListOrganisations(ctx, "")
				if err != nil {
					return err
				}
				police, err := h.ListOrganisations(ctx, "police_station")
				if err != nil {
					return err
				}
				courts, err := h.ListOrganisations(ctx, "court")
				if err != nil {
					return err
				}
				has := func(os []sdk.Organisation) bool {
					return slices.ContainsFunc(os, func(o sdk.Organisation) bool { return o.ID == f.Agency && o.Kind == "police_station" })
				}
				return check(has(all) && has(police) && !has(courts), "organisations %v, police %v, courts %v", all, police, courts)
			}},

		// Notes.
		{Name: "AddCaseNote", Grant: AllPermissions, Call: note("已电话联系双方 / called both parties")},
		{Name: "AddCaseNote of a space", Grant: AllPermissions, Call: note(" ")},
		{Name: "AddCaseNote of 2000 characters", Grant: AllPermissions, Call: note(strings.Repeat("调", 2000))},
		{Name: "AddCaseNote empty", Grant: AllPermissions, Want: sdk.ErrInvalid, Field: "text", Call: note("")},
		{Name: "AddCaseNote of 2001 characters", Grant: AllPermissions, Want: sdk.ErrInvalid, Field: "text", Call: note(strings.Repeat("调", 2001))},
		{Name: "AddCaseNote with a NUL", Grant: AllPermissions, Want: sdk.ErrInvalid, Field: "text", Call: note("a\x00b")},
		{Name: "AddCaseNote with data over 64 KiB", Grant: AllPermissions, Want: sdk.ErrInvalid, Field: "data",
			Call: func(ctx context.Context, h sdk.Host, f Fixture) error {
				_, err := h.AddCaseNote(ctx, f.Case, "记录", map[string]string{"x": strings.Repeat("x", 64<<10)})
				return err
			}},
		{Name: "AddCaseNote on no case", Grant: AllPermissions, Want: sdk.ErrNotFound,
			Call: func(ctx context.Context, h sdk.Host, f Fixture) error {
				_, err := h.AddCaseNote(ctx, f.Missing, "记录", nil)
				return err
			}},

		// The plugin's own case fields.
		{Name: "UpdateCaseFields merges", Grant: AllPermissions,
			Call: func(ctx context.Context, h sdk.Host, f Fixture) error {
				if _, err := h.UpdateCaseFields(ctx, f.Case, map[string]any{"a": "1"}); err != nil {
					return err
				}
				c, err := h.UpdateCaseFields(ctx, f.Case, map[string]any{"b": 2})
				if err != nil {
					return err
				}
				return check(c.Fields["a"] == "1" && c.Fields["b"] == float64(2), "fields %v", c.Fields)
			}},
		{Name: "UpdateCaseFields of 100 fields", Grant: AllPermissions, Call: fields(100)},
		{Name: "UpdateCaseFields of 101 fields", Grant: AllPermissions, Want: sdk.ErrInvalid, Field: "fields", Call: fields(101)},
		{Name: "UpdateCaseFields on no case", Grant: AllPermissions, Want: sdk.ErrNotFound,
			Call: func(ctx context.Context, h sdk.Host, f Fixture) error {
				_, err := h.UpdateCaseFields(ctx, f.Missing, map[string]any{"a": 1})
				return err
			}},

		// Links and shares.
		{Name: "LinkAgency", Grant: AllPermissions,
			Call: func(ctx context.Context, h sdk.Host, f Fixture) error {
				id, err := h.LinkAgency(ctx, f.Case, f.Agency, "linkage")
				if err != nil {
					return err
				}
				return check(id != "", "no link id")
			}},
		{Name: "ShareCase and RevokeShare", Grant: AllPermissions,
			Call: func(ctx context.Context, h sdk.Host, f Fixture) error {
				id, err := h.ShareCase(ctx, sdk.Share{CaseID: f.Case, GranteeTenant: f.Other, Scope: "summary", ExpiresAt: later, Reason: "联合调解"})
				if err != nil {
					return err
				}
				return h.RevokeShare(ctx, f.Case, id)
			}},
		{Name: "ShareCase with this tenant, no agency named", Grant: AllPermissions, Want: sdk.ErrInvalid, Field: "grantee_organisation_id",
			Call: share(sdk.Share{GranteeTenant: "self", Scope: "summary", ExpiresAt: later, Reason: "联合调解"})},
		{Name: "ShareCase of an unknown scope", Grant: AllPermissions, Want: sdk.ErrInvalid, Field: "scope",
			Call: share(sdk.Share{GranteeTenant: "other", Scope: "everything", ExpiresAt: later, Reason: "联合调解"})},
		{Name: "ShareCase with no tenant code", Grant: AllPermissions, Want: sdk.ErrInvalid, Field: "grantee_tenant",
			Call: share(sdk.Share{GranteeTenant: "32", Scope: "summary", ExpiresAt: later, Reason: "联合调解"})},
		{Name: "ShareCase without a purpose", Grant: AllPermissions, Want: sdk.ErrInvalid, Field: "purpose",
			Call: share(sdk.Share{GranteeTenant: "other", Scope: "summary", ExpiresAt: later, Reason: "  "})},
		{Name: "ShareCase expired", Grant: AllPermissions, Want: sdk.ErrInvalid, Field: "expires_at",
			Call: share(sdk.Share{GranteeTenant: "other", Scope: "summary", ExpiresAt: time.Now().Add(-time.Hour), Reason: "联合调解"})},
		{Name: "ShareCase beyond a year", Grant: AllPermissions, Want: sdk.ErrInvalid, Field: "expires_at",
			Call: share(sdk.Share{GranteeTenant: "other", Scope: "summary", ExpiresAt: time.Now().AddDate(1, 1, 0), Reason: "联合调解"})},
		{Name: "LinkAgency of no organisation", Grant: AllPermissions, Want: sdk.ErrInvalid, Field: "party_id",
			Call: func(ctx context.Context, h sdk.Host, f Fixture) error {
				_, err := h.LinkAgency(ctx, f.Case, "00000000-0000-4000-8000-0000000000ee", "linkage")
				return err
			}},
		{Name: "Notify about another tenant's case", Grant: AllPermissions, Want: sdk.ErrNotFound,
			Call: notifyAbout(func(f Fixture) string { return f.OtherCase })},
		{Name: "Notify an unknown kind of recipient", Grant: AllPermissions, Want: sdk.ErrInvalid, Field: "recipient",
			Call: notify(sdk.Notification{Recipient: "everyone", Title: "通知"})},
		{Name: "RevokeShare of no share", Grant: AllPermissions, Want: sdk.ErrNotFound,
			Call: func(ctx context.Context, h sdk.Host, f Fixture) error {
				return h.RevokeShare(ctx, f.Case, "00000000-0000-0000-0000-000000000000")
			}},

		// Joint mediation (core/cases.CheckJoint; the fake re-states it).
		{Name: "SetJoint with a tenant that is not", Grant: AllPermissions, Want: sdk.ErrInvalid, Field: "tenants", Says: "650001",
			Call: joint("j1", self, func(f Fixture) []string { return []string{f.Tenant, "650001"} })},
		{Name: "SetJoint with another tenant", Grant: AllPermissions, Call: joint("border-1", func(f Fixture) string { return f.Other }, pair)},
		{Name: "SetJoint ended", Grant: AllPermissions, Call: joint("", self, func(Fixture) []string { return nil })},
		{Name: "SetJoint of one tenant", Grant: AllPermissions, Want: sdk.ErrInvalid, Field: "tenants", Says: "2–20",
			Call: joint("j1", self, func(f Fixture) []string { return []string{f.Tenant} })},
		{Name: "SetJoint of 25 tenants", Grant: AllPermissions, Want: sdk.ErrInvalid, Field: "tenants", Says: "2–20",
			Call: joint("j1", self, func(f Fixture) []string { return tenants(f, 25) })},
		{Name: "SetJoint without this tenant", Grant: AllPermissions, Want: sdk.ErrInvalid, Field: "tenants", Says: "include this tenant",
			Call: joint("j1", func(f Fixture) string { return f.Other }, func(f Fixture) []string { return []string{f.Other, "650001"} })},
		{Name: "SetJoint led from outside", Grant: AllPermissions, Want: sdk.ErrInvalid, Field: "lead",
			Call: joint("j1", func(Fixture) string { return "650001" }, pair)},
		{Name: "SetJoint with a participant twice", Grant: AllPermissions, Want: sdk.ErrInvalid, Field: "tenants", Says: "twice",
			Call: joint("j1", self, func(f Fixture) []string { return []string{f.Tenant, f.Tenant} })},
		{Name: "SetJoint with a long id", Grant: AllPermissions, Want: sdk.ErrInvalid, Field: "joint_id",
			Call: joint(strings.Repeat("j", 101), self, pair)},

		// Notifications.
		{Name: "Notify the tenant's staff", Grant: AllPermissions, Call: notify(sdk.Notification{Recipient: "tenant", Title: "新任务 / new task", Body: "请处理"})},
		{Name: "Notify without a title", Grant: AllPermissions, Want: sdk.ErrInvalid, Field: "title", Call: notify(sdk.Notification{Recipient: "tenant"})},
		{Name: "Notify with a long title", Grant: AllPermissions, Want: sdk.ErrInvalid, Field: "title",
			Call: notify(sdk.Notification{Recipient: "tenant", Title: strings.Repeat("题", 201)})},

		// Statistics.
		{Name: "Stats answers JSON", Grant: AllPermissions,
			Call: func(ctx context.Context, h sdk.Host, f Fixture) error {
				raw, err := h.Stats(ctx, "")
				if err != nil {
					return err
				}
				return check(json.Valid(raw), "stats %s", raw)
			}},

		{Name: "Stats of a malformed query string", Grant: AllPermissions, Want: sdk.ErrInvalid, Field: "query",
			Call: func(ctx context.Context, h sdk.Host, f Fixture) error { _, err := h.Stats(ctx, "from=%zz"); return err }},

		// Documents.
		{Name: "Put then Get", Grant: nil,
			Call: func(ctx context.Context, h sdk.Host, f Fixture) error {
				d, err := h.Documents().Put(ctx, sdk.Document{Kind: "k", ID: "a", Data: json.RawMessage(`{"n":1}`)}, 0)
				if err != nil {
					return err
				}
				if err := check(d.Version == 1, "first version %d", d.Version); err != nil {
					return err
				}
				d2, err := h.Documents().Put(ctx, sdk.Document{Kind: "k", ID: "a", Data: json.RawMessage(`{"n":2}`)}, 1)
				if err != nil {
					return err
				}
				got, err := h.Documents().Get(ctx, "k", "a")
				if err != nil {
					return err
				}
				var v struct{ N int }
				_ = json.Unmarshal(got.Data, &v)
				return check(d2.Version == 2 && got.Version == 2 && v.N == 2, "versions %d %d, data %s", d2.Version, got.Version, got.Data)
			}},
		{Name: "Put over a stale version", Grant: nil, Want: sdk.ErrConflict,
			Call: func(ctx context.Context, h sdk.Host, f Fixture) error {
				if _, err := h.Documents().Put(ctx, sdk.Document{Kind: "k", ID: "a", Data: json.RawMessage(`{}`)}, 0); err != nil {
					return &errCheck{err.Error()}
				}
				_, err := h.Documents().Put(ctx, sdk.Document{Kind: "k", ID: "a", Data: json.RawMessage(`{}`)}, 7)
				return err
			}},
		{Name: "Create of an existing document", Grant: nil, Want: sdk.ErrExists,
			Call: func(ctx context.Context, h sdk.Host, f Fixture) error {
				if _, err := h.Documents().Create(ctx, sdk.Document{Kind: "k", ID: "a", Data: json.RawMessage(`{}`)}); err != nil {
					return &errCheck{err.Error()}
				}
				_, err := h.Documents().Create(ctx, sdk.Document{Kind: "k", ID: "a", Data: json.RawMessage(`{}`)})
				return err
			}},
		{Name: "Get of no document", Grant: nil, Want: sdk.ErrNotFound,
			Call: func(ctx context.Context, h sdk.Host, f Fixture) error {
				_, err := h.Documents().Get(ctx, "k", "none")
				return err
			}},
		{Name: "Delete", Grant: nil,
			Call: func(ctx context.Context, h sdk.Host, f Fixture) error {
				if _, err := h.Documents().Put(ctx, sdk.Document{Kind: "k", ID: "a", Data: json.RawMessage(`{}`)}, 0); err != nil {
					return err
				}
				first, err := h.Documents().Delete(ctx, "k", "a")
				if err != nil {
					return err
				}
				again, err := h.Documents().Delete(ctx, "k", "a")
				if err != nil {
					return err
				}
				return check(first && !again, "deleted %v, then %v", first, again)
			}},
		{Name: "List pages in id order", Grant: nil,
			Call: func(ctx context.Context, h sdk.Host, f Fixture) error {
				for _, id := range []string{"c", "a", "b"} {
					if _, err := h.Documents().Put(ctx, sdk.Document{Kind: "k", ID: id, Data: json.RawMessage(`{}`)}, 0); err != nil {
						return err
					}
				}
				page, next, err := h.Documents().List(ctx, "k", "", 2)
				if err != nil {
					return err
				}
				rest, end, err := h.Documents().List(ctx, "k", next, 2)
				if err != nil {
					return err
				}
				return check(len(page) == 2 && page[0].ID == "a" && page[1].ID == "b" && next == "b" && len(rest) == 1 && rest[0].ID == "c" && end == "",
					"pages %v (next %q), %v (next %q)", page, next, rest, end)
			}},
		{Name: "Put without a kind", Grant: nil, Want: sdk.ErrInvalid, Field: "document",
			Call: func(ctx context.Context, h sdk.Host, f Fixture) error {
				_, err := h.Documents().Put(ctx, sdk.Document{ID: "a", Data: json.RawMessage(`{}`)}, 0)
				return err
			}},
		{Name: "Put of an upper-case kind", Grant: nil, Want: sdk.ErrInvalid, Field: "document",
			Call: func(ctx context.Context, h sdk.Host, f Fixture) error {
				_, err := h.Documents().Put(ctx, sdk.Document{Kind: "Cases", ID: "a", Data: json.RawMessage(`{}`)}, 0)
				return err
			}},
		{Name: "Create of an id over 200 characters", Grant: nil, Want: sdk.ErrInvalid, Field: "document",
			Call: func(ctx context.Context, h sdk.Host, f Fixture) error {
				_, err := h.Documents().Create(ctx, sdk.Document{Kind: "k", ID: strings.Repeat("号", 201), Data: json.RawMessage(`{}`)})
				return err
			}},
		{Name: "Put of an id of 200 characters", Grant: nil,
			Call: func(ctx context.Context, h sdk.Host, f Fixture) error {
				_, err := h.Documents().Put(ctx, sdk.Document{Kind: "k.v2_x-y", ID: strings.Repeat("号", 200), Data: json.RawMessage(`{}`)}, 0)
				return err
			}},
		{Name: "Get without an id", Grant: nil, Want: sdk.ErrNotFound,
			Call: func(ctx context.Context, h sdk.Host, f Fixture) error {
				_, err := h.Documents().Get(ctx, "k", "")
				return err
			}},
		{Name: "Put of no JSON", Grant: nil, Want: sdk.ErrInvalid, Field: "document.data", Call: put(`{`)},
		{Name: "Put of a NUL in JSON", Grant: nil, Want: sdk.ErrInvalid, Field: "document.data", Call: put(`{"a":"\u0000"}`)},
		{Name: "Put over 1 MiB", Grant: nil, Want: sdk.ErrInvalid, Field: "document.data", Call: put(`"` + strings.Repeat("x", 1<<20) + `"`)},
	}
}

// NewContractHost is a Host of tenant 310107 seeded with the contract's fixture, grant granted.
func NewContractHost(grant ...string) (*Host, Fixture) {
	f := Fixture{Tenant: "310107", Other: "320509", Case: "00000000-0000-4000-8000-000000000001",
		OtherCase: "00000000-0000-4000-8000-000000000002", Missing: "00000000-0000-4000-8000-0000000000ff",
		Agency: "00000000-0000-4000-8000-000000000010"}
	h := NewHost(f.Tenant, grant...)
	h.SetActiveTenants(f.Tenant, f.Other)
	h.AddCase(sdk.Case{ID: f.Case, Number: "SH-1", Title: "两地交界纠纷", Status: "received", ReceivedAt: time.Now(),
		Parties: []sdk.Party{{ID: "p1", Role: "applicant", Kind: "person", Name: "张三", Phone: "13800000001"},
			{ID: "p2", Role: "respondent", Kind: "person", Name: "李四", Phone: "13800000002"}}})
	h.AddCase(sdk.Case{ID: f.OtherCase, TenantCode: f.Other, Number: "JS-1", Title: "另一辖区的案件", Status: "received", ReceivedAt: time.Now()})
	h.AddOrganisation(sdk.Organisation{ID: f.Agency, Kind: "police_station", Name: "长寿路派出所", Status: "active"})
	return h, f
}
