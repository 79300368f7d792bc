// Package tenants holds the data the product ships per region, embedded in the binary: the demo
// seed that `make run` loads (demo.yaml, Demo, and the legacy workbook it imports,
// demo-import.xlsx), and the regional packs (packs/*.yaml, Packs) —
// which plugins a region enables, where and with which settings, and the region's dispute types
// and organisation kinds, each with its source — parsed and validated once; every command that
// opens the application refuses to start on an invalid one. Applying a pack on onboarding is a
// later step: today the core only reads them.
package tenants

import (
	_ "embed"
	"fmt"

	"go.yaml.in/yaml/v3"
)

//go:embed demo.yaml
var demoYAML []byte

// DemoImport is a legacy system's export as a bureau holds it — an Excel workbook with Chinese
// headers and values (邻里纠纷, 上门, 调解成功, 回乡证…) — that the demo seed imports into
// Putuo (issue 14, item 7).
//
//go:embed demo-import.xlsx
var DemoImport []byte

// DemoImportTenant is where the demo seed imports DemoImport.
const DemoImportTenant = "310107"

// Seed is a set of tenants and users to make exist.
type Seed struct {
	Tenants struct {
		WithOffices bool     `yaml:"with_offices"`
		Codes       []string `yaml:"codes"`
	} `yaml:"tenants"`
	Users         []SeedUser `yaml:"users"`
	Organisations []SeedOrg  `yaml:"organisations"`
	// Calls are API requests run after the organisations and users, before the cases (a 409
	// counts as done, so seeding twice is harmless).
	Calls []SeedCall `yaml:"calls"`
	Cases []SeedCase `yaml:"cases"`
}

// SeedCall is one API request of the demo, sent in-process as a demo user of the seed, so that
// the demo goes through the same validation, authorization and audit as a user would. In Path
// and every string of Body, ${org:NAME}, ${user:USERNAME}, ${case:KEY}, ${mediator:NAME},
// ${date:±N} (YYYY-MM-DD, today ±N days) and ${time:±N} (RFC 3339) are replaced.
type SeedCall struct {
	As     string `yaml:"as"`     // the demo user's username
	Tenant string `yaml:"tenant"` // the tenant of ${org:…} and ${mediator:…}; a case's step: the case's
	Method string `yaml:"method"` // default POST
	// Path is absolute ("/api/v1/…") or, in a case's steps, relative to the case
	// ("actions/assign" → /api/v1/tenants/{tenant}/cases/{id}/actions/assign).
	Path   string `yaml:"path"`
	Body   any    `yaml:"body"`
	Expect int    `yaml:"expect"` // the expected status; 0: any 2xx
}

// SeedOrg is an organisation of a seed.
type SeedOrg struct {
	Tenant       string `yaml:"tenant"`
	Kind         string `yaml:"kind"`
	Name         string `yaml:"name"`
	StreetCode   string `yaml:"street_code"`
	Industry     string `yaml:"industry"`
	StationedAt  string `yaml:"stationed_at"`
	MediatorName string `yaml:"mediator_name"`
}

// SeedCase is a case of a seed; Key makes loading it again a no-op (Idempotency-Key).
type SeedCase struct {
	Tenant      string      `yaml:"tenant"`
	Key         string      `yaml:"key"`
	Title       string      `yaml:"title"`
	Description string      `yaml:"description"`
	DisputeType string      `yaml:"dispute_type"`
	Source      string      `yaml:"source"`
	PlaceCode   string      `yaml:"place_code"`
	Amount      float64     `yaml:"amount"`
	Referral    *SeedRef    `yaml:"referral"`
	Parties     []SeedParty `yaml:"parties"`
	// Steps run once, right after the case is created (not when a seed runs again).
	Steps []SeedCall `yaml:"steps"`
}

// SeedRef is a referral of a seed case.
type SeedRef struct {
	// Agency names the referring agency; when an organisation of the tenant has that name, the
	// case is linked to it (it then sees the case).
	Agency    string `yaml:"agency"`
	Reference string `yaml:"reference"`
	Kind      string `yaml:"kind"`
}

// SeedParty is a party of a seed case.
type SeedParty struct {
	Name     string `yaml:"name"`
	Role     string `yaml:"role"`
	Kind     string `yaml:"kind"`
	IDNumber string `yaml:"id_number"`
	IDType   string `yaml:"id_type"` // a person's identity document (pii.DocType); empty: resident ID card
	Phone    string `yaml:"phone"`
	Address  string `yaml:"address"`
}

// SeedUser is one user of a seed.
type SeedUser struct {
	Username    string `yaml:"username"`
	Password    string `yaml:"password"`
	Role        string `yaml:"role"`
	Tenant      string `yaml:"tenant"`
	DisplayName string `yaml:"display_name"`
	// Organisation names the organisation of the tenant the user works for (committee and
	// agency roles).
	Organisation string `yaml:"organisation"`
}

// Demo returns the demo seed.
func Demo() (Seed, error) {
	var s Seed
	if err := yaml.Unmarshal(demoYAML, &s); err != nil {
		return s, fmt.Errorf("demo seed: %w", err)
	}
	return s, nil
}
