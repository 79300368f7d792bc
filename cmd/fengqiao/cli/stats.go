package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/fengqiao/fengqiao/cmd/fengqiao/app"
	"github.com/fengqiao/fengqiao/core/tenant"
	"github.com/spf13/cobra"
)

func statsCmd(load loader) *cobra.Command {
	cmd := &cobra.Command{Use: "stats", Short: "统计数据维护 / Statistics maintenance"}
	var (
		within string
		check  bool
	)
	rebuild := &cobra.Command{
		Use: "rebuild",
		Short: "由案件重算统计单元（--check：只比对，不修改，有差异则退出码 1） / Recompute the statistics from the cases; " +
			"--check compares only and exits 1 on any difference",
		Args: cobra.NoArgs,
		RunE: load.withApp(func(cmd *cobra.Command, a *app.App, _ []string) error {
			ctx := cliContext(cmd.Context(), "stats-rebuild")
			w := cmd.OutOrStdout()
			start := time.Now()
			codes, err := tenantCodes(ctx, a, within)
			if err != nil {
				return err
			}
			var casesN, cells, diffs int
			for _, code := range codes {
				r, err := a.Store.RebuildStats(ctx, code, check)
				if err != nil {
					return fmt.Errorf("tenant %s: %w", code, err)
				}
				casesN, cells, diffs = casesN+r.Cases, cells+r.Cells, diffs+r.Differences
				if r.Cases > 0 || r.Differences > 0 {
					printf(w, "%s: %d cases, %d cells, %d differences\n", code, r.Cases, r.Cells, r.Differences)
				}
			}
			verb := "rebuilt"
			if check {
				verb = "checked"
			}
			printf(w, "%s %d tenants, %d cases, %d cells in %.1f s; %d cells differed from the maintained figures\n",
				verb, len(codes), casesN, cells, time.Since(start).Seconds(), diffs)
			if check && diffs > 0 {
				return fmt.Errorf("统计与案件不一致：%d 个单元不同（运行 fengqiao stats rebuild 修复） / statistics disagree with the cases in %d cells: run fengqiao stats rebuild", diffs, diffs)
			}
			return nil
		}),
	}
	rebuild.Flags().StringVar(&within, "tenant", "000000", "此租户及其下级 / this tenant and its subtree")
	rebuild.Flags().BoolVar(&check, "check", false, "只比对 / compare only")
	cmd.AddCommand(rebuild)
	return cmd
}

// tenantCodes returns a tenant and every tenant of its subtree ("000000": all of them), in
// code order, a page of the registry at a time.
func tenantCodes(ctx context.Context, a *app.App, within string) ([]string, error) {
	t, err := a.Tenants.Get(ctx, "000000", within)
	if err != nil {
		return nil, fmt.Errorf("tenant %s: %w", within, err)
	}
	codes := []string{t.Code}
	for after := ""; ; {
		page, err := a.Tenants.List(ctx, "000000", tenant.Filter{Within: within, After: after, Limit: 1000})
		if err != nil {
			return nil, err
		}
		for _, t := range page {
			if t.Code != within {
				codes = append(codes, t.Code)
			}
		}
		if len(page) < 1000 {
			return codes, nil
		}
		after = page[len(page)-1].Code
	}
}
