package store_test

import (
	"github.com/fengqiao/fengqiao/core/authz"
	"github.com/fengqiao/fengqiao/core/cases"
	"github.com/fengqiao/fengqiao/core/identity"
	"github.com/fengqiao/fengqiao/core/jobs"
	"github.com/fengqiao/fengqiao/core/library"
	"github.com/fengqiao/fengqiao/core/orgs"
	"github.com/fengqiao/fengqiao/core/stats"
	"github.com/fengqiao/fengqiao/core/store"
	"github.com/fengqiao/fengqiao/core/tenant"
	"github.com/fengqiao/fengqiao/core/warnings"
)

// Each domain's query set serves the interface its consumer declares by itself.
var (
	_ tenant.Repo       = (*store.TenantDB)(nil)
	_ identity.Repo     = (*store.UserDB)(nil)
	_ orgs.Repo         = (*store.OrgDB)(nil)
	_ cases.Repo        = (*store.CaseDB)(nil)
	_ warnings.Repo     = (*store.WarningDB)(nil)
	_ stats.Repo        = (*store.StatsDB)(nil)
	_ authz.PolicyStore = (*store.PolicyDB)(nil)
	_ library.Repo      = (*store.Store)(nil)
	_ jobs.Store        = (*store.Store)(nil)
)
