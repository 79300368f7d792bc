package storetest

import (
	"context"
	"encoding/json"
	"time"

	"github.com/fengqiao/fengqiao/core/cases"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// RawCopyCases measures the ceiling of bulk loading on the cluster: it COPYs the cases' rows,
// as the owner, into a table shaped like cases with the same indexes but no row-level security,
// foreign keys, parties, statistics or search documents. It returns the time the COPY took.
func RawCopyCases(ctx context.Context, ownerURL string, batches func(yield func([]cases.Case) error) error) (int, time.Duration, error) {
	conn, err := pgx.Connect(ctx, ownerURL)
	if err != nil {
		return 0, 0, err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `DROP TABLE IF EXISTS bench_raw_cases;
		CREATE TABLE bench_raw_cases (LIKE cases INCLUDING DEFAULTS INCLUDING INDEXES)`); err != nil {
		return 0, 0, err
	}
	cols := []string{"tenant_id", "id", "number", "year", "seq", "title", "description", "dispute_type", "source", "place_code",
		"status", "risk_level", "risk", "received_at", "due_at", "created_by", "committee_id", "outcome", "performance", "concluded_at"}
	var total int
	var spent time.Duration
	seq := map[string]int{}
	err = batches(func(cs []cases.Case) error {
		rows := make([][]any, len(cs))
		for i, c := range cs {
			seq[c.TenantCode]++
			n := seq[c.TenantCode]
			risk, _ := json.Marshal(c.Risk)
			var outcome []byte
			if c.Outcome != nil {
				outcome, _ = json.Marshal(c.Outcome)
			}
			var committee any
			if u, err := uuid.Parse(c.CommitteeID); err == nil {
				committee = [16]byte(u)
			}
			rows[i] = []any{c.TenantCode, [16]byte(uuid.New()), cases.Number(c.TenantCode, 2020, n), 2020, n, c.Title, c.Description,
				c.DisputeType, string(c.Source), c.PlaceCode, string(c.Status), string(c.Risk.Level), risk, c.ReceivedAt, c.DueAt,
				c.CreatedBy, committee, outcome, c.Performance, c.ConcludedAt}
		}
		start := time.Now()
		if _, err := conn.CopyFrom(ctx, pgx.Identifier{"bench_raw_cases"}, cols, pgx.CopyFromRows(rows)); err != nil {
			return err
		}
		spent += time.Since(start)
		total += len(cs)
		return nil
	})
	if err != nil {
		return 0, 0, err
	}
	_, err = conn.Exec(ctx, `DROP TABLE bench_raw_cases`)
	return total, spent, err
}

// OwnerQuery runs a query as the owner (outside row-level security) and returns its duration:
// the naive figures straight from the cases table, to compare with the maintained ones.
func OwnerQuery(ctx context.Context, ownerURL, sql string, args ...any) (time.Duration, error) {
	conn, err := pgx.Connect(ctx, ownerURL)
	if err != nil {
		return 0, err
	}
	defer conn.Close(ctx)
	start := time.Now()
	rows, err := conn.Query(ctx, sql, args...)
	if err != nil {
		return 0, err
	}
	for rows.Next() {
	}
	rows.Close()
	return time.Since(start), rows.Err()
}
