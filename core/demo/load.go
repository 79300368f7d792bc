package demo

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/fengqiao/fengqiao/core/cases"
	"github.com/fengqiao/fengqiao/core/division"
	"github.com/fengqiao/fengqiao/core/orgs"
)

// BulkLoader stores cases in one transaction, batch by batch, as an import does (the store's
// ImportCases: numbering, parties, history, statistics and search documents).
type BulkLoader interface {
	ImportCases(ctx context.Context, meta cases.ImportMeta, next func() ([]cases.Case, error)) (map[string]int, error)
}

// Registry creates and lists organisations (the orgs service).
type Registry interface {
	CreateOrganisation(ctx context.Context, tenantCode string, in orgs.NewOrganisation) (orgs.Organisation, error)
	Organisations(ctx context.Context, tenantCode string, f orgs.Filter) ([]orgs.Organisation, error)
}

// Options of a load.
type Options struct {
	Seed    uint64
	Workers int // districts loaded in parallel
	Batch   int // cases per COPY batch
	// Progress is told each district loaded and the running total (may be nil).
	Progress func(district string, loaded int)
}

// Load generates the profile's year and stores it: the committees of each district first
// (created when missing), then each district's cases in one transaction, the generator running
// one batch ahead of the database. It returns the cases loaded.
func Load(ctx context.Context, p Profile, reg Registry, loader BulkLoader, o Options) (int, error) {
	cells, err := p.Plan()
	if err != nil {
		return 0, err
	}
	districts := p.Districts()
	committees := map[string]Committees{}
	for _, d := range districts {
		if committees[d], err = EnsureCommittees(ctx, reg, d); err != nil {
			return 0, err
		}
	}
	byDistrict := map[string][]Cell{}
	for _, c := range cells {
		byDistrict[c.District] = append(byDistrict[c.District], c)
	}
	var (
		mu     sync.Mutex
		loaded int
		first  error
	)
	jobs := make(chan string)
	var wg sync.WaitGroup
	for range max(o.Workers, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for d := range jobs {
				n, err := loadDistrict(ctx, p, d, o, byDistrict[d], committees[d], loader)
				mu.Lock()
				loaded += n
				if err != nil && first == nil {
					first = fmt.Errorf("district %s: %w", d, err)
				}
				done := loaded
				mu.Unlock()
				if o.Progress != nil && err == nil {
					o.Progress(d, done)
				}
			}
		}()
	}
	for _, d := range districts {
		mu.Lock()
		stop := first != nil
		mu.Unlock()
		if stop {
			break
		}
		jobs <- d
	}
	close(jobs)
	wg.Wait()
	return loaded, first
}

func loadDistrict(ctx context.Context, p Profile, district string, o Options, cells []Cell, com Committees, loader BulkLoader) (int, error) {
	streets, err := division.Streets(district)
	if err != nil {
		return 0, err
	}
	code := uint64(0)
	for _, ch := range district {
		code = code*10 + uint64(ch-'0')
	}
	g := NewGenerator(p, o.Seed*1_000_003+code)
	batch := o.Batch
	if batch <= 0 {
		batch = 20000
	}
	batches := make(chan []cases.Case, 1)
	genErr := make(chan error, 1)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		defer close(batches)
		for _, c := range cells {
			if err := g.Cases(c, com, streets, batch, func(cs []cases.Case) error {
				select {
				case batches <- cs:
					return nil
				case <-ctx.Done():
					return ctx.Err()
				}
			}); err != nil {
				genErr <- err
				return
			}
		}
		genErr <- nil
	}()
	counts, err := loader.ImportCases(ctx, cases.ImportMeta{File: "demo:" + p.Name}, func() ([]cases.Case, error) {
		if cs, ok := <-batches; ok {
			return cs, nil
		}
		return nil, <-genErr
	})
	return counts[district], err
}

// EnsureCommittees creates (or finds) a district's demo committees: one per street, an
// industry committee and one stationed at the court.
func EnsureCommittees(ctx context.Context, reg Registry, district string) (Committees, error) {
	d, err := division.Lookup(district)
	if err != nil {
		return Committees{}, err
	}
	streets, err := division.Streets(district)
	if err != nil {
		return Committees{}, err
	}
	existing := map[string]string{}
	for after, afterID := "", ""; ; {
		list, err := reg.Organisations(ctx, district, orgs.Filter{AfterName: after, AfterID: afterID, Limit: 500})
		if err != nil {
			return Committees{}, err
		}
		for _, o := range list {
			existing[o.Name] = o.ID
		}
		if len(list) < 500 {
			break
		}
		after, afterID = list[len(list)-1].Name, list[len(list)-1].ID
	}
	ensure := func(o orgs.NewOrganisation) (string, error) {
		if id, ok := existing[o.Name]; ok {
			return id, nil
		}
		created, err := reg.CreateOrganisation(ctx, district, o)
		if err != nil && !errors.Is(err, orgs.ErrNameTaken) {
			return "", fmt.Errorf("demo committee %s: %w", o.Name, err)
		}
		return created.ID, nil
	}
	out := Committees{ByStreet: map[string]string{}}
	for _, s := range streets {
		id, err := ensure(orgs.NewOrganisation{Kind: string(orgs.KindStreetCommittee), Name: s.Name + "人民调解委员会", StreetCode: s.Code})
		if err != nil {
			return out, err
		}
		out.ByStreet[s.Code] = id
	}
	if out.Industry, err = ensure(orgs.NewOrganisation{Kind: string(orgs.KindIndustryCommittee), Name: d.Name + "医疗纠纷人民调解委员会", Industry: "medical"}); err != nil {
		return out, err
	}
	out.Dispatched, err = ensure(orgs.NewOrganisation{Kind: string(orgs.KindDispatchedCommittee), Name: d.Name + "人民法院诉调对接人民调解委员会", StationedAt: "court"})
	return out, err
}
