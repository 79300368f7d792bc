// Package tenants holds per-tenant data shipped with the product: the demo seed that `make run`
// loads (and that later issues extend), embedded in the binary.
package tenants

import (
	_ "embed"
	"fmt"

	"go.yaml.in/yaml/v3"
)

//go:embed demo.yaml
var demoYAML []byte

// Seed is a set of tenants and users to make exist.
type Seed struct {
	Tenants struct {
		WithOffices bool     `yaml:"with_offices"`
		Codes       []string `yaml:"codes"`
	} `yaml:"tenants"`
	Users []SeedUser `yaml:"users"`
}

// SeedUser is one user of a seed.
type SeedUser struct {
	Username    string `yaml:"username"`
	Password    string `yaml:"password"`
	Role        string `yaml:"role"`
	Tenant      string `yaml:"tenant"`
	DisplayName string `yaml:"display_name"`
}

// Demo returns the demo seed.
func Demo() (Seed, error) {
	var s Seed
	if err := yaml.Unmarshal(demoYAML, &s); err != nil {
		return s, fmt.Errorf("demo seed: %w", err)
	}
	return s, nil
}
