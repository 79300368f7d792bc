package cli

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/fengqiao/fengqiao/cmd/fengqiao/app"
	"github.com/fengqiao/fengqiao/core/search"
	"github.com/spf13/cobra"
)

// searchCmd maintains the full-text search documents of cases.
func searchCmd(load loader) *cobra.Command {
	cmd := &cobra.Command{Use: "search", Short: "全文检索 / Full-text search"}
	var only string
	reindex := &cobra.Command{
		Use:   "reindex",
		Short: "重建案件检索索引（升级后或词典变更后运行；幂等） / Rebuild the search documents of cases (after an upgrade or a dictionary change; idempotent)",
		Args:  cobra.NoArgs,
		RunE: load.withApp(func(cmd *cobra.Command, a *app.App, _ []string) error {
			ctx := cliContext(cmd.Context(), "search-reindex")
			took, err := search.Load()
			if err != nil {
				return err
			}
			codes := []string{only}
			if only == "" {
				var err error
				if codes, err = tenantCodes(ctx, a, "000000"); err != nil {
					return err
				}
			}
			total := 0
			for _, code := range codes {
				n, err := a.Store.ReindexSearch(ctx, code)
				if err != nil {
					return fmt.Errorf("tenant %s: %w", code, err)
				}
				total += n
			}
			printf(cmd.OutOrStdout(), "indexed %d cases in %d tenants (dictionary loaded in %v)\n", total, len(codes), took.Round(1e6))
			return nil
		}),
	}
	reindex.Flags().StringVar(&only, "tenant", "", "只处理该租户 / only this tenant")
	cmd.AddCommand(reindex)
	return cmd
}

// preloadSearch loads the segmentation dictionary in the background when the server starts.
func preloadSearch(log *slog.Logger) {
	took, err := search.Load()
	if err != nil {
		log.Error("load the search dictionary", "err", err)
		return
	}
	log.Info("search dictionary loaded", "took", took.Round(time.Millisecond))
}
