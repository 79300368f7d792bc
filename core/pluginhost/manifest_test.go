package pluginhost

import (
	"context"
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/fengqiao/fengqiao/core/audit"
	"github.com/fengqiao/fengqiao/core/plugins"
	"github.com/fengqiao/fengqiao/core/store/storetest"
	pluginv1 "github.com/fengqiao/fengqiao/plugins/sdk/proto/fengqiao/plugin/v1"
)

// protoManifests are manifests as plugins serve them (texts always present, as the SDK sends
// them): every field set, and the least a manifest holds.
func protoManifests() map[string]*pluginv1.Manifest {
	t := func(zh, en string) *pluginv1.Text { return &pluginv1.Text{Zh: zh, En: en} }
	return map[string]*pluginv1.Manifest{
		"every field": {
			Name: "shanghai-brand", Version: "1.2.0-rc.1+b7", ProtocolVersion: 1,
			Description: t("上海调解品牌认证", "Shanghai mediation brand certification"),
			Regions:     []string{"31", "3701"},
			Hooks:       []*pluginv1.HookSpec{{Name: "case.intake"}, {Name: "case.close", TimeoutMs: 500, FailOpen: true}},
			Routes: []*pluginv1.RouteSpec{
				{Method: "GET", Path: "/applications", Summary: t("申请", "Applications"), TimeoutMs: 2000},
				{Method: "GET", Path: "/public/brands", Summary: t("", ""), Public: true},
			},
			Jobs:           []*pluginv1.JobSpec{{Name: "monthly-review", Schedule: "@monthly", Description: t("月度复核", "monthly review"), TimeoutMs: 60000}},
			Permissions:    []string{"cases.read", "stats.read"},
			SettingsSchema: []byte(`{"type":"object","properties":{"min_score":{"type":"integer","default":80}},"additionalProperties":false}`),
			Console:        []*pluginv1.ConsoleEntry{{Menu: t("品牌认证", "Brands"), Path: "/applications", Kind: "page", RoleHint: "district-admin"}},
			Events:         []string{"case.concluded", "case.closed"},
			Openapi:        []byte(`{"paths":{"/applications":{"get":{"operationId":"list"}}}}`),
		},
		"least": {Name: "tiny", Version: "0.1.0", ProtocolVersion: 1, Description: t("小", "tiny"), Regions: []string{"*"}},
	}
}

// TestManifestConversion: the platform's model holds everything a plugin's manifest says —
// protocol → model → protocol gives the manifest back, model → protocol → model the model.
func TestManifestConversion(t *testing.T) {
	if manifestFromProto(nil) != nil || manifestToProto(nil) != nil {
		t.Error("no manifest must stay no manifest")
	}
	for name, p := range protoManifests() {
		t.Run(name, func(t *testing.T) {
			m := manifestFromProto(p)
			if back := manifestToProto(m); !proto.Equal(back, p) {
				t.Errorf("protocol → model → protocol:\n got %v\nwant %v", back, p)
			}
			if again := manifestFromProto(manifestToProto(m)); !reflect.DeepEqual(again, m) {
				t.Errorf("model → protocol → model:\n got %+v\nwant %+v", again, m)
			}
		})
	}
}

// TestManifestStoredForm: the model's JSON is the catalog's stored form as it was written
// before the model existed (protojson with the protocol's field names): today's rows decode
// into the model, and what the model writes, the old reader (protojson) reads back.
func TestManifestStoredForm(t *testing.T) {
	for name, p := range protoManifests() {
		t.Run(name, func(t *testing.T) {
			old, err := protojson.MarshalOptions{UseProtoNames: true}.Marshal(p) // what InstallPlugin stored
			if err != nil {
				t.Fatal(err)
			}
			var m plugins.Manifest
			if err := json.Unmarshal(old, &m); err != nil {
				t.Fatal(err)
			}
			if want := manifestFromProto(p); !reflect.DeepEqual(&m, want) {
				t.Errorf("stored row read:\n got %+v\nwant %+v", m, *want)
			}
			written, err := json.Marshal(&m)
			if err != nil {
				t.Fatal(err)
			}
			var a, b any
			if err := json.Unmarshal(old, &a); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(written, &b); err != nil {
				t.Fatal(err)
			}
			// A text present but empty is {} for protojson and left out by the model: the
			// same manifest either way.
			if !reflect.DeepEqual(dropEmpty(a), b) {
				t.Errorf("stored form changed:\n got %s\nwant %s", written, old)
			}
			back := &pluginv1.Manifest{}
			if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(written, back); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(manifestFromProto(back), &m) {
				t.Errorf("the old reader reads %v from %s", back, written)
			}
		})
	}
}

// TestCatalogReadsTodaysRows: a catalog row written by the code before the host's own model
// (testdata/catalog-manifest-v1.json, protojson with the protocol's field names, as
// store.InstallPlugin wrote it) reads into the model unchanged, and a row the model writes
// is, as jsonb, the very same.
func TestCatalogReadsTodaysRows(t *testing.T) {
	golden, err := os.ReadFile("testdata/catalog-manifest-v1.json")
	if err != nil {
		t.Fatal(err)
	}
	p := protoManifests()["every field"]
	if old, _ := (protojson.MarshalOptions{UseProtoNames: true}).Marshal(p); !jsonEqual(t, old, golden) {
		t.Fatalf("the golden row is not what protojson writes for the fixture:\n%s", old)
	}
	st, owner := storetest.Open(t)
	ctx := audit.WithActor(context.Background(), audit.Actor{Subject: "system:test"})
	sum := strings.Repeat("a", 64)
	if _, err := storetest.OwnerQuery(ctx, owner, `INSERT INTO plugins (name, version, sha256, path, protocol_version, manifest, installed_by)
		VALUES ('shanghai-brand', '1.2.0-rc.1+b7', $1, '/p', 1, $2, 'system:old')`, sum, golden); err != nil {
		t.Fatal(err)
	}
	recs, err := st.Plugins(ctx)
	if err != nil || len(recs) != 1 {
		t.Fatalf("catalog: %v %v", recs, err)
	}
	want := manifestFromProto(p)
	if !reflect.DeepEqual(recs[0].Manifest, want) {
		t.Fatalf("today's row reads\n%+v\nwant\n%+v", recs[0].Manifest, want)
	}
	// Reinstalled through the model: the stored jsonb equals today's row but for the empty
	// summary protojson kept as {}.
	if _, err := st.InstallPlugin(ctx, plugins.Record{Name: "shanghai-brand", Version: "1.2.0-rc.1+b7", SHA256: sum, Path: "/p",
		ProtocolVersion: 1, Manifest: want, InstalledBy: "system:new"}); err != nil {
		t.Fatal(err)
	}
	if n := storetest.QueryInt(t, owner, `SELECT count(*) FROM plugins WHERE name = 'shanghai-brand'
		AND manifest = jsonb_set($1::jsonb, '{routes,1}', ($1::jsonb #> '{routes,1}') - 'summary')`, golden); n != 1 {
		t.Error("the model wrote a different stored form than today's code")
	}
	recs, err = st.Plugins(ctx)
	if err != nil || !reflect.DeepEqual(recs[0].Manifest, want) {
		t.Fatalf("reinstalled row reads %+v, %v", recs[0].Manifest, err)
	}
}

func jsonEqual(t *testing.T, x, y []byte) bool {
	t.Helper()
	var a, b any
	if err := json.Unmarshal(x, &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(y, &b); err != nil {
		t.Fatal(err)
	}
	return reflect.DeepEqual(a, b)
}

// dropEmpty removes the empty objects from a decoded JSON value.
func dropEmpty(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if o, ok := e.(map[string]any); ok && len(o) == 0 {
				delete(x, k)
				continue
			}
			x[k] = dropEmpty(e)
		}
	case []any:
		for i := range x {
			x[i] = dropEmpty(x[i])
		}
	}
	return v
}
