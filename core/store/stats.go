package store

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/fengqiao/fengqiao/core/cases"
	"github.com/fengqiao/fengqiao/core/stats"
	tenantpkg "github.com/fengqiao/fengqiao/core/tenant"
	"github.com/jackc/pgx/v5"
)

// measureList is the measures as a column list, in stats.Measure order.
var measureList = strings.Join(stats.Columns[:], ", ")

// caseFacts takes the statistical facts of cases of one tenant: it looks up the kinds of their
// committees (an organisation's kind never changes, so the facts of the state before a change
// are the same as when they were applied).
func caseFacts(ctx context.Context, tx pgx.Tx, tenantCode string, cs ...*cases.Case) ([]stats.Facts, error) {
	var ids []string
	for _, c := range cs {
		if c != nil && c.CommitteeID != "" {
			ids = append(ids, c.CommitteeID)
		}
	}
	kinds := map[string]string{}
	if len(ids) > 0 {
		rows, err := tx.Query(ctx, `SELECT id::text, kind FROM organisations WHERE tenant_id = $1 AND id::text = ANY($2)`, tenantCode, ids)
		if err != nil {
			return nil, err
		}
		var id, kind string
		if _, err := pgx.ForEachRow(rows, []any{&id, &kind}, func() error { kinds[id] = kind; return nil }); err != nil {
			return nil, err
		}
	}
	out := make([]stats.Facts, len(cs))
	for i, c := range cs {
		if c != nil {
			out[i] = stats.FactsOf(*c, kinds[c.CommitteeID], stats.TopOf(tenantCode, c.Joint))
		}
	}
	return out, nil
}

// maintainStats applies to the tenant's cells the difference a case change makes (before is
// nil for a new case).
func maintainStats(ctx context.Context, tx pgx.Tx, tenantCode string, before, after *cases.Case) error {
	facts, err := caseFacts(ctx, tx, tenantCode, before, after)
	if err != nil {
		return err
	}
	old := stats.Cells{}
	if before != nil {
		old = stats.Contribution(facts[0])
	}
	return applyCells(ctx, tx, tenantCode, stats.Delta(old, stats.Contribution(facts[1])))
}

// applyCells adds cells to the tenant's daily totals and monthly breakdowns. Rows are written in
// key order, so concurrent changes of one tenant take their row locks in the same order.
func applyCells(ctx context.Context, tx pgx.Tx, tenantCode string, cells stats.Cells) error {
	if len(cells) == 0 {
		return nil
	}
	daily, monthly := splitCells(cells)
	if err := upsertCells(ctx, tx, tenantCode, "stats_daily", daily, false); err != nil {
		return err
	}
	return upsertCells(ctx, tx, tenantCode, "stats_monthly", monthly, false)
}

type cellRow struct {
	k stats.Key
	v stats.Vector
}

// splitCells folds cells into daily totals and monthly cells (all dimensions but the daily
// totals' day), each sorted by key.
func splitCells(cells stats.Cells) (daily, monthly []cellRow) {
	d, m := stats.Cells{}, stats.Cells{}
	for k, v := range cells {
		if k.Dim == stats.DimTotal {
			d.Add(k, v)
		}
		mk := k
		mk.Day = stats.Month(k.Day)
		m.Add(mk, v)
	}
	return sortedCells(d), sortedCells(m)
}

func sortedCells(c stats.Cells) []cellRow {
	out := make([]cellRow, 0, len(c))
	for k, v := range c {
		if !v.Zero() {
			out = append(out, cellRow{k, v})
		}
	}
	slices.SortFunc(out, func(a, b cellRow) int {
		return cmp.Or(strings.Compare(string(a.k.Dim), string(b.k.Dim)), a.k.Day.Compare(b.k.Day),
			strings.Compare(a.k.DisputeType, b.k.DisputeType), strings.Compare(a.k.Source, b.k.Source),
			strings.Compare(a.k.Value, b.k.Value), cmp.Compare(a.k.Top, b.k.Top))
	})
	return out
}

// upsertCells writes rows into table in one statement: added to existing cells, or replacing
// nothing when fresh (a rebuild inserts into emptied cells).
func upsertCells(ctx context.Context, tx pgx.Tx, tenantCode, table string, rows []cellRow, fresh bool) error {
	const chunk = 5000
	for len(rows) > 0 {
		n := min(len(rows), chunk)
		if err := upsertChunk(ctx, tx, tenantCode, table, rows[:n], fresh); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}

func upsertChunk(ctx context.Context, tx pgx.Tx, tenantCode, table string, rows []cellRow, fresh bool) error {
	days := make([]time.Time, len(rows))
	types := make([]string, len(rows))
	sources := make([]string, len(rows))
	dims := make([]string, len(rows))
	values := make([]string, len(rows))
	tops := make([]int16, len(rows))
	measures := make([][]int64, stats.NumMeasures)
	for i := range measures {
		measures[i] = make([]int64, len(rows))
	}
	for i, r := range rows {
		days[i], types[i], sources[i], dims[i], values[i], tops[i] = r.k.Day, r.k.DisputeType, r.k.Source, string(r.k.Dim), r.k.Value, int16(r.k.Top)
		for m := range measures {
			measures[m][i] = r.v[m]
		}
	}
	var keyCols, keyArgs string
	args := []any{tenantCode}
	if table == "stats_daily" {
		keyCols = "day, dispute_type, source, top"
		keyArgs = "$2::date[], $3::text[], $4::text[], $5::smallint[]"
		args = append(args, days, types, sources, tops)
	} else {
		keyCols = "dim, month, dispute_type, source, value, top"
		keyArgs = "$2::text[], $3::date[], $4::text[], $5::text[], $6::text[], $7::smallint[]"
		args = append(args, dims, days, types, sources, values, tops)
	}
	var unnestArgs, updates []string
	for m, col := range stats.Columns {
		args = append(args, measures[m])
		unnestArgs = append(unnestArgs, fmt.Sprintf("$%d::bigint[]", len(args)))
		updates = append(updates, fmt.Sprintf("%s = %s.%s + excluded.%s", col, table, col, col))
	}
	q := fmt.Sprintf(`INSERT INTO %s (tenant_id, %s, %s) SELECT $1, * FROM unnest(%s, %s)`,
		table, keyCols, measureList, keyArgs, strings.Join(unnestArgs, ", "))
	if !fresh {
		q += fmt.Sprintf(" ON CONFLICT (tenant_id, %s) DO UPDATE SET %s", keyCols, strings.Join(updates, ", "))
	}
	_, err := tx.Exec(ctx, q, args...)
	return err
}

// Stats sums the cells of the tenant's subtree for q: the daily totals for the days of the
// period outside whole months, the monthly cells for the whole months; breakdowns by other
// dimensions and the histogram of days to close over the months covering the period.
func (s *StatsDB) Stats(ctx context.Context, tenantCode string, q stats.Query, today time.Time) (stats.Sums, error) {
	out := stats.Sums{CloseDays: map[int]int64{}, Groups: map[string][]stats.Group{}}
	err := s.inTenant(ctx, tenantCode, func(tx pgx.Tx) error {
		// The subtree, and under which child of the tenant each of its tenants lies.
		depth := stats.Depth(tenantCode)
		r := statsReader{tx: tx, tenant: tenantCode, depth: depth, q: q, child: map[string]string{}}
		rows, err := tx.Query(ctx, `SELECT code, coalesce(ancestors[$2 + 1], code) FROM tenants WHERE ancestors @> ARRAY[$1::text]`, tenantCode, depth)
		if err != nil {
			return err
		}
		var code, child string
		if _, err := pgx.ForEachRow(rows, []any{&code, &child}, func() error {
			r.codes = append(r.codes, code)
			r.child[code] = child
			return nil
		}); err != nil {
			return err
		}
		if r.child[tenantCode] == "" { // not onboarded, or outside what the tenant may see
			return tenantpkg.ErrNotFound
		}
		tot, err := r.totals(ctx, q.From, q.To, "")
		if err != nil {
			return err
		}
		if len(tot) == 1 {
			out.Totals = tot[0].Vector
		}
		yesterday := stats.Day(today).AddDate(0, 0, -1)
		end := q.To
		if yesterday.Before(end) {
			end = yesterday
		}
		switch {
		case end.Equal(q.To): // a past period: the totals already hold it
			out.OpenOverdue = out.Totals[stats.OpenDue]
		case !end.Before(q.From):
			od, err := r.totals(ctx, q.From, end, "")
			if err != nil {
				return err
			}
			if len(od) == 1 {
				out.OpenOverdue = od[0].Vector[stats.OpenDue]
			}
		}
		hist, err := r.monthly(ctx, stats.DimCloseDays)
		if err != nil {
			return err
		}
		for _, g := range hist {
			var d int
			if _, err := fmt.Sscan(g.Key, &d); err == nil {
				out.CloseDays[d] += g.Vector[stats.Concluded]
			}
		}
		for _, by := range q.GroupBy {
			var rows []stats.Group
			var err error
			switch by {
			case stats.ByType, stats.BySource, stats.ByMonth, stats.ByTenant:
				rows, err = r.totals(ctx, q.From, q.To, by)
			default:
				rows, err = r.monthly(ctx, stats.Dim(by))
			}
			if err != nil {
				return err
			}
			if err := r.label(ctx, by, rows); err != nil {
				return err
			}
			out.Groups[by] = rows
		}
		return nil
	})
	return out, err
}

// customPlan plans each statistics query for its own parameters: a cached generic plan cannot
// see how few tenants and months an array and a range hold, and chose scans ten times slower
// (measured: 24 ms custom, 205 ms generic, Shanghai over 1.94 M cases).
const customPlan = pgx.QueryExecModeExec

type statsReader struct {
	tx     pgx.Tx
	tenant string
	depth  int
	q      stats.Query
	codes  []string          // the tenant and its subtree
	child  map[string]string // tenant of the subtree → the child of the tenant it lies under
}

func (r statsReader) filters(args *[]any) string {
	var w string
	if r.q.Source != "" {
		*args = append(*args, r.q.Source)
		w += fmt.Sprintf(" AND source = $%d", len(*args))
	}
	if r.q.DisputeType != "" {
		*args = append(*args, r.q.DisputeType)
		w += fmt.Sprintf(" AND dispute_type = $%d", len(*args))
	}
	return w
}

func sums(prefix string) string {
	var out []string
	for _, c := range stats.Columns {
		out = append(out, "coalesce(sum("+prefix+c+"), 0)::bigint")
	}
	return strings.Join(out, ", ")
}

func scanGroups(rows pgx.Rows) ([]stats.Group, error) {
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (stats.Group, error) {
		var g stats.Group
		dst := []any{&g.Key}
		for i := range g.Vector {
			dst = append(dst, &g.Vector[i])
		}
		return g, row.Scan(dst...)
	})
}

// totals sums the total cells of the period [from, to], grouped by one of type, source, month
// or child tenant ("" for one row): the monthly cells of the whole months, the daily cells of
// the days before and after them (each part queried only when not empty).
func (r statsReader) totals(ctx context.Context, from, to time.Time, by string) ([]stats.Group, error) {
	fullFrom, fullTo := stats.WholeMonths(from, to)
	args := []any{r.codes, r.depth}
	// Each cell exists per type and source and across all of either: read the one level that
	// answers — the filter's value, every value when grouping by it, else the cell across all.
	level := func(col, filter string, grouped bool) string {
		switch {
		case filter != "":
			args = append(args, filter)
			return fmt.Sprintf(" AND %s = $%d", col, len(args))
		case grouped:
			return fmt.Sprintf(" AND %s <> '%s'", col, stats.All)
		default:
			return fmt.Sprintf(" AND %s = '%s'", col, stats.All)
		}
	}
	filt := level("dispute_type", r.q.DisputeType, by == stats.ByType) + level("source", r.q.Source, by == stats.BySource)
	key := "''"
	switch by {
	case stats.ByType:
		key = "dispute_type"
	case stats.BySource:
		key = "source"
	case stats.ByMonth:
		key = "to_char(day, 'YYYY-MM')"
	case stats.ByTenant:
		key = "tenant_id"
	}
	var parts []string
	part := func(table, dayCol, extra string, lo, hi time.Time) {
		args = append(args, lo, hi)
		parts = append(parts, fmt.Sprintf(`SELECT %s AS day, tenant_id, dispute_type, source, %s FROM %s
			WHERE tenant_id = ANY($1) AND top <= $2 AND %s BETWEEN $%d AND $%d %s %s`,
			dayCol, measureList, table, dayCol, len(args)-1, len(args), extra, filt))
	}
	if fullFrom.After(fullTo) {
		part("stats_daily", "day", "", from, to)
	} else {
		part("stats_monthly", "month", "AND dim = ''", fullFrom, fullTo)
		if from.Before(fullFrom) {
			part("stats_daily", "day", "", from, fullFrom.AddDate(0, 0, -1))
		}
		if end := fullTo.AddDate(0, 1, -1); to.After(end) {
			part("stats_daily", "day", "", end.AddDate(0, 0, 1), to)
		}
	}
	q := fmt.Sprintf(`SELECT %s AS k, %s FROM (%s) x`, key, sums(""), strings.Join(parts, " UNION ALL "))
	if by != "" {
		q += " GROUP BY 1 ORDER BY 1"
	}
	rows, err := r.tx.Query(ctx, q, append([]any{customPlan}, args...)...)
	if err != nil {
		return nil, err
	}
	groups, err := scanGroups(rows)
	if err != nil || by != stats.ByTenant {
		return groups, err
	}
	// Per tenant of the subtree → per child of the tenant asked about.
	sum := map[string]stats.Vector{}
	for _, g := range groups {
		child := r.child[g.Key]
		v := sum[child]
		v.Add(g.Vector)
		sum[child] = v
	}
	out := make([]stats.Group, 0, len(sum))
	for k, v := range sum {
		out = append(out, stats.Group{Key: k, Vector: v})
	}
	slices.SortFunc(out, func(a, b stats.Group) int { return strings.Compare(a.Key, b.Key) })
	return out, nil
}

// monthly sums the monthly cells of one dimension over the months covering the period.
func (r statsReader) monthly(ctx context.Context, dim stats.Dim) ([]stats.Group, error) {
	args := []any{r.codes, r.depth, stats.Month(r.q.From), stats.Month(r.q.To), string(dim)}
	filt := r.filters(&args)
	if dim == stats.DimCloseDays {
		// The histogram has cells across all types and sources: read exactly one of them.
		typ, src := cmp.Or(r.q.DisputeType, stats.All), cmp.Or(r.q.Source, stats.All)
		args = append(args[:5], typ, src)
		filt = " AND dispute_type = $6 AND source = $7"
	}
	rows, err := r.tx.Query(ctx, fmt.Sprintf(`SELECT value, %s FROM stats_monthly
		WHERE dim = $5 AND tenant_id = ANY($1) AND top <= $2 AND month BETWEEN $3 AND $4 %s
		GROUP BY value ORDER BY value COLLATE "C"`, sums(""), filt), append([]any{customPlan}, args...)...)
	if err != nil {
		return nil, err
	}
	return scanGroups(rows)
}

// label names the groups the database knows: child tenants, committees and registry mediators
// (of the subtree: its registries are readable upward).
func (r statsReader) label(ctx context.Context, by string, groups []stats.Group) error {
	var q string
	switch by {
	case stats.ByTenant:
		q = `SELECT code, name FROM tenants WHERE code = ANY($1)`
	case string(stats.DimCommittee):
		q = `SELECT id::text, name FROM organisations WHERE id::text = ANY($1)`
	case string(stats.DimMediator):
		q = `SELECT id::text, name FROM mediators WHERE id::text = ANY($1)`
	default:
		return nil
	}
	keys := make([]string, len(groups))
	for i, g := range groups {
		keys[i] = g.Key
	}
	rows, err := r.tx.Query(ctx, q, keys)
	if err != nil {
		return err
	}
	names := map[string]string{}
	var k, n string
	if _, err := pgx.ForEachRow(rows, []any{&k, &n}, func() error { names[k] = n; return nil }); err != nil {
		return err
	}
	for i := range groups {
		groups[i].Label = names[groups[i].Key]
	}
	return nil
}

// RebuildStats recomputes a tenant's cells from its cases with the same contribution as the
// incremental maintenance. With check it changes nothing and reports how many cells differ from
// the maintained ones; otherwise it replaces them. It reads and writes in one repeatable-read
// transaction: a case change committed meanwhile makes it fail and start again, so no change is
// lost between the reading and the writing.
func (s *StatsDB) RebuildStats(ctx context.Context, tenantCode string, check bool) (stats.Rebuild, error) {
	if !isTenantCode(tenantCode) {
		return stats.Rebuild{}, tenantpkg.ErrNotFound
	}
	var out stats.Rebuild
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		out = stats.Rebuild{Tenant: tenantCode, Checked: check}
		begin := pgx.TxOptions{BeginQuery: "BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT set_config('fengqiao.tenant', '" + tenantCode + "', true)"}
		err = pgx.BeginTxFunc(ctx, s.pool, begin, func(tx pgx.Tx) error {
			computed, n, err := computeCells(ctx, tx, tenantCode)
			if err != nil {
				return err
			}
			out.Cases = n
			daily, monthly := splitCells(computed)
			out.Cells = len(daily) + len(monthly)
			if check {
				stored, err := storedCells(ctx, tx, tenantCode)
				if err != nil {
					return err
				}
				want := map[cellKey]stats.Vector{}
				for _, r := range daily {
					want[cellKey{"stats_daily", r.k}] = r.v
				}
				for _, r := range monthly {
					want[cellKey{"stats_monthly", r.k}] = r.v
				}
				for k, v := range stored {
					if want[k] != v {
						out.Differences++
					}
				}
				for k := range want {
					if _, ok := stored[k]; !ok {
						out.Differences++
					}
				}
				return nil
			}
			for _, t := range []string{"stats_daily", "stats_monthly"} {
				if _, err := tx.Exec(ctx, "DELETE FROM "+t+" WHERE tenant_id = $1", tenantCode); err != nil {
					return err
				}
			}
			if err := upsertCells(ctx, tx, tenantCode, "stats_daily", daily, true); err != nil {
				return err
			}
			return upsertCells(ctx, tx, tenantCode, "stats_monthly", monthly, true)
		})
		if c := pgCode(err); c != codeSerialization && c != codeDeadlock && c != codeUniqueViolation {
			break
		}
	}
	return out, err
}

type cellKey struct {
	table string
	k     stats.Key
}

// storedCells reads a tenant's cells, without the zero ones.
func storedCells(ctx context.Context, tx pgx.Tx, tenantCode string) (map[cellKey]stats.Vector, error) {
	out := map[cellKey]stats.Vector{}
	for _, t := range []string{"stats_daily", "stats_monthly"} {
		cols := "day, dispute_type, source, '', '', top"
		if t == "stats_monthly" {
			cols = "month, dispute_type, source, dim, value, top"
		}
		rows, err := tx.Query(ctx, "SELECT "+cols+", "+measureList+" FROM "+t+" WHERE tenant_id = $1", tenantCode)
		if err != nil {
			return nil, err
		}
		var k stats.Key
		var v stats.Vector
		var dim string
		var top int16
		dst := []any{&k.Day, &k.DisputeType, &k.Source, &dim, &k.Value, &top}
		for i := range v {
			dst = append(dst, &v[i])
		}
		if _, err := pgx.ForEachRow(rows, dst, func() error {
			k.Dim, k.Top = stats.Dim(dim), int(top)
			if !v.Zero() {
				out[cellKey{t, k}] = v
			}
			return nil
		}); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// computeCells sums what every case of the tenant contributes.
func computeCells(ctx context.Context, tx pgx.Tx, tenantCode string) (stats.Cells, int, error) {
	kinds, err := committeeKindsOf(ctx, tx, tenantCode)
	if err != nil {
		return nil, 0, err
	}
	var id string
	parties := map[string][]cases.Party{}
	var p cases.Party
	rows, err := tx.Query(ctx, `SELECT case_id::text, kind, gender, birth_year, occupation FROM case_parties WHERE tenant_id = $1 ORDER BY case_id, position`, tenantCode)
	if err != nil {
		return nil, 0, err
	}
	if _, err := pgx.ForEachRow(rows, []any{&id, &p.Kind, &p.Gender, &p.BirthYear, &p.Occupation}, func() error {
		parties[id] = append(parties[id], p)
		return nil
	}); err != nil {
		return nil, 0, err
	}
	leads := map[string]string{} // case → its lead registry mediator
	var lead string
	rows, err = tx.Query(ctx, `SELECT case_id::text, mediator_id::text FROM case_mediators WHERE tenant_id = $1 AND position = 0`, tenantCode)
	if err != nil {
		return nil, 0, err
	}
	if _, err := pgx.ForEachRow(rows, []any{&id, &lead}, func() error {
		leads[id] = lead
		return nil
	}); err != nil {
		return nil, 0, err
	}
	rows, err = tx.Query(ctx, "SELECT "+caseColumns+" FROM cases WHERE tenant_id = $1", tenantCode)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := stats.Cells{}
	n := 0
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			return nil, 0, err
		}
		c.Parties = parties[c.ID]
		if m, ok := leads[c.ID]; ok {
			c.Mediators = []cases.CaseMediator{{ID: m}}
		}
		out.Merge(stats.Contribution(stats.FactsOf(c, kinds[c.CommitteeID], stats.TopOf(tenantCode, c.Joint))))
		n++
	}
	return out, n, rows.Err()
}

// SetJoint records that a case is one participant's record of a jointly mediated case (nil:
// no longer joint); its statistics move to the levels where it now counts.
func (s *StatsDB) SetJoint(ctx context.Context, tenantCode, caseID string, j *cases.Joint) error {
	return s.inTenant(ctx, tenantCode, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT 1 FROM cases WHERE tenant_id = $1 AND id = $2 FOR UPDATE", tenantCode, caseID); err != nil {
			if pgCode(err) == codeInvalidText {
				return cases.ErrNotFound
			}
			return err
		}
		before, err := loadCaseWithSessions(ctx, tx, tenantCode, caseID)
		if err != nil {
			return err
		}
		var raw []byte
		if j != nil {
			if raw, err = json.Marshal(j); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE cases SET joint = $3, version = version + 1, updated_at = now() WHERE tenant_id = $1 AND id = $2`,
			tenantCode, caseID, raw); err != nil {
			return err
		}
		after := before
		after.Joint = j
		if err := appendAudit(ctx, tx, tenantCode, "case.joint", "case:"+caseID, before.Joint, j); err != nil {
			return err
		}
		return maintainStats(ctx, tx, tenantCode, &before, &after)
	})
}
