package cli

import (
	"slices"
	"testing"

	"github.com/fengqiao/fengqiao/core/authz"
)

func addRow(v string) authz.RemoteChange { return authz.RemoteChange{Add: true, Row: []string{"g", v}} }

var reloadChange = authz.RemoteChange{Reload: true}

func sameChanges(a, b []authz.RemoteChange) bool {
	return slices.EqualFunc(a, b, func(x, y authz.RemoteChange) bool {
		return x.Reload == y.Reload && x.Add == y.Add && slices.Equal(x.Row, y.Row)
	})
}

// Changes come out in order; a reload replaces what was queued before it, so a burst of
// reloads is one; the queue never grows past its bound.
func TestRemoteQueue(t *testing.T) {
	q := newRemoteQueue()
	select {
	case <-q.ready():
		t.Fatal("an empty queue is ready")
	default:
	}
	for _, tt := range []struct {
		name string
		push []authz.RemoteChange
		want []authz.RemoteChange
	}{
		{"in order", []authz.RemoteChange{addRow("a"), addRow("b")}, []authz.RemoteChange{addRow("a"), addRow("b")}},
		{"reloads coalesce", []authz.RemoteChange{addRow("a"), reloadChange, addRow("b"), reloadChange, reloadChange, addRow("c")},
			[]authz.RemoteChange{reloadChange, addRow("c")}},
	} {
		for _, ch := range tt.push {
			q.push(ch)
		}
		select {
		case <-q.ready():
		default:
			t.Fatalf("%s: queue not ready", tt.name)
		}
		if got := q.take(); !sameChanges(got, tt.want) {
			t.Errorf("%s: took %+v, want %+v", tt.name, got, tt.want)
		}
		if got := q.take(); len(got) != 0 {
			t.Errorf("%s: second take %+v", tt.name, got)
		}
	}
	for i := range maxQueuedChanges + 5 {
		q.push(addRow(string(rune('a' + i%26))))
	}
	got := q.take()
	if len(got) != 5 || !got[0].Reload {
		t.Errorf("past the bound: took %d changes, first %+v; want a reload and 4 changes", len(got), got[0])
	}
}
