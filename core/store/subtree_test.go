package store_test

import (
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/fengqiao/fengqiao/core/division"
	"github.com/fengqiao/fengqiao/core/store"
	"github.com/fengqiao/fengqiao/core/store/storetest"
)

// TestInSubtree: the SQL predicate decides every pair of codes as division.Contains does —
// the same tenant, a child, a grandchild, a sibling sharing a trimmed prefix (310110 and 310112,
// which the former rtrim(root, '0') || '%' confused), the country, streets and garbage.
func TestInSubtree(t *testing.T) {
	ctx := testCtx(t)
	conn, err := pgx.Connect(ctx, storetest.EmptyDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	codes := []string{"000000", "310000", "310100", "310107", "310110", "310112", "310107015", "310110001",
		"320000", "370100", "370104", "441000", "441002", "441100", "441900", "441900003", "500000", "500101",
		"510104", "", "31", "3100000", "abcdef", "310107015001"}
	// The cases the rule is about, stated here too so that the test fails when both sides drift.
	want := map[[2]string]bool{
		{"310107", "310107"}: true, {"310100", "310107"}: true, {"310000", "310107015"}: true,
		{"000000", "310107"}: true, {"310110", "310112"}: false, {"310107", "310100"}: false,
		{"310100", "370104"}: false, {"310107015", "310107"}: false,
	}
	sql := `SELECT ` + store.InSubtree("$1::text", "$2::text")
	for _, root := range codes {
		for _, code := range codes {
			var got bool
			if err := conn.QueryRow(ctx, sql, root, code).Scan(&got); err != nil {
				t.Fatalf("%s: %v", sql, err)
			}
			if w := division.Contains(root, code); got != w {
				t.Errorf("InSubtree(%q, %q) = %v in SQL, division.Contains says %v", root, code, got, w)
			}
			if w, ok := want[[2]string{root, code}]; ok && got != w {
				t.Errorf("InSubtree(%q, %q) = %v, want %v", root, code, got, w)
			}
		}
	}
}
