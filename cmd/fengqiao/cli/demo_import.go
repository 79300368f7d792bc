package cli

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/fengqiao/fengqiao/cmd/fengqiao/app"
	"github.com/fengqiao/fengqiao/core/caseimport"
	"github.com/fengqiao/fengqiao/core/cases"
	"github.com/fengqiao/fengqiao/tenants"
)

// seedDemoImport imports the demo's legacy workbook (tenants.DemoImport: Chinese headers and
// values) into Putuo, as a migrating bureau would. Its rows keep their legacy numbers, so a
// second seed finds every number taken and imports nothing: that is "already imported".
func seedDemoImport(ctx context.Context, a *app.App, w io.Writer) error {
	rep, err := a.Cases.Import(ctx, caseimport.BytesSource{Data: tenants.DemoImport, Format: caseimport.XLSX}, cases.ImportOptions{
		Scope: "000000", Tenant: tenants.DemoImportTenant, File: "demo-import.xlsx", Actor: "system:demo-seed"})
	var ie *cases.ImportError
	if errors.As(err, &ie) {
		for _, e := range rep.Errors {
			if e.Field != "number" {
				return fmt.Errorf("demo import, line %d: %s: %s", e.Line, e.Field, e.Message)
			}
		}
		printf(w, "demo import (demo-import.xlsx): already imported\n")
		return nil
	}
	if err != nil {
		return fmt.Errorf("demo import: %w", err)
	}
	printf(w, "demo import (demo-import.xlsx): %d historical cases imported into %s\n", rep.Imported, tenants.DemoImportTenant)
	return nil
}
