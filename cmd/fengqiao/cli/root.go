package cli

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/fengqiao/fengqiao/cmd/fengqiao/app"
	"github.com/fengqiao/fengqiao/core/cases"
	"github.com/fengqiao/fengqiao/core/config"
	"github.com/fengqiao/fengqiao/core/division"
	"github.com/fengqiao/fengqiao/core/identity"
	"github.com/fengqiao/fengqiao/core/orgs"
	"github.com/fengqiao/fengqiao/core/pluginhost"
	"github.com/fengqiao/fengqiao/core/store"
	"github.com/fengqiao/fengqiao/core/tenant"
	"github.com/fengqiao/fengqiao/tenants"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/spf13/cobra"
)

// Execute runs the command line and returns the process exit code.
func Execute(ctx context.Context, args []string) int {
	root := NewRoot()
	root.SetArgs(args)
	if err := root.ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "fengqiao:", err)
		return 1
	}
	return 0
}

// NewRoot returns the root command with every subcommand.
func NewRoot() *cobra.Command {
	var configPath string
	root := &cobra.Command{
		Use:           "fengqiao",
		Short:         "枫桥 人民调解平台 / Fengqiao people's mediation platform",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().StringVar(&configPath, "config", "", "YAML 配置文件 / YAML config file (see deploy/fengqiao.example.yaml)")
	config.BindFlags(root.PersistentFlags())
	load := func(cmd *cobra.Command) (config.Config, error) {
		return config.Load(configPath, cmd.Flags())
	}
	root.AddCommand(serveCmd(load), migrateCmd(load), keysCmd(load), tenantCmd(load), adminCmd(load), demoCmd(load), piiCmd(load), statsCmd(load), searchCmd(load), caseCmd(load), pluginCmd(load), versionCmd())
	return root
}

type loader func(*cobra.Command) (config.Config, error)

// withApp runs a command with the application opened from the configuration (no token key
// needed: the command line issues no tokens) and closes it afterwards.
func (load loader) withApp(run func(cmd *cobra.Command, a *app.App, args []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		cfg, err := load(cmd)
		if err != nil {
			return err
		}
		a, err := app.New(cmd.Context(), cfg, app.Options{})
		if err != nil {
			return err
		}
		defer a.Close()
		return run(cmd, a, args)
	}
}

func versionCmd() *cobra.Command {
	return &cobra.Command{
		Use: "version", Short: "版本 / Print the version", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			printf(cmd.OutOrStdout(), "fengqiao %s\n", Version)
			return nil
		},
	}
}

func migrateCmd(load loader) *cobra.Command {
	var status bool
	cmd := &cobra.Command{
		Use: "migrate", Short: "以所有者角色执行数据库迁移 / Apply schema migrations as the owner role", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := load(cmd)
			if err != nil {
				return err
			}
			if err := cfg.RequireDatabase(); err != nil {
				return err
			}
			if status {
				cur, latest, err := store.MigrationState(cmd.Context(), cfg.Database.URL)
				if err != nil {
					return err
				}
				printf(cmd.OutOrStdout(), "schema version %d, latest %d\n", cur, latest)
				return nil
			}
			applied, err := store.Migrate(cmd.Context(), cfg.Database.URL, nil)
			if err != nil {
				return err
			}
			cur, _, err := store.MigrationState(cmd.Context(), cfg.Database.URL)
			if err != nil {
				return err
			}
			printf(cmd.OutOrStdout(), "applied %d migration(s); schema version %d\n", len(applied), cur)
			return nil
		},
	}
	cmd.Flags().BoolVar(&status, "status", false, "只显示当前版本 / only show the schema version")
	return cmd
}

func serveCmd(load loader) *cobra.Command {
	return &cobra.Command{
		Use: "serve", Short: "启动 HTTP 服务 / Serve the HTTP API", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := load(cmd)
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			// The plugins start before the queue, which hands them their events and jobs.
			pluginhost.HostVersion = Version
			reg := prometheus.NewRegistry()
			a, err := app.New(ctx, cfg, app.Options{Serve: true, Plugins: true, WatchPlugins: true, Registerer: reg, Gatherer: reg, Version: Version})
			if err != nil {
				return err
			}
			defer a.Close()
			go watchPolicies(ctx, a)
			go preloadSearch(a.Log) // the dictionary takes a second or two: not on the first search
			stopQueue, err := a.Queue.Start(ctx)
			if err != nil {
				return err
			}
			defer func() {
				qctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.HTTP.ShutdownTimeout)
				defer cancel()
				if err := stopQueue(qctx); err != nil {
					a.Log.Error("stop the job queue", "err", err)
				}
			}()
			reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
			registerPoolMetrics(reg, a)
			srv := a.API
			hs := &http.Server{
				Addr: cfg.HTTP.Addr, Handler: srv.Handler(),
				ReadHeaderTimeout: 10 * time.Second, ReadTimeout: cfg.HTTP.ReadTimeout, WriteTimeout: cfg.HTTP.WriteTimeout,
				IdleTimeout: cfg.HTTP.IdleTimeout, MaxHeaderBytes: 64 << 10,
				BaseContext: func(net.Listener) context.Context { return ctx },
			}
			ln, err := net.Listen("tcp", cfg.HTTP.Addr)
			if err != nil {
				return fmt.Errorf("listen on %s (http.addr / FENGQIAO_HTTP_ADDR): %w", cfg.HTTP.Addr, err)
			}
			a.Log.Info("serving", "addr", ln.Addr().String(), "version", Version)
			errc := make(chan error, 2)
			go func() { errc <- hs.Serve(ln) }()
			var ms *http.Server
			switch {
			case cfg.HTTP.MetricsAddr != "":
				mln, err := net.Listen("tcp", cfg.HTTP.MetricsAddr)
				if err != nil {
					return fmt.Errorf("listen on %s (http.metrics_addr / FENGQIAO_HTTP_METRICS_ADDR): %w", cfg.HTTP.MetricsAddr, err)
				}
				ms = &http.Server{Handler: srv.MetricsHandler(cfg.HTTP.MetricsToken), ReadHeaderTimeout: 10 * time.Second,
					ReadTimeout: cfg.HTTP.ReadTimeout, WriteTimeout: cfg.HTTP.WriteTimeout, IdleTimeout: cfg.HTTP.IdleTimeout}
				a.Log.Info("serving /metrics", "addr", mln.Addr().String(), "token", cfg.HTTP.MetricsToken != "")
				go func() { errc <- ms.Serve(mln) }()
			case cfg.HTTP.MetricsToken == "":
				a.Log.Info("/metrics is not served: set http.metrics_addr (a listener of its own) or http.metrics_token (a bearer token on http.addr)")
			}
			select {
			case err := <-errc:
				return err
			case <-ctx.Done():
			}
			a.Log.Info("shutting down", "grace", cfg.HTTP.ShutdownTimeout)
			sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.HTTP.ShutdownTimeout)
			defer cancel()
			if ms != nil {
				if err := ms.Shutdown(sctx); err != nil {
					return err
				}
				if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
					return err
				}
			}
			if err := hs.Shutdown(sctx); err != nil {
				return err
			}
			if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			return nil
		},
	}
}

func tenantCmd(load loader) *cobra.Command {
	cmd := &cobra.Command{Use: "tenant", Short: "管理租户 / Manage tenants (as the national level)"}
	withApp := load.withApp
	var within string
	var offices bool
	onboard := &cobra.Command{
		Use:   "onboard [CODE...]",
		Short: "开通租户：给出代码，或 --within 省/市/000000 / Onboard tenants by code, or every district --within a province, city or 000000",
		RunE: withApp(func(cmd *cobra.Command, a *app.App, args []string) error {
			ctx := cliContext(cmd.Context(), "tenant-onboard")
			var (
				plan tenant.Plan
				err  error
			)
			switch {
			case within != "" && len(args) > 0:
				return errors.New("give codes or --within, not both")
			case within != "":
				plan, err = tenant.PlanWithin("000000", within, offices)
			default:
				plan, err = tenant.PlanOnboarding("000000", args, offices)
			}
			if err != nil {
				return err
			}
			start := time.Now()
			res, err := a.Tenants.Execute(ctx, "000000", plan)
			if err != nil {
				return err
			}
			printf(cmd.OutOrStdout(), "created %d, existing %d, ancestors created %d, offices created %d in %s\n",
				len(res.Created), len(res.Existing), len(res.CreatedAncestors), res.OfficesCreated, time.Since(start).Round(time.Millisecond))
			if len(res.Created) <= 20 && len(res.Created) > 0 {
				printf(cmd.OutOrStdout(), "created: %s\n", strings.Join(res.Created, " "))
			}
			return nil
		}),
	}
	onboard.Flags().StringVar(&within, "within", "", "开通该省/市/全国（000000）下全部区县 / onboard every district of this province, city or 000000")
	onboard.Flags().BoolVar(&offices, "with-offices", false, "为每个街道/乡镇建司法所 / create one judicial office per street")

	var level, status, in string
	list := &cobra.Command{
		Use: "list", Short: "列出租户 / List tenants", Args: cobra.NoArgs,
		RunE: withApp(func(cmd *cobra.Command, a *app.App, _ []string) error {
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			printf(tw, "CODE\tLEVEL\tSTATUS\tPARENT\tNAME\n")
			after := ""
			for {
				ts, err := a.Tenants.List(cmd.Context(), "000000", tenant.Filter{Level: toLevel(level), Status: tenant.Status(status), Within: in, After: after, Limit: 1000})
				if err != nil {
					return err
				}
				for _, t := range ts {
					printf(tw, "%s\t%s\t%s\t%s\t%s\n", t.Code, t.Level, t.Status, t.ParentCode, t.FullName)
				}
				if len(ts) < 1000 {
					break
				}
				after = ts[len(ts)-1].Code
			}
			return tw.Flush()
		}),
	}
	list.Flags().StringVar(&level, "level", "", "province | city | district")
	list.Flags().StringVar(&status, "status", "", "active | suspended | archived")
	list.Flags().StringVar(&in, "within", "", "子树根代码 / subtree root code")

	show := &cobra.Command{
		Use: "show CODE", Short: "显示租户 / Show a tenant", Args: cobra.ExactArgs(1),
		RunE: withApp(func(cmd *cobra.Command, a *app.App, args []string) error {
			t, err := a.Tenants.Get(cmd.Context(), "000000", args[0])
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			w := cmd.OutOrStdout()
			printf(w, "code:            %s\nname:            %s\nfull name:       %s\nlevel:           %s\nparent:          %s\nstatus:          %s %s\ndisplay name:    %s\ncontact:         %s %s %s\nenabled plugins: %s\nplacement:       %s\ncreated:         %s\n",
				t.Code, t.Name, t.FullName, t.Level, t.ParentCode, t.Status, t.StatusReason, t.DisplayName,
				t.Contact.Name, t.Contact.Phone, t.Contact.Email, strings.Join(t.EnabledPlugins, ","), t.Placement, t.CreatedAt.Format(time.RFC3339))
			return nil
		}),
	}
	var reason string
	lifecycle := func(action tenant.Action, short string) *cobra.Command {
		c := &cobra.Command{
			Use: string(action) + " CODE", Short: short, Args: cobra.ExactArgs(1),
			RunE: withApp(func(cmd *cobra.Command, a *app.App, args []string) error {
				t, err := a.Tenants.Transition(cliContext(cmd.Context(), "tenant-"+string(action)), "000000", args[0], action, reason)
				if err != nil {
					return fmt.Errorf("%s: %w", args[0], err)
				}
				printf(cmd.OutOrStdout(), "%s %s is now %s\n", t.Code, t.FullName, t.Status)
				return nil
			}),
		}
		c.Flags().StringVar(&reason, "reason", "", "原因 / reason, kept with the tenant and in the audit trail")
		return c
	}
	cmd.AddCommand(onboard, list, show,
		lifecycle(tenant.ActionSuspend, "暂停租户 / Suspend a tenant"),
		lifecycle(tenant.ActionResume, "恢复租户 / Resume a tenant"),
		lifecycle(tenant.ActionArchive, "归档租户 / Archive a tenant"))
	return cmd
}

func toLevel(s string) division.Level { return division.Level(s) }

func adminCmd(load loader) *cobra.Command {
	cmd := &cobra.Command{Use: "admin", Short: "管理员 / Administrators"}
	var username, password, role, code, display string
	var passwordStdin bool
	create := &cobra.Command{
		Use:   "create",
		Short: "创建管理员（引导第一个管理员） / Create an administrator (bootstraps the first one)",
		Args:  cobra.NoArgs,
		RunE: load.withApp(func(cmd *cobra.Command, a *app.App, _ []string) error {
			if passwordStdin {
				b := make([]byte, identity.MaxPasswordLen+2)
				n, _ := cmd.InOrStdin().Read(b)
				password = strings.TrimRight(string(b[:n]), "\r\n")
			}
			if code == "" {
				if role != identity.RoleNationalAdmin {
					return fmt.Errorf("--tenant is required for role %s (the code of an onboarded tenant, e.g. 370104)", role)
				}
				code = "000000"
			}
			ctx := cliContext(cmd.Context(), "admin-create")
			if _, err := a.Tenants.Get(ctx, "000000", code); err != nil {
				if errors.Is(err, tenant.ErrNotFound) {
					return fmt.Errorf("tenant %s is not onboarded: run `fengqiao tenant onboard %s` first", code, code)
				}
				return err
			}
			u, err := a.Identity.CreateUser(ctx, nil, code, identity.NewUser{Username: username, DisplayName: display, Password: password, Roles: []string{role}})
			if err != nil {
				return err
			}
			printf(cmd.OutOrStdout(), "created %s (%s) in tenant %s, id %s\n", u.Username, strings.Join(u.Roles, ","), u.TenantCode, u.ID)
			return nil
		}),
	}
	create.Flags().StringVar(&username, "username", "", "用户名 / username (required)")
	create.Flags().StringVar(&password, "password", "", "密码（至少 8 位） / password, at least 8 characters")
	create.Flags().BoolVar(&passwordStdin, "password-stdin", false, "从标准输入读取密码 / read the password from standard input")
	create.Flags().StringVar(&role, "role", identity.RoleNationalAdmin, "角色 / role: "+strings.Join(identity.Roles(), ", "))
	create.Flags().StringVar(&code, "tenant", "", "租户代码（全国管理员默认 000000） / tenant code (000000 for national-admin)")
	create.Flags().StringVar(&display, "display-name", "", "显示名称 / display name")
	_ = create.MarkFlagRequired("username")
	cmd.AddCommand(create)
	return cmd
}

func demoCmd(load loader) *cobra.Command {
	cmd := &cobra.Command{Use: "demo", Short: "演示数据 / Demo data"}
	seed := &cobra.Command{
		Use: "seed", Short: "载入演示租户与管理员（幂等） / Load the demo tenants and administrators (idempotent)", Args: cobra.NoArgs,
		// The seed's steps go through the API in-process, so the application is opened as a
		// server would open it (without plugins and jobs).
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := load(cmd)
			if err != nil {
				return err
			}
			a, err := app.New(cmd.Context(), cfg, app.Options{Serve: true})
			if err != nil {
				return err
			}
			defer a.Close()
			return seedDemo(cliContext(cmd.Context(), "demo-seed"), a, cmd)
		},
	}
	logins := &cobra.Command{
		Use: "logins", Short: "演示账号（用户名、密码、角色、租户） / The demo logins: username, password, role, tenant", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			seed, err := tenants.Demo()
			if err != nil {
				return err
			}
			return printDemoLogins(cmd.OutOrStdout(), seed)
		},
	}
	cmd.AddCommand(seed, logins, demoGenerateCmd(load))
	return cmd
}

// printDemoLogins lists the demo users as a person reads them: who to log in as to see what.
// Columns are padded by display width (a Chinese character takes two columns).
func printDemoLogins(w io.Writer, seed tenants.Seed) error {
	rows := [][]string{{"用户名 username", "密码 password", "租户 tenant", "角色 role", "姓名 name"}}
	for _, u := range seed.Users {
		rows = append(rows, []string{u.Username, u.Password, u.Tenant, identity.RoleNames().ZH(u.Role), u.DisplayName})
	}
	widths := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, cell := range r {
			widths[i] = max(widths[i], displayWidth(cell))
		}
	}
	var b strings.Builder
	for _, r := range rows {
		for i, cell := range r {
			b.WriteString(cell)
			if i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-displayWidth(cell)+2))
			}
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// displayWidth counts East Asian wide characters twice, as a terminal shows them.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x2E80 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

func seedDemo(ctx context.Context, a *app.App, cmd *cobra.Command) error {
	s, err := tenants.Demo()
	if err != nil {
		return err
	}
	plan, err := tenant.PlanOnboarding("000000", s.Tenants.Codes, s.Tenants.WithOffices)
	if err != nil {
		return err
	}
	res, err := a.Tenants.Execute(ctx, "000000", plan)
	if err != nil {
		return err
	}
	w := cmd.OutOrStdout()
	printf(w, "demo tenants: %d created, %d existing, %d judicial offices created\n", len(res.Created), len(res.Existing), res.OfficesCreated)
	orgsCreated := 0
	for _, o := range s.Organisations {
		_, err := a.Orgs.CreateOrganisation(ctx, o.Tenant, orgs.NewOrganisation{Kind: o.Kind, Name: o.Name, StreetCode: o.StreetCode,
			Industry: o.Industry, StationedAt: o.StationedAt, MediatorName: o.MediatorName})
		switch {
		case errors.Is(err, orgs.ErrNameTaken):
		case err != nil:
			return fmt.Errorf("demo organisation %s: %w", o.Name, err)
		default:
			orgsCreated++
		}
	}
	// Organisations by tenant and name, for the users of organisations and the referrals.
	orgIDs := map[string]string{}
	for _, code := range s.Tenants.Codes {
		list, err := a.Orgs.Organisations(ctx, code, orgs.Filter{Status: orgs.StatusActive, Limit: 500})
		if err != nil {
			return err
		}
		for _, o := range list {
			orgIDs[code+"/"+o.Name] = o.ID
		}
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	printf(tw, "USERNAME\tPASSWORD\tROLE\tTENANT\n")
	for _, u := range s.Users {
		in := identity.NewUser{Username: u.Username, Password: u.Password, DisplayName: u.DisplayName, Roles: []string{u.Role}}
		if u.Organisation != "" {
			if in.OrganisationID = orgIDs[u.Tenant+"/"+u.Organisation]; in.OrganisationID == "" {
				return fmt.Errorf("demo user %s: no organisation %s in %s", u.Username, u.Organisation, u.Tenant)
			}
		}
		_, err := a.Identity.CreateUser(ctx, nil, u.Tenant, in)
		if err != nil && !errors.Is(err, identity.ErrUsernameTaken) {
			return fmt.Errorf("demo user %s: %w", u.Username, err)
		}
		printf(tw, "%s\t%s\t%s\t%s\n", u.Username, u.Password, u.Role, u.Tenant)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	caller, err := newDemoCaller(a, s, time.Now())
	if err != nil {
		return err
	}
	callsDone, err := caller.calls(ctx, s.Calls)
	if err != nil {
		return err
	}
	casesCreated := 0
	for _, sc := range s.Cases {
		in := cases.NewCase{Title: sc.Title, Description: sc.Description, DisputeType: sc.DisputeType, Source: sc.Source,
			PlaceCode: sc.PlaceCode, Amount: sc.Amount, CreatedBy: "system:demo-seed"}
		if sc.Referral != nil {
			in.Referral = &cases.Referral{Agency: sc.Referral.Agency, AgencyID: orgIDs[sc.Tenant+"/"+sc.Referral.Agency], Reference: sc.Referral.Reference, Kind: sc.Referral.Kind}
		}
		for _, p := range sc.Parties {
			in.Parties = append(in.Parties, cases.NewParty{Name: p.Name, Role: p.Role, Kind: p.Kind, IDNumber: p.IDNumber, IDType: p.IDType, Phone: p.Phone, Address: p.Address})
		}
		unstepped := sc
		unstepped.Steps = nil // the case's identity: adding steps later does not make it another case
		raw, err := json.Marshal(unstepped)
		if err != nil {
			return err
		}
		fp := sha256.Sum256(raw)
		c, replayed, err := a.Cases.Create(ctx, sc.Tenant, in, &cases.Idempotency{Subject: in.CreatedBy, Key: sc.Key, Fingerprint: fp[:]})
		if err != nil {
			return fmt.Errorf("demo case %s: %w", sc.Key, err)
		}
		caller.cases[sc.Key] = c.ID
		if !replayed {
			casesCreated++
			printf(w, "demo case %s %s (risk %s)\n", c.Number, c.Title, c.Risk.Level)
			if err := caller.steps(ctx, sc, c.ID); err != nil {
				return err
			}
		}
	}
	printf(w, "demo organisations: %d created; demo calls: %d done; demo cases: %d created\n", orgsCreated, callsDone, casesCreated)
	return seedDemoImport(ctx, a, w)
}

func piiCmd(load loader) *cobra.Command {
	cmd := &cobra.Command{Use: "pii", Short: "当事人个人信息 / Parties' personal data"}
	var only string
	rotate := &cobra.Command{
		Use:   "rotate",
		Short: "用当前密钥重新加密（轮换密钥后运行） / Re-encrypt under the active key (run after rotating keys)",
		Args:  cobra.NoArgs,
		RunE: load.withApp(func(cmd *cobra.Command, a *app.App, _ []string) error {
			ctx := cliContext(cmd.Context(), "pii-rotate")
			codes := []string{only}
			if only == "" {
				var err error
				if codes, err = tenantCodes(ctx, a, "000000"); err != nil {
					return err
				}
			}
			total := 0
			for _, code := range codes {
				n, err := a.Cases.Rotate(ctx, code)
				if err != nil {
					return fmt.Errorf("tenant %s: %w", code, err)
				}
				total += n
			}
			printf(cmd.OutOrStdout(), "re-encrypted the personal data of %d parties in %d tenants under key %s\n", total, len(codes), a.PIIActiveKey)
			return nil
		}),
	}
	rotate.Flags().StringVar(&only, "tenant", "", "只处理该租户 / only this tenant")
	cmd.AddCommand(rotate)
	return cmd
}
