package cli

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/fengqiao/fengqiao/core/cases"
	"github.com/fengqiao/fengqiao/core/demo"
	"github.com/fengqiao/fengqiao/core/division"
	"github.com/fengqiao/fengqiao/core/orgs"
	"github.com/fengqiao/fengqiao/core/stats"
	"github.com/fengqiao/fengqiao/core/tenant"
	"github.com/spf13/cobra"
)

func demoGenerateCmd(load loader) *cobra.Command {
	var (
		profile string
		seed    uint64
		workers int
		batch   int
		scale   float64
	)
	cmd := &cobra.Command{
		Use:   "generate",
		Short: "生成一年的合成案件（如 shanghai-2020：上海 16 区 194.3 万件） / Generate a synthetic year of cases, e.g. shanghai-2020",
		Args:  cobra.NoArgs,
		RunE: load.withApp(func(cmd *cobra.Command, a *app, _ []string) error {
			p, ok := demo.Profiles()[profile]
			if !ok {
				return fmt.Errorf("未知的演示档案 %q，可选：%s / unknown profile %q; one of: %s", profile,
					strings.Join(slices.Sorted(maps.Keys(demo.Profiles())), ", "), profile, strings.Join(slices.Sorted(maps.Keys(demo.Profiles())), ", "))
			}
			if scale <= 0 || scale > 1 {
				return fmt.Errorf("--scale 须在 (0, 1] 之间 / --scale must be in (0, 1]")
			}
			return generateDemo(cliContext(cmd.Context(), "demo-generate"), a, cmd, p.Scale(scale), seed, workers, batch)
		}),
	}
	cmd.Flags().StringVar(&profile, "profile", "shanghai-2020", "演示档案 / profile")
	cmd.Flags().Uint64Var(&seed, "seed", 2020, "随机种子（相同种子生成相同数据） / seed: the same seed gives the same data")
	cmd.Flags().IntVar(&workers, "workers", 2, "并行载入的区数 / districts loaded in parallel")
	cmd.Flags().IntVar(&batch, "batch", 20000, "每批 COPY 的案件数 / cases per COPY batch")
	cmd.Flags().Float64Var(&scale, "scale", 1, "按比例缩小（如 0.01），用于快速演示 / scale down, e.g. 0.01 for a quick demo")
	return cmd
}

func generateDemo(ctx context.Context, a *app, cmd *cobra.Command, p demo.Profile, seed uint64, workers, batch int) error {
	w := cmd.OutOrStdout()
	cells, err := p.Plan()
	if err != nil {
		return err
	}
	districts := p.Districts()
	plan, err := tenant.PlanOnboarding("000000", districts, false)
	if err != nil {
		return err
	}
	if _, err := a.tenants.Execute(ctx, "000000", plan); err != nil {
		return err
	}
	yearFrom := time.Date(p.Year, 1, 1, 0, 0, 0, 0, time.UTC)
	q := stats.Query{From: yearFrom, To: yearFrom.AddDate(1, 0, -1)}
	if r, err := a.stats.Report(ctx, p.Region, q); err != nil {
		return err
	} else if r.Received > 0 {
		return fmt.Errorf("%s 已有 %d 年的 %d 件案件：请在新数据库中生成 / %s already holds %d cases of %d: generate into a fresh database",
			p.Region, p.Year, r.Received, p.Region, r.Received, p.Year)
	}
	committees := map[string]demo.Committees{}
	for _, d := range districts {
		c, err := demoCommittees(ctx, a, d)
		if err != nil {
			return err
		}
		committees[d] = c
	}
	byDistrict := map[string][]demo.Cell{}
	for _, c := range cells {
		byDistrict[c.District] = append(byDistrict[c.District], c)
	}
	printf(w, "profile %s: %d cases in %d districts of %s, %d succeeded\n", p.Name, p.Cases, len(districts), p.Region, p.Succeeded)
	start := time.Now()
	var (
		mu     sync.Mutex
		loaded int
		first  error
	)
	jobs := make(chan string)
	var wg sync.WaitGroup
	for range max(workers, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for d := range jobs {
				streets, err := division.Streets(d)
				if err == nil {
					err = loadDistrict(ctx, a, p, d, seed, byDistrict[d], committees[d], streets, batch, func(n int) {
						mu.Lock()
						loaded += n
						mu.Unlock()
					})
				}
				mu.Lock()
				if err != nil && first == nil {
					first = fmt.Errorf("district %s: %w", d, err)
				}
				done := loaded
				mu.Unlock()
				el := time.Since(start).Seconds()
				printf(w, "  %s done: %d/%d cases, %.1f s, %.0f cases/s\n", d, done, p.Cases, el, float64(done)/el)
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
	if first != nil {
		return first
	}
	el := time.Since(start)
	printf(w, "loaded %d cases in %.1f s: %.0f cases/s (with parties and statistics)\n", loaded, el.Seconds(), float64(loaded)/el.Seconds())
	r, err := a.stats.Report(ctx, p.Region, q)
	if err != nil {
		return err
	}
	printf(w, "%s %d: received %d, concluded %d, succeeded %d, success rate %s\n", p.Region, p.Year, r.Received, r.Concluded, r.Succeeded, rate(r.SuccessRate))
	for _, pin := range p.Pins {
		q := q
		q.Source = string(pin.Source)
		r, err := a.stats.Report(ctx, pin.District, q)
		if err != nil {
			return err
		}
		printf(w, "%s %d source=%s: received %d, succeeded %d, success rate %s\n", pin.District, p.Year, pin.Source, r.Received, r.Succeeded, rate(r.SuccessRate))
	}
	return nil
}

func rate(r *float64) string {
	if r == nil {
		return "-"
	}
	return fmt.Sprintf("%.4f", *r)
}

func loadDistrict(ctx context.Context, a *app, p demo.Profile, district string, seed uint64, cells []demo.Cell, com demo.Committees,
	streets []division.Division, batch int, progress func(int)) error {
	code := uint64(0)
	for _, ch := range district {
		code = code*10 + uint64(ch-'0')
	}
	g := demo.NewGenerator(p, seed*1_000_003+code)
	// The generator runs one batch ahead of the database, in its own goroutine.
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
	_, err := a.store.LoadTenantCases(ctx, district, func(load func([]cases.Case) error) error {
		for cs := range batches {
			if err := load(cs); err != nil {
				return err
			}
			progress(len(cs))
		}
		return <-genErr
	})
	return err
}

// demoCommittees creates (or finds) a district's committees: one per street, an industry
// committee and one stationed at the court.
func demoCommittees(ctx context.Context, a *app, district string) (demo.Committees, error) {
	d, err := division.Lookup(district)
	if err != nil {
		return demo.Committees{}, err
	}
	streets, err := division.Streets(district)
	if err != nil {
		return demo.Committees{}, err
	}
	existing := map[string]string{}
	for after, afterID := "", ""; ; {
		list, err := a.orgs.Organisations(ctx, district, orgs.Filter{AfterName: after, AfterID: afterID, Limit: 500})
		if err != nil {
			return demo.Committees{}, err
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
		created, err := a.orgs.CreateOrganisation(ctx, district, o)
		if err != nil && !errors.Is(err, orgs.ErrNameTaken) {
			return "", fmt.Errorf("demo committee %s: %w", o.Name, err)
		}
		return created.ID, nil
	}
	out := demo.Committees{ByStreet: map[string]string{}}
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
