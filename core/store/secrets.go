package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// Keys are not kept in the database (migration 00022): the server takes them from its
// configuration or its key file. Installations of before kept them in platform_secrets, which
// the application role can no longer read; the owner moves them out with MoveLegacySecrets.

// LegacySecretsRemain reports whether platform_secrets still holds keys of before, waiting for
// `fengqiao keys migrate`. It reads only that boolean (the application role cannot read keys).
func (s *Store) LegacySecretsRemain(ctx context.Context) (bool, error) {
	var remain bool
	err := s.pool.QueryRow(ctx, `SELECT platform_secrets_remain()`).Scan(&remain)
	if pgCode(err) == codeUndefinedFunc { // undefined function: the schema is older than the binary
		return false, errors.New("store: the schema predates this version: run `fengqiao migrate` first")
	}
	return remain, err
}

// MoveLegacySecrets reads every key of platform_secrets as the owner role of ownerURL, hands
// them to save (by name) and deletes them once save succeeded, in one transaction: a failing
// save deletes nothing, and the keys are never without a copy. It returns the names moved; none
// when the table is empty (save is not called).
func MoveLegacySecrets(ctx context.Context, ownerURL string, save func(map[string][]byte) error) ([]string, error) {
	conn, err := pgx.Connect(ctx, ownerURL)
	if err != nil {
		return nil, err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var names []string
	err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT name, value FROM platform_secrets ORDER BY name FOR UPDATE`)
		if err != nil {
			return fmt.Errorf("store: reading platform_secrets as the owner role: %w", err)
		}
		keys := map[string][]byte{}
		defer rows.Close()
		for rows.Next() {
			var name string
			var value []byte
			if err := rows.Scan(&name, &value); err != nil {
				return err
			}
			keys[name] = value
			names = append(names, name)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if len(keys) == 0 {
			return nil
		}
		if err := save(keys); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `DELETE FROM platform_secrets WHERE name = ANY($1)`, names)
		return err
	})
	if err != nil {
		return nil, err
	}
	return names, nil
}
