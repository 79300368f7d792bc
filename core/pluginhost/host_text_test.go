package pluginhost

import (
	"reflect"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	"github.com/fengqiao/fengqiao/core/cases"
	"github.com/fengqiao/fengqiao/core/plugins"
	pluginv1 "github.com/fengqiao/fengqiao/plugins/sdk/proto/fengqiao/plugin/v1"
)

// TestHostAPIRefusesBadText: every text field of every host request — strings, the JSON of
// notes, fields and documents, nested documents, lists — is held to the public API's rules for
// text: a NUL, invalid UTF-8 or an oversized value is InvalidArgument naming the field (which a
// route turns into a 4xx problem), never a driver error (Internal, a 502 at the edge), and
// changes nothing. The requests are generated from the service's descriptor, so that a field
// added later is covered too.
func TestHostAPIRefusesBadText(t *testing.T) {
	w := newHostWorld(t)
	ctx, st, caseSvc := w.ctx, w.st, w.cases
	c, _, err := caseSvc.Create(ctx, "310107", cases.NewCase{Title: "邻里纠纷", DisputeType: "neighbour", Source: "walk_in",
		Parties: []cases.NewParty{{Role: "applicant", Name: "张三"}, {Role: "respondent", Name: "李四"}}, CreatedBy: "test"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	all := make([]string, 0, len(plugins.Permissions))
	for p := range plugins.Permissions {
		all = append(all, p)
	}
	cat := &memCatalog{
		recs: []plugins.Record{{Name: "texts", Manifest: manifest("texts", all...)}},
		ens:  []plugins.Enablement{{Plugin: "texts", TenantCode: "310107", Enabled: true}},
	}
	m := New(cat, w.deps, Options{})
	if err := m.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	rec, _ := m.Record("texts")
	tok := m.host.begin(rec, "310107", "req-text", false, nil)
	call := &pluginv1.HostCall{CallToken: tok, Tenant: "310107"}
	history := func() int {
		h, err := caseSvc.History(ctx, "310107", c.ID)
		if err != nil {
			t.Fatal(err)
		}
		return len(h)
	}
	before := history()

	huge := strings.Repeat("字", 100_000) // 300 KB
	bad := []struct {
		name string
		str  string // for a string field
		json []byte // for a JSON (bytes) field
	}{
		{"NUL", "a\x00b", []byte(`{"note":"a\u0000b"}`)},
		{"invalid UTF-8", "a\xffb", []byte("{\"note\":\"a\xffb\"}")},
		{"oversized", huge, []byte(`{"note":"` + strings.Repeat("x", 2<<20) + `"}`)},
	}
	svc := pluginv1.File_fengqiao_plugin_v1_plugin_proto.Services().ByName("HostService")
	methods := svc.Methods()
	var fields int
	for i := range methods.Len() {
		md := methods.Get(i)
		mt, err := protoregistry.GlobalTypes.FindMessageByName(md.Input().FullName())
		if err != nil {
			t.Fatal(err)
		}
		// Every text field of the request, nested messages' included: its path and how to set it.
		type target struct {
			path string
			set  func(root protoreflect.Message, s string, j []byte)
			json bool
		}
		var targets []target
		var walk func(prefix string, md protoreflect.MessageDescriptor, get func(protoreflect.Message) protoreflect.Message)
		walk = func(prefix string, msg protoreflect.MessageDescriptor, get func(protoreflect.Message) protoreflect.Message) {
			for j := range msg.Fields().Len() {
				fd := msg.Fields().Get(j)
				path := prefix + string(fd.Name())
				switch {
				case fd.Name() == "call":
				case fd.IsList() && fd.Kind() == protoreflect.StringKind:
					targets = append(targets, target{path: path + "[1]", set: func(root protoreflect.Message, s string, _ []byte) {
						l := get(root).Mutable(fd).List()
						l.Append(protoreflect.ValueOfString("310107"))
						l.Append(protoreflect.ValueOfString(s))
					}})
				case fd.Kind() == protoreflect.StringKind:
					targets = append(targets, target{path: path, set: func(root protoreflect.Message, s string, _ []byte) {
						get(root).Set(fd, protoreflect.ValueOfString(s))
					}})
				case fd.Kind() == protoreflect.BytesKind:
					targets = append(targets, target{path: path, json: true, set: func(root protoreflect.Message, _ string, j []byte) {
						get(root).Set(fd, protoreflect.ValueOfBytes(j))
					}})
				case fd.Kind() == protoreflect.MessageKind && !fd.IsList() && !fd.IsMap():
					walk(path+".", fd.Message(), func(root protoreflect.Message) protoreflect.Message { return get(root).Mutable(fd).Message() })
				}
			}
		}
		walk("", md.Input(), func(root protoreflect.Message) protoreflect.Message { return root })
		method := reflect.ValueOf(m.host).MethodByName(string(md.Name()))
		if !method.IsValid() {
			t.Fatalf("the host server has no method %s", md.Name())
		}
		for _, tg := range targets {
			fields++
			for _, b := range bad {
				t.Run(string(md.Name())+"/"+tg.path+"/"+b.name, func(t *testing.T) {
					req := mt.New()
					req.Set(md.Input().Fields().ByName("call"), protoreflect.ValueOfMessage(proto.Clone(call).ProtoReflect()))
					if fd := md.Input().Fields().ByName("case_id"); fd != nil && tg.path != "case_id" {
						req.Set(fd, protoreflect.ValueOfString(c.ID)) // a real case: only the bad field is wrong
					}
					tg.set(req, b.str, b.json)
					out := method.Call([]reflect.Value{reflect.ValueOf(ctx), reflect.ValueOf(req.Interface())})
					err, _ := out[1].Interface().(error)
					st, _ := status.FromError(err)
					if st.Code() != codes.InvalidArgument {
						t.Fatalf("%v, want InvalidArgument naming %s", err, tg.path)
					}
					var named string
					for _, d := range st.Details() {
						if p, ok := d.(*pluginv1.Problem); ok && len(p.GetFields()) > 0 {
							named = p.GetFields()[0].GetField()
						}
					}
					if named != tg.path {
						t.Errorf("the problem names %q, want %q: %v", named, tg.path, err)
					}
					if msg := st.Message(); !strings.Contains(msg, " / ") {
						t.Errorf("message %q: want Chinese / English", msg)
					}
				})
			}
		}
	}
	if fields < 30 {
		t.Fatalf("only %d text fields found in the host requests", fields)
	}
	if n := history(); n != before {
		t.Errorf("the case's history grew from %d to %d events", before, n)
	}
	if docs, err := st.PluginDocuments(ctx, "310107", "texts", "", "", 10); err != nil || len(docs) != 0 {
		t.Errorf("documents written: %v %v", docs, err)
	}
	t.Logf("%d text fields × %d kinds of bad text", fields, len(bad))
}
