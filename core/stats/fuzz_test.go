package stats

import (
	"slices"
	"testing"
	"time"
)

// FuzzParseQuery: any query string either is refused with field errors or gives a period in
// order, no longer than MaxSpan, and only known groupings.
func FuzzParseQuery(f *testing.F) {
	f.Add("2020-01-01", "2020-12-31", "court", "labour", "month,tenant")
	f.Add("", "", "", "", "")
	f.Add("2020-02-30", "x", "\x00", "Ä", ",,")
	today := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, from, to, source, typ, by string) {
		q, err := ParseQuery(from, to, source, typ, by, today)
		if err != nil {
			return
		}
		if q.From.After(q.To) || q.To.Sub(q.From) > MaxSpan {
			t.Fatalf("period %v..%v accepted", q.From, q.To)
		}
		for _, g := range q.GroupBy {
			if !slices.Contains(Groupings(), g) {
				t.Fatalf("grouping %q accepted", g)
			}
		}
	})
}
