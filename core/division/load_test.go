package division

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"strings"
	"testing"
)

// TestEmbeddedDataValid fails loudly if the embedded files do not pass the
// loader's checks (column counts, code shapes, every district's cityCode
// equal to its first 4 digits, every street's areaCode to its first 6, ...).
func TestEmbeddedDataValid(t *testing.T) {
	if _, err := parse(embedded()); err != nil {
		t.Fatalf("embedded data: %v", err)
	}
}

// TestEmbeddedDataChecksums compares the embedded files with the sha256 sums
// recorded in data/README.md.
func TestEmbeddedDataChecksums(t *testing.T) {
	f, err := os.Open("data/README.md")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var name, sum string
		if fields := strings.Fields(sc.Text()); len(fields) == 3 && fields[0] == "-" && len(fields[2]) == 64 {
			name, sum = fields[1], fields[2]
			want[name] = sum
		}
	}
	src := embedded()
	for name, data := range map[string]string{
		"provinces.csv": src.provinces, "cities.csv": src.cities, "areas.csv": src.areas, "streets.csv": src.streets,
	} {
		h := sha256.Sum256([]byte(data))
		if got := hex.EncodeToString(h[:]); got != want[name] {
			t.Errorf("%s: sha256 %s, README says %q", name, got, want[name])
		}
	}
}

func TestParseRejects(t *testing.T) {
	good := sources{
		provinces: "code,name\n31,\"上海市\"\n44,\"广东省\"\n",
		cities:    "code,name,provinceCode\n3101,\"市辖区\",31\n4419,\"东莞市\",44\n",
		areas:     "code,name,cityCode,provinceCode\n310107,\"普陀区\",3101,31\n441900,\"东莞市\",4419,44\n",
		streets:   "code,name,areaCode,provinceCode,cityCode\n310107015,\"长寿路街道\",310107,31,3101\n441900003,\"东城街道\",441900,44,4419\n",
	}
	if _, err := parse(good); err != nil {
		t.Fatalf("good input rejected: %v", err)
	}
	tests := []struct {
		name   string
		modify func(s *sources)
		want   string // substring of the error
	}{
		{"district cityCode not its first 4 digits", func(s *sources) {
			s.areas = strings.Replace(s.areas, "310107,\"普陀区\",3101", "310107,\"普陀区\",4419", 1)
		}, "areas.csv:2: code 310107 does not start with its parent code 4419"},
		{"street areaCode not its first 6 digits", func(s *sources) {
			s.streets = strings.Replace(s.streets, "310107015,\"长寿路街道\",310107", "310107015,\"长寿路街道\",310108", 1)
		}, "streets.csv:2: code 310107015 does not start with its parent code 310108"},
		{"street cityCode wrong", func(s *sources) {
			s.streets = strings.Replace(s.streets, ",31,3101\n", ",31,3102\n", 1)
		}, "does not start with its parent code 3102"},
		{"city provinceCode wrong", func(s *sources) {
			s.cities = strings.Replace(s.cities, "3101,\"市辖区\",31", "3101,\"市辖区\",44", 1)
		}, "cities.csv:2"},
		{"street of unknown district", func(s *sources) {
			s.streets += "310108001,\"某街道\",310108,31,3101\n"
		}, "unknown district 310108"},
		{"district of unknown city", func(s *sources) {
			s.areas += "310201,\"某区\",3102,31\n"
		}, "unknown city 3102"},
		{"city of unknown province", func(s *sources) {
			s.cities += "3201,\"南京市\",32\n"
		}, "unknown province 32"},
		{"duplicate district", func(s *sources) {
			s.areas += "310107,\"普陀区\",3101,31\n"
		}, "duplicate code 310107"},
		{"duplicate city-as-district", func(s *sources) {
			s.areas += "441900,\"东莞市\",4419,44\n"
		}, "duplicate code 441900"},
		{"city-as-district with another name", func(s *sources) {
			s.areas = strings.Replace(s.areas, "441900,\"东莞市\"", "441900,\"莞城\"", 1)
		}, "has its city's code but not its name"},
		{"duplicate street", func(s *sources) {
			s.streets += "310107015,\"长寿路街道\",310107,31,3101\n"
		}, "duplicate code 310107015"},
		{"wrong header", func(s *sources) {
			s.areas = strings.Replace(s.areas, "cityCode", "city", 1)
		}, "areas.csv: header"},
		{"BOM", func(s *sources) { s.provinces = "\ufeff" + s.provinces }, "provinces.csv: header"},
		{"empty file", func(s *sources) { s.cities = "" }, "cities.csv: empty"},
		{"missing column", func(s *sources) {
			s.streets += "310107016,\"某街道\",310107,31\n"
		}, "streets.csv:4: 4 fields, want 5"},
		{"extra column", func(s *sources) {
			s.provinces += "32,\"江苏省\",x\n"
		}, "provinces.csv:4: 3 fields, want 2"},
		{"blank line", func(s *sources) { s.provinces = strings.Replace(s.provinces, "\n44", "\n\n44", 1) }, "provinces.csv:3: 1 fields"},
		{"unquoted name", func(s *sources) {
			s.provinces = strings.Replace(s.provinces, "\"上海市\"", "上海市", 1)
		}, "not a simple quoted string"},
		{"empty name", func(s *sources) {
			s.provinces = strings.Replace(s.provinces, "\"上海市\"", "\"\"", 1)
		}, "not a simple quoted string"},
		{"comma in name", func(s *sources) {
			s.provinces = strings.Replace(s.provinces, "\"上海市\"", "\"上海,市\"", 1)
		}, "3 fields, want 2"},
		{"short street code", func(s *sources) {
			s.streets = strings.Replace(s.streets, "310107015,", "31010701,", 1)
		}, "want 9 digits"},
		{"non-digit code", func(s *sources) {
			s.areas = strings.Replace(s.areas, "310107,", "31010x,", 1)
		}, "want 6 digits"},
		{"city without districts that has a district", func(s *sources) {
			s.areas += "441901,\"某区\",4419,44\n"
		}, "city 441900 is its own county-level unit but also has district 441901"},
		{"country as province", func(s *sources) { s.provinces += "00,\"某省\"\n" }, "country's"},
		{"city with province shape", func(s *sources) { s.cities += "3100,\"某市\",31\n" }, "shape of a province"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := good
			tt.modify(&s)
			_, err := parse(s)
			if err == nil {
				t.Fatalf("parse accepted bad input")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
		})
	}
}

func TestParseAcceptsCRLF(t *testing.T) {
	s := embedded()
	s.provinces = strings.ReplaceAll(s.provinces, "\n", "\r\n")
	if _, err := parse(s); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkLoad parses and indexes the whole embedded list, as the first
// call into the package does.
func BenchmarkLoad(b *testing.B) {
	src := embedded()
	for b.Loop() {
		if _, err := parse(src); err != nil {
			b.Fatal(err)
		}
	}
}
