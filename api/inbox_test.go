package api_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/fengqiao/fengqiao/core/warnings"
)

// TestInboxAddressed: an inbox message is for its addressee. A principal sees the messages to
// it, to its organisation, and — the tenant's own staff only — to the tenant (and, overseeing,
// to the tenant's organisations); an agency token without an organisation sees none of the
// district's. Read state is each reader's: marking a message read as one principal leaves it
// unread for the others, and nobody marks a message it does not see.
func TestInboxAddressed(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	police := e.org(t, "putuo-admin", "310107", map[string]any{"kind": "police_station", "name": "长寿路派出所"})
	gov := e.org(t, "putuo-admin", "310107", map[string]any{"kind": "petition_office", "name": "普陀区信访办"})
	court := e.org(t, "putuo-admin", "310107", map[string]any{"kind": "court", "name": "普陀区人民法院"})
	committee := e.org(t, "putuo-admin", "310107", map[string]any{"kind": "street_committee", "name": "长寿路街道人民调解委员会", "street_code": "310107015"})
	officer := e.agencyUser(t, "310107", "police-officer", "agency-clerk", police)
	clerk := e.agencyUser(t, "310107", "court-clerk", "agency-clerk", court)
	head := e.agencyUser(t, "310107", "committee-head", "committee-head", committee)
	res := e.do("putuo-admin", http.MethodPost, "/api/v1/tenants/310107/organisations/"+police+"/tokens", map[string]any{"name": "派出所警调对接系统"})
	if res.status != http.StatusCreated {
		t.Fatalf("createAgencyToken: %d %s", res.status, res.body)
	}
	policeSystem := "Bearer " + res.json["token"].(string)
	_, unbound := e.agencyToken("putuo-admin", "310107")
	unboundSystem := "Bearer " + unbound

	// T: a warning before any agency is designated goes to the tenant; P and G: one after goes
	// to the police station and the petition office; C: a notice to the court (a plugin's
	// Notify stores it the same way); U: a notice to the court's clerk in person.
	e.riskyCase(t, "putuo-staff", "310107", "red")
	e.work(t, 0)
	if res := e.do("putuo-admin", http.MethodPut, "/api/v1/tenants/310107/warning-settings", map[string]any{"police_org_id": police, "government_org_id": gov}); res.status != http.StatusOK {
		t.Fatalf("designate: %d %s", res.status, res.body)
	}
	e.riskyCase(t, "putuo-staff", "310107", "red")
	e.work(t, 0)
	send := func(r warnings.Recipient) string {
		id, err := e.store.SendMessage(ctx, "310107", warnings.Message{Recipient: r, Kind: "plugin.example.notice", Title: "通知 / notice"})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	me := e.do(clerk, http.MethodGet, "/api/v1/me", nil)
	clerkSub, _ := me.json["subject"].(string)
	clerkID := strings.TrimPrefix(clerkSub, "user:")
	msg := map[string]string{"C": send(warnings.OrgRecipient(court)), "U": send(warnings.UserRecipient(clerkID))}
	byRecipient := map[string]string{"tenant:310107": "T", "org:" + police: "P", "org:" + gov: "G"}
	for _, m := range e.items(t, "putuo-admin", "/api/v1/tenants/310107/inbox") {
		if label, ok := byRecipient[m["recipient"].(string)]; ok {
			msg[label] = m["id"].(string)
		}
	}
	if len(msg) != 5 {
		t.Fatalf("messages: %v", msg)
	}
	labels := func(as, query string) (seen, unread []string) {
		t.Helper()
		for _, m := range e.items(t, as, "/api/v1/tenants/310107/inbox"+query) {
			for label, id := range msg {
				if m["id"] == id {
					seen = append(seen, label)
					if m["read_at"] == nil {
						unread = append(unread, label)
					}
				}
			}
		}
		slices.Sort(seen)
		slices.Sort(unread)
		return seen, unread
	}

	t.Run("who sees what", func(t *testing.T) {
		for _, tc := range []struct {
			name, as string
			see      []string
		}{
			{"district staff: the tenant's and its organisations'", "putuo-staff", []string{"C", "G", "P", "T"}},
			{"district admin: the same", "putuo-admin", []string{"C", "G", "P", "T"}},
			{"police officer: the police station's", officer, []string{"P"}},
			{"police system: the police station's", policeSystem, []string{"P"}},
			{"court clerk: the court's and its own", clerk, []string{"C", "U"}},
			{"agency token without an organisation: none", unboundSystem, nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if seen, _ := labels(tc.as, ""); !slices.Equal(seen, tc.see) {
					t.Errorf("sees %v, want %v", seen, tc.see)
				}
			})
		}
		if res := e.do(head, http.MethodGet, "/api/v1/tenants/310107/inbox", nil); res.status != http.StatusForbidden {
			t.Errorf("committee head: %d, want 403", res.status)
		}
	})

	t.Run("read is per reader", func(t *testing.T) {
		for _, tc := range []struct {
			name, as, label string
			status          int
			// After the request: who must still see the message unread.
			unreadFor []string
		}{
			{"a token without an organisation cannot mark the tenant's", unboundSystem, "T", 404, []string{"putuo-staff", "putuo-admin"}},
			{"nor the police station's", unboundSystem, "P", 404, []string{officer, policeSystem, "putuo-staff"}},
			{"the police officer cannot mark the tenant's", officer, "T", 404, []string{"putuo-staff", "putuo-admin"}},
			{"the court clerk cannot mark the police station's", clerk, "P", 404, []string{officer, policeSystem}},
			{"the police officer reads the station's, for itself", officer, "P", 200, []string{policeSystem, "putuo-staff", "putuo-admin"}},
			{"staff read the tenant's, for themselves", "putuo-staff", "T", 200, []string{"putuo-admin"}},
			{"the court clerk reads its own", clerk, "U", 200, nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				res := e.do(tc.as, http.MethodPost, "/api/v1/tenants/310107/inbox/"+msg[tc.label]+"/read", nil)
				if res.status != tc.status {
					t.Fatalf("status %d, want %d: %s", res.status, tc.status, res.body)
				}
				if tc.status == 200 {
					if res.json["read_at"] == nil {
						t.Errorf("the reader's message is not read: %s", res.body)
					}
					if _, unread := labels(tc.as, "?unread=true"); slices.Contains(unread, tc.label) {
						t.Errorf("the reader still has it unread")
					}
				}
				for i, as := range tc.unreadFor {
					if _, unread := labels(as, "?unread=true"); !slices.Contains(unread, tc.label) {
						t.Errorf("reader %d no longer has %s unread: %v", i, tc.label, unread)
					}
				}
			})
		}
	})

	t.Run("concurrent marks by one reader keep one time", func(t *testing.T) {
		var wg sync.WaitGroup
		got := make([]response, 8)
		for i := range got {
			wg.Add(1)
			go func() {
				defer wg.Done()
				got[i] = e.do("putuo-admin", http.MethodPost, "/api/v1/tenants/310107/inbox/"+msg["G"]+"/read", nil)
			}()
		}
		wg.Wait()
		for i, res := range got {
			if res.status != http.StatusOK || res.json["read_at"] != got[0].json["read_at"] {
				t.Errorf("mark %d: %d %v, first %v", i, res.status, res.json["read_at"], got[0].json["read_at"])
			}
		}
		if _, unread := labels("putuo-staff", "?unread=true"); !slices.Contains(unread, "G") {
			t.Errorf("staff lost G unread: %v", unread)
		}
	})
}
