package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// This file persists authorization rules (the casbin_rule table) for core/authz: it implements
// authz.PolicyStore. casbin_rule is a platform table without row-level security, so these
// queries run on the pool directly, without setting a tenant.
//
// A row is ptype followed by up to six values (v0..v5). Reads trim trailing empty values; writes
// pad missing values with "" (the columns are NOT NULL DEFAULT ''), so a rule with fewer fields
// round-trips unchanged.

// policyFields is the number of value columns (v0..v5).
const policyFields = 6

// execer is what both the pool and a transaction offer.
type execer interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

// errBadPolicyRow reports a row the table cannot hold.
var errBadPolicyRow = errors.New("store: bad policy row")

// policyColumns splits rows into the seven column arrays unnest takes (ptype, v0..v5).
func policyColumns(rows [][]string) ([policyFields + 1][]string, error) {
	var cols [policyFields + 1][]string
	for i := range cols {
		cols[i] = make([]string, len(rows))
	}
	for r, row := range rows {
		if len(row) == 0 || row[0] == "" || len(row) > policyFields+1 {
			return cols, fmt.Errorf("%w: %q (want ptype and at most %d values)", errBadPolicyRow, row, policyFields)
		}
		for c, v := range row {
			cols[c][r] = v
		}
	}
	return cols, nil
}

const insertPolicySQL = `
	INSERT INTO casbin_rule (ptype, v0, v1, v2, v3, v4, v5)
	SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
	ON CONFLICT (ptype, v0, v1, v2, v3, v4, v5) DO NOTHING`

const deletePolicySQL = `
	DELETE FROM casbin_rule c
	USING unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
	      AS r(ptype, v0, v1, v2, v3, v4, v5)
	WHERE c.ptype = r.ptype AND c.v0 = r.v0 AND c.v1 = r.v1 AND c.v2 = r.v2
	  AND c.v3 = r.v3 AND c.v4 = r.v4 AND c.v5 = r.v5`

func execPolicyRows(ctx context.Context, db execer, query string, rows [][]string) error {
	if len(rows) == 0 {
		return nil
	}
	cols, err := policyColumns(rows)
	if err != nil {
		return err
	}
	_, err = db.Exec(ctx, query, cols[0], cols[1], cols[2], cols[3], cols[4], cols[5], cols[6])
	return err
}

// insertPolicyRowsTx inserts authorization rules inside the caller's transaction (e.g. the role
// grants of a user being created), ignoring rows that exist already. Each row is ptype, v0...;
// authz.GrantRows builds them. After the transaction commits, the caller tells the authorizer
// (authz.Authorizer.Granted) so its in-memory model follows.
func insertPolicyRowsTx(ctx context.Context, tx pgx.Tx, rows [][]string) error {
	if err := execPolicyRows(ctx, tx, insertPolicySQL, rows); err != nil {
		return fmt.Errorf("store: insert policy rules: %w", err)
	}
	return nil
}

// deletePolicyRowsTx deletes exactly the given authorization rules inside the caller's
// transaction; rows that do not exist are ignored. After commit, call authz.Authorizer.Revoked.
func deletePolicyRowsTx(ctx context.Context, tx pgx.Tx, rows [][]string) error {
	if err := execPolicyRows(ctx, tx, deletePolicySQL, rows); err != nil {
		return fmt.Errorf("store: delete policy rules: %w", err)
	}
	return nil
}

// deleteSubjectGrantsTx removes the role grants of subject — in tenant only, or everywhere when
// tenant is "" — and returns the rows removed, for the authorizer to forget after commit.
func deleteSubjectGrantsTx(ctx context.Context, tx pgx.Tx, subject, tenant string) ([][]string, error) {
	rows, err := tx.Query(ctx, `
		DELETE FROM casbin_rule WHERE ptype = 'g' AND v0 = $1 AND ($2 = '' OR v2 = $2)
		RETURNING ptype, v0, v1, v2, v3, v4, v5`, subject, tenant)
	if err != nil {
		return nil, fmt.Errorf("store: delete grants of %s: %w", subject, err)
	}
	out, err := scanPolicyRows(rows)
	if err != nil {
		return nil, fmt.Errorf("store: delete grants of %s: %w", subject, err)
	}
	return out, nil
}

func scanPolicyRows(rows pgx.Rows) ([][]string, error) {
	defer rows.Close()
	var out [][]string
	for rows.Next() {
		var r [policyFields + 1]string
		if err := rows.Scan(&r[0], &r[1], &r[2], &r[3], &r[4], &r[5], &r[6]); err != nil {
			return nil, err
		}
		n := len(r)
		for n > 1 && r[n-1] == "" {
			n--
		}
		out = append(out, append([]string(nil), r[:n]...))
	}
	return out, rows.Err()
}

// PolicyRules returns every authorization rule, oldest first. Each row is ptype, v0..v5 with
// trailing empty values trimmed.
func (s *PolicyDB) PolicyRules(ctx context.Context) ([][]string, error) {
	rows, err := s.pool.Query(ctx, `SELECT ptype, v0, v1, v2, v3, v4, v5 FROM casbin_rule ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: read policy rules: %w", err)
	}
	out, err := scanPolicyRows(rows)
	if err != nil {
		return nil, fmt.Errorf("store: read policy rules: %w", err)
	}
	return out, nil
}

// AddPolicyRules inserts rules in one statement, ignoring those that exist already.
func (s *PolicyDB) AddPolicyRules(ctx context.Context, rows [][]string) error {
	if err := execPolicyRows(ctx, s.pool, insertPolicySQL, rows); err != nil {
		return fmt.Errorf("store: add policy rules: %w", err)
	}
	return nil
}

// RemovePolicyRules deletes exactly the given rules in one statement; missing ones are ignored.
func (s *PolicyDB) RemovePolicyRules(ctx context.Context, rows [][]string) error {
	if err := execPolicyRows(ctx, s.pool, deletePolicySQL, rows); err != nil {
		return fmt.Errorf("store: remove policy rules: %w", err)
	}
	return nil
}

// RemoveFilteredPolicyRules deletes the rules of ptype whose values from fieldIndex on equal
// fieldValues, an empty value matching anything (Casbin's RemoveFilteredPolicy semantics: when
// every value is empty, every rule of ptype goes).
func (s *PolicyDB) RemoveFilteredPolicyRules(ctx context.Context, ptype string, fieldIndex int, fieldValues ...string) error {
	if ptype == "" || fieldIndex < 0 || len(fieldValues) == 0 || fieldIndex+len(fieldValues) > policyFields {
		return fmt.Errorf("%w: filter ptype %q, field index %d, %d values", errBadPolicyRow, ptype, fieldIndex, len(fieldValues))
	}
	var (
		where strings.Builder
		args  = []any{ptype}
	)
	where.WriteString("ptype = $1")
	for i, v := range fieldValues {
		if v == "" {
			continue
		}
		args = append(args, v)
		fmt.Fprintf(&where, " AND v%d = $%s", fieldIndex+i, strconv.Itoa(len(args)))
	}
	if _, err := s.pool.Exec(ctx, "DELETE FROM casbin_rule WHERE "+where.String(), args...); err != nil {
		return fmt.Errorf("store: remove filtered policy rules: %w", err)
	}
	return nil
}

// ReplacePolicyRules replaces every rule with rows in one transaction (Casbin's SavePolicy).
func (s *PolicyDB) ReplacePolicyRules(ctx context.Context, rows [][]string) error {
	if _, err := policyColumns(rows); err != nil { // refuse before deleting anything
		return err
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "DELETE FROM casbin_rule"); err != nil {
			return err
		}
		return execPolicyRows(ctx, tx, insertPolicySQL, rows)
	})
	if err != nil {
		return fmt.Errorf("store: replace policy rules: %w", err)
	}
	return nil
}
