package cli_test

import (
	"context"
	"testing"

	"github.com/fengqiao/fengqiao/core/store/storetest"
)

// TestDemoMediator (issue 14, item 5): the demo's registry mediator 王明 is a chief mediator
// linked to the login putuo-mediator, the lead mediator of exactly one demo case, on which he
// started mediation and recorded a session himself; seeding again adds no second 王明.
func TestDemoMediator(t *testing.T) {
	db := storetest.NewDatabase(t)
	useDatabase(t, db)
	runSteps(t, []step{
		{name: "first seed", args: []string{"demo", "seed"}, wantOut: []string{"putuo-mediator", demoCasesCreated(t)}},
		{name: "second seed", args: []string{"demo", "seed"}, wantOut: []string{"demo cases: 0 created"}},
	})
	conn := ownerQuery(t, db)
	ctx := context.Background()
	var n int
	var chief bool
	err := conn.QueryRow(ctx, `SELECT count(*), bool_and(m.chief) FROM mediators m JOIN users u ON u.tenant_id = m.tenant_id AND u.id = m.user_id
		WHERE m.name = '王明' AND u.username = 'putuo-mediator'`).Scan(&n, &chief)
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 || !chief {
		t.Fatalf("王明 linked to putuo-mediator: %d records, chief %v; want one chief mediator", n, chief)
	}
	var title, status string
	var sessions, byMediator int
	err = conn.QueryRow(ctx, `SELECT c.title, c.status,
			(SELECT count(*) FROM case_sessions s WHERE s.case_id = c.id AND s.mediators = ARRAY['王明']),
			(SELECT count(*) FROM case_events e JOIN users u ON e.actor = 'user:' || u.id::text WHERE e.case_id = c.id AND u.username = 'putuo-mediator')
		FROM case_mediators cm JOIN mediators m ON m.tenant_id = cm.tenant_id AND m.id = cm.mediator_id JOIN cases c ON c.tenant_id = cm.tenant_id AND c.id = cm.case_id
		WHERE m.name = '王明' AND cm.position = 0`).Scan(&title, &status, &sessions, &byMediator)
	if err != nil {
		t.Fatalf("the case assigned to 王明: %v", err)
	}
	if title != "邻居占用楼道堆放杂物" || status != "mediating" || sessions != 1 || byMediator != 2 {
		t.Errorf("王明's case: %q %s, %d sessions naming him, %d actions by putuo-mediator; want mediating, 1, 2", title, status, sessions, byMediator)
	}
}
