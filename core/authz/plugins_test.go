package authz

import "testing"

func TestPluginGrants(t *testing.T) {
	g, err := NewPluginGrants()
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := g.Allowed("example", "310107", "cases.read"); ok {
		t.Fatal("an empty grant set allows")
	}
	if err := g.Replace([]PluginGrant{{"example", "310107", "cases.read"}, {"example", "310000", "cases.note"}, {"border", "310118", "cases.share"}}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, plugin, tenant, perm string
		want                       bool
	}{
		{"granted", "example", "310107", "cases.read", true},
		{"another permission", "example", "310107", "cases.share", false},
		{"another tenant", "example", "310118", "cases.read", false},
		{"the governing ancestor's grant", "example", "310000", "cases.note", true},
		{"another plugin's grant", "example", "310118", "cases.share", false},
		{"the other plugin", "border", "310118", "cases.share", true},
		{"unknown plugin", "nosuch", "310107", "cases.read", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := g.Allowed(c.plugin, c.tenant, c.perm)
			if err != nil || got != c.want {
				t.Errorf("Allowed = %v, %v; want %v", got, err, c.want)
			}
		})
	}
	if err := g.Replace(nil); err != nil {
		t.Fatal(err)
	}
	if ok, _ := g.Allowed("example", "310107", "cases.read"); ok {
		t.Error("a replaced grant still allows")
	}
}
