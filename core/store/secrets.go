package store

import (
	"context"
	"crypto/rand"
)

// Secret returns the platform secret called name, creating it from 48 random bytes the first
// time. Concurrent first calls (several instances starting together) agree on one value.
func (s *Store) Secret(ctx context.Context, name string) ([]byte, error) {
	fresh := make([]byte, 48)
	if _, err := rand.Read(fresh); err != nil {
		return nil, err
	}
	if _, err := s.pool.Exec(ctx, `INSERT INTO platform_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, name, fresh); err != nil {
		return nil, err
	}
	var v []byte
	err := s.pool.QueryRow(ctx, `SELECT value FROM platform_secrets WHERE name = $1`, name).Scan(&v)
	return v, err
}
