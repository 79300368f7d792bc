package cli

import (
	"encoding/json"
	"fmt"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/fengqiao/fengqiao/cmd/fengqiao/app"
	"github.com/fengqiao/fengqiao/core/pluginhost"
	"github.com/fengqiao/fengqiao/core/plugins"
)

func pluginCmd(load loader) *cobra.Command {
	cmd := &cobra.Command{Use: "plugin", Short: "地区插件 / Regional plugins: check, install, list"}
	var asJSON bool
	check := &cobra.Command{
		Use:   "check PATH",
		Short: "合规检查插件程序（握手、清单、各钩子与路由在时限内答复） / Conformance-check a plugin binary (handshake, manifest, every hook and route answers within its deadline)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := load(cmd)
			if err != nil {
				return err
			}
			cfg.Log.Level = "warn" // the plugin's and go-plugin's progress would drown the report
			rep, err := pluginhost.Check(cmd.Context(), args[0], app.NewLogger(cfg, cmd.ErrOrStderr()))
			if err != nil {
				return err
			}
			if asJSON && rep.Manifest != nil {
				if err := printManifest(cmd, rep); err != nil {
					return err
				}
			} else if !asJSON {
				printCheck(cmd, rep)
			}
			if !rep.OK() {
				return fmt.Errorf("插件未通过检查 / the plugin failed its check: %w", rep.Failure())
			}
			return nil
		},
	}
	check.Flags().BoolVar(&asJSON, "json", false, "以 JSON 输出清单 / print the manifest as JSON")

	install := &cobra.Command{
		Use:   "install PATH",
		Short: "检查并安装插件（复制到 plugins.dir，记入目录及 SHA-256；已安装则升级） / Check and install a plugin (copied into plugins.dir, recorded with its SHA-256; upgrades an installed one)",
		Args:  cobra.ExactArgs(1),
		RunE: load.withApp(func(cmd *cobra.Command, a *app.App, args []string) error {
			ctx := cliContext(cmd.Context(), "plugin-install")
			quiet := a.Config
			quiet.Log.Level = "warn" // go-plugin's progress
			rec, rep, err := pluginhost.Install(ctx, args[0], a.Config.Plugins.Dir, "system:plugin-install", app.NewLogger(quiet, cmd.ErrOrStderr()))
			if err != nil {
				if rep != nil && len(rep.Results) > 0 {
					printCheck(cmd, rep)
				}
				return err
			}
			recs, err := a.Store.Plugins(ctx)
			if err != nil {
				return err
			}
			for _, r := range recs {
				if r.Name == rec.Name && r.SHA256 == rec.SHA256 && r.Path == rec.Path {
					printf(cmd.OutOrStdout(), "%s %s already installed\nsha256 %s\npath %s\n", r.Name, r.Version, r.SHA256, r.Path)
					return nil
				}
			}
			rec, err = a.Store.InstallPlugin(ctx, rec)
			if err != nil {
				return err
			}
			if rec.Previous != nil {
				printf(cmd.OutOrStdout(), "upgraded %s %s → %s\nsha256 %s\npath %s\n", rec.Name, rec.Previous.Version, rec.Version, rec.SHA256, rec.Path)
				return nil
			}
			printf(cmd.OutOrStdout(), "installed %s %s\nsha256 %s\npath %s\n", rec.Name, rec.Version, rec.SHA256, rec.Path)
			return nil
		}),
	}

	list := &cobra.Command{
		Use:   "list",
		Short: "列出已安装插件 / List installed plugins",
		Args:  cobra.NoArgs,
		RunE: load.withApp(func(cmd *cobra.Command, a *app.App, _ []string) error {
			recs, err := a.Store.Plugins(cmd.Context())
			if err != nil {
				return err
			}
			if asJSON {
				type row struct {
					Name            string    `json:"name"`
					Version         string    `json:"version"`
					SHA256          string    `json:"sha256"`
					ProtocolVersion int       `json:"protocol_version"`
					Regions         []string  `json:"regions"`
					Path            string    `json:"path"`
					InstalledAt     time.Time `json:"installed_at"`
				}
				rows := []row{}
				for _, r := range recs {
					rows = append(rows, row{r.Name, r.Version, r.SHA256, r.ProtocolVersion, r.Manifest.Regions, r.Path, r.InstalledAt})
				}
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(rows)
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			printf(w, "NAME\tVERSION\tSHA256\tPROTOCOL\tINSTALLED\n")
			for _, r := range recs {
				printf(w, "%s\t%s\t%s\t%d\t%s\n", r.Name, r.Version, r.SHA256, r.ProtocolVersion, r.InstalledAt.Format(time.RFC3339))
			}
			return w.Flush()
		}),
	}
	list.Flags().BoolVar(&asJSON, "json", false, "以 JSON 输出 / print JSON")

	var tenantCode, settings string
	var subtree, mandatory bool
	setEnabled := func(enabled bool) func(*cobra.Command, *app.App, []string) error {
		return func(cmd *cobra.Command, a *app.App, args []string) error {
			ctx := cliContext(cmd.Context(), "plugin-enable")
			recs, err := a.Store.Plugins(ctx)
			if err != nil {
				return err
			}
			i := slices.IndexFunc(recs, func(r plugins.Record) bool { return r.Name == args[0] })
			if i < 0 {
				return fmt.Errorf("插件 %s 未安装 / plugin %s is not installed", args[0], args[0])
			}
			raw := []byte(settings)
			if err := plugins.CheckEnablement(recs[i], tenantCode, subtree, enabled, raw, nil); err != nil {
				return err
			}
			if _, err := a.Store.SetPluginEnablement(ctx, plugins.Enablement{Plugin: args[0], TenantCode: tenantCode,
				Subtree: subtree, Enabled: enabled, Settings: raw, Mandatory: enabled && mandatory}); err != nil {
				return err
			}
			state := "disabled"
			if enabled {
				state = "enabled"
			}
			printf(cmd.OutOrStdout(), "%s %s for %s (subtree %v)\n", args[0], state, tenantCode, subtree)
			return nil
		}
	}
	enable := &cobra.Command{
		Use:   "enable NAME --tenant CODE",
		Short: "为租户（或其全部下级）启用插件 / Enable a plugin for a tenant (or its subtree)",
		Args:  cobra.ExactArgs(1),
		RunE:  load.withApp(setEnabled(true)),
	}
	disable := &cobra.Command{
		Use:   "disable NAME --tenant CODE",
		Short: "为租户停用插件 / Disable a plugin for a tenant",
		Args:  cobra.ExactArgs(1),
		RunE:  load.withApp(setEnabled(false)),
	}
	for _, c := range []*cobra.Command{enable, disable} {
		c.Flags().StringVar(&tenantCode, "tenant", "", "租户代码 / tenant code")
		_ = c.MarkFlagRequired("tenant")
	}
	enable.Flags().BoolVar(&subtree, "subtree", false, "同时用于全部下级 / also every tenant below")
	enable.Flags().BoolVar(&mandatory, "mandatory", false, "其前置检查为必需：插件停用期间拒绝受其检查的操作（503），而非不经检查放行 / its hooks are mandatory: while it is deactivated, refuse the actions they check (503) instead of letting them through unchecked")
	enable.Flags().StringVar(&settings, "settings", "{}", "设置（JSON，按插件的设置模式校验） / settings, JSON, validated against the plugin's schema")
	cmd.AddCommand(check, install, list, enable, disable)
	return cmd
}

// printManifest prints the manifest (protocol field names) with the binary's checksum and
// the check's steps.
func printManifest(cmd *cobra.Command, rep *pluginhost.Report) error {
	b, err := rep.ManifestJSON()
	if err != nil {
		return err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	// bytes: show them as JSON, not base64
	for k, v := range map[string][]byte{"settings_schema": rep.Manifest.SettingsSchema, "openapi": rep.Manifest.OpenAPI} {
		if len(v) > 0 && json.Valid(v) {
			m[k] = json.RawMessage(v)
		}
	}
	m["sha256"], m["checks"] = rep.SHA256, rep.Results
	enc := json.NewEncoder(cmd.OutOrStdout())
	enc.SetIndent("", "  ")
	return enc.Encode(m)
}

func printCheck(cmd *cobra.Command, rep *pluginhost.Report) {
	w := cmd.OutOrStdout()
	for _, s := range rep.Results {
		mark := "ok  "
		if !s.OK {
			mark = "FAIL"
		}
		printf(w, "%s %-40s %8s  %s\n", mark, s.Step, s.Duration.Round(time.Microsecond), s.Detail)
	}
	if rep.Manifest != nil {
		printf(w, "%s %s (protocol %d) sha256 %s\n", rep.Manifest.Name, rep.Manifest.Version, rep.Protocol, rep.SHA256)
	}
}
