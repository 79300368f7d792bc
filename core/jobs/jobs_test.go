package jobs_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/fengqiao/fengqiao/core/jobs"
	"github.com/fengqiao/fengqiao/core/store"
	"github.com/fengqiao/fengqiao/core/store/storetest"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// runtime records the plugin events handed to it.
type runtime struct {
	mu     sync.Mutex
	events []store.PluginEvent
}

func (r *runtime) DeliverEvent(_ context.Context, ev store.PluginEvent) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, ev)
	return nil
}

func (r *runtime) RunJob(context.Context, store.PluginJobRun) (string, error) { return "", nil }

// The plugin runtime is the runner's constructor argument: without one, a plugin event waits
// (retried later, by a server with plugins); with one, it is delivered with its attempt.
func TestPluginEventsGoToTheRuntime(t *testing.T) {
	st, _ := storetest.Open(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ins, err := river.NewClient(st.QueueDriver(), &river.Config{})
	if err != nil {
		t.Fatal(err)
	}
	ev := store.PluginEvent{Plugin: "probe", Tenant: "310107", EventID: "e1", Kind: "case.received", CaseID: "c1",
		OccurredAt: time.Now().UTC(), Payload: json.RawMessage(`{}`)}
	res, err := ins.Insert(ctx, store.PluginEventArgs{PluginEvent: ev}, nil)
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name    string
		runtime *runtime // nil: a process without plugins
		until   time.Time
		want    int // events delivered
		after   int // attempts before the delivery (those without a runtime)
	}{
		{"without a runtime the event waits", nil, time.Now(), 0, 0},
		{"a runtime receives it on a retry", &runtime{}, time.Now().Add(time.Hour), 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rt jobs.PluginRuntime
			if tt.runtime != nil {
				rt = tt.runtime
			}
			if _, err := jobs.New(st, rt, nil).WorkQueue(ctx, tt.until); err != nil {
				t.Fatal(err)
			}
			if tt.runtime == nil {
				j, err := ins.JobGet(ctx, res.Job.ID)
				if err != nil || j.State != rivertype.JobStateRetryable {
					t.Fatalf("job %+v (%v), want retryable", j, err)
				}
				return
			}
			if len(tt.runtime.events) != tt.want || tt.runtime.events[0].EventID != ev.EventID || tt.runtime.events[0].Attempt <= tt.after {
				t.Fatalf("delivered %+v, want %d event %s after %d attempts", tt.runtime.events, tt.want, ev.EventID, tt.after)
			}
		})
	}
}
