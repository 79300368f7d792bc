package cli

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/fengqiao/fengqiao/cmd/fengqiao/app"
	"github.com/fengqiao/fengqiao/core/demo"
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
		Short: "生成一年的合成案件（如上海 2020 年 \"shanghai-2020\"：16 个区 194.3 万件） / Generate a synthetic year of cases, e.g. shanghai-2020",
		Args:  cobra.NoArgs,
		RunE: load.withApp(func(cmd *cobra.Command, a *app.App, _ []string) error {
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

func generateDemo(ctx context.Context, a *app.App, cmd *cobra.Command, p demo.Profile, seed uint64, workers, batch int) error {
	w := cmd.OutOrStdout()
	if _, err := p.Plan(); err != nil {
		return err
	}
	districts := p.Districts()
	plan, err := tenant.PlanOnboarding("000000", districts, false)
	if err != nil {
		return err
	}
	if _, err := a.Tenants.Execute(ctx, "000000", plan); err != nil {
		return err
	}
	yearFrom := time.Date(p.Year, 1, 1, 0, 0, 0, 0, time.UTC)
	q := stats.Query{From: yearFrom, To: yearFrom.AddDate(1, 0, -1)}
	if r, err := a.Stats.Report(ctx, p.Region, q); err != nil {
		return err
	} else if r.Received > 0 {
		return fmt.Errorf("%s 已有 %d 年的 %d 件案件：请在新数据库中生成 / %s already holds %d cases of %d: generate into a fresh database",
			p.Region, p.Year, r.Received, p.Region, r.Received, p.Year)
	}
	printf(w, "profile %s: %d cases in %d districts of %s, %d succeeded\n", p.Name, p.Cases, len(districts), p.Region, p.Succeeded)
	start := time.Now()
	loaded, err := demo.Load(ctx, p, a.Orgs, a.Store, demo.Options{Seed: seed, Workers: workers, Batch: batch,
		Progress: func(d string, done int) {
			el := time.Since(start).Seconds()
			printf(w, "  %s done: %d/%d cases, %.1f s, %.0f cases/s\n", d, done, p.Cases, el, float64(done)/el)
		}})
	if err != nil {
		return err
	}
	el := time.Since(start)
	printf(w, "loaded %d cases in %.1f s: %.0f cases/s (with parties and statistics)\n", loaded, el.Seconds(), float64(loaded)/el.Seconds())
	r, err := a.Stats.Report(ctx, p.Region, q)
	if err != nil {
		return err
	}
	printf(w, "%s %d: received %d, concluded %d, succeeded %d, success rate %s\n", p.Region, p.Year, r.Received, r.Concluded, r.Succeeded, rate(r.SuccessRate))
	for _, pin := range p.Pins {
		q := q
		q.Source = string(pin.Source)
		r, err := a.Stats.Report(ctx, pin.District, q)
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
