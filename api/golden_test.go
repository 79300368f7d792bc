package api_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/fengqiao/fengqiao/api"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// TestOpenAPIGolden pins the served API document: any change of a route, field or schema shows
// in review as a diff of testdata/openapi.golden.json (regenerate with `go test ./api -run
// Golden -update`).
func TestOpenAPIGolden(t *testing.T) {
	doc, err := api.New(api.Deps{Logger: discardLogger()}).Document()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := doc.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, raw, "", "  "); err != nil {
		t.Fatal(err)
	}
	buf.WriteByte('\n')
	golden := filepath.Join("testdata", "openapi.golden.json")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("the OpenAPI document differs from %s; if the change is intended, run `go test ./api -run Golden -update` and review the diff", golden)
	}
}
