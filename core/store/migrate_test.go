package store_test

import (
	"context"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/fengqiao/fengqiao/core/store"
	"github.com/fengqiao/fengqiao/core/store/storetest"
)

func TestMigrateAppliesOnceThenNothing(t *testing.T) {
	db := storetest.EmptyDatabase(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cur, latest, err := store.MigrationState(ctx, db)
	if err != nil {
		t.Fatalf("MigrationState of an empty database: %v", err)
	}
	if cur != 0 {
		t.Errorf("empty database at version %d, want 0", cur)
	}
	if latest < 1 {
		t.Fatalf("latest embedded version %d", latest)
	}
	steps := []struct {
		name string
		want []int64
	}{
		{"first", store.MigrationVersions()},
		{"second", nil},
		{"third", nil},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			applied, err := store.Migrate(ctx, db, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(applied, s.want) {
				t.Errorf("applied %v, want %v", applied, s.want)
			}
			cur, lat, err := store.MigrationState(ctx, db)
			if err != nil {
				t.Fatal(err)
			}
			if cur != latest || lat != latest {
				t.Errorf("MigrationState = %d, %d; want %d, %d", cur, lat, latest, latest)
			}
		})
	}
	// The migrated database serves the application role.
	st, err := store.Open(ctx, store.Options{URL: db, MaxConns: 2})
	if err != nil {
		t.Fatalf("Open after Migrate: %v", err)
	}
	defer st.Close()
	if tn, err := st.Tenant(ctx, "000000", "000000"); err != nil || tn.FullName != "中华人民共和国" {
		t.Errorf("country tenant = %+v, %v", tn, err)
	}
}

func TestMigrationStateOfTheTestTemplate(t *testing.T) {
	db := storetest.NewDatabase(t)
	ctx := context.Background()
	cur, latest, err := store.MigrationState(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if cur != latest || cur < 1 {
		t.Errorf("storetest database at version %d of %d", cur, latest)
	}
	applied, err := store.Migrate(ctx, db, nil)
	if err != nil || len(applied) != 0 {
		t.Errorf("Migrate of a migrated database applied %v, %v", applied, err)
	}
}

func TestConcurrentMigrationsWaitForEachOther(t *testing.T) {
	for _, n := range []int{2, 4} {
		t.Run(strconv.Itoa(n)+" migrators", func(t *testing.T) {
			db := storetest.EmptyDatabase(t)
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			var (
				wg      sync.WaitGroup
				applied = make([][]int64, n)
				errs    = make([]error, n)
				start   = make(chan struct{})
			)
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					applied[i], errs[i] = store.Migrate(ctx, db, nil)
				}()
			}
			close(start)
			wg.Wait()
			var total []int64
			for i := range n {
				if errs[i] != nil {
					t.Errorf("migrator %d: %v", i, errs[i])
				}
				total = append(total, applied[i]...)
			}
			slices.Sort(total)
			if !slices.Equal(total, store.MigrationVersions()) {
				t.Errorf("migrations applied in all = %v, want each of %v once", total, store.MigrationVersions())
			}
			cur, latest, err := store.MigrationState(ctx, db)
			if err != nil || cur != latest {
				t.Errorf("MigrationState = %d, %d, %v", cur, latest, err)
			}
		})
	}
}
