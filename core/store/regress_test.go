package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/fengqiao/fengqiao/core/audit"
	"github.com/fengqiao/fengqiao/core/store"
	"github.com/fengqiao/fengqiao/core/store/storetest"
	"github.com/fengqiao/fengqiao/core/tenant"
)

// A plan whose offices lie outside the caller's scope is refused by the store itself, even
// though inserting offices switches the tenant setting district by district.
func TestOnboardRefusesOfficesOutsideScope(t *testing.T) {
	st, _ := storetest.Open(t)
	ctx := audit.WithActor(context.Background(), audit.Actor{Subject: "system:test"})
	if _, err := st.Onboard(ctx, "000000", mustPlan(t, "000000", []string{"310107", "370104"}, false)); err != nil {
		t.Fatal(err)
	}
	foreign := mustPlan(t, "000000", []string{"370104"}, true)
	_, err := st.Onboard(ctx, "310107", tenant.Plan{Requested: []string{"370104"}, Offices: foreign.Offices})
	if !errors.Is(err, tenant.ErrOutsideScope) {
		t.Fatalf("offices of 370104 onboarded from 310107: err = %v", err)
	}
	offices, err := st.Offices(ctx, "370104")
	if err != nil || len(offices) != 0 {
		t.Fatalf("370104 has %d offices after a refused onboarding (%v)", len(offices), err)
	}
}

// Opening a store on a database that was never migrated says to migrate, even when the
// application role exists already (roles are cluster-wide).
func TestOpenUnmigratedDatabaseSaysMigrate(t *testing.T) {
	storetest.NewDatabase(t) // makes sure the role exists in the cluster
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err := store.Open(ctx, store.Options{URL: storetest.EmptyDatabase(t)})
	if err == nil || !strings.Contains(err.Error(), "fengqiao migrate") {
		t.Fatalf("open of an unmigrated database: %v", err)
	}
}
