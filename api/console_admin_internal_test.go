package api

import (
	"encoding/json"
	"net/url"
	"testing"
)

// The settings form reads the schema subset in the properties' order, fills the current
// settings in, and builds the settings back from the form.
func TestSettingFields(t *testing.T) {
	schema := json.RawMessage(`{"type":"object","required":["level"],"properties":{
		"level":{"type":"string","enum":["low","high"],"title":"级别"},
		"days":{"type":"integer","minimum":1,"maximum":30,"description":"天数"},
		"ratio":{"type":"number"},
		"notify":{"type":"boolean"},
		"words":{"type":"array","items":{"type":"string"}},
		"nested":{"type":"object"}}}`)
	fields, err := settingFields(schema, json.RawMessage(`{"level":"high","days":7,"notify":true,"words":["甲","乙"],"nested":{"a":1}}`))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range fields {
		names = append(names, f.Name)
	}
	if got := names; len(got) != 6 || got[0] != "level" || got[1] != "days" || got[5] != "nested" {
		t.Fatalf("order %v", got)
	}
	lv, days, notify, words, nested := fields[0], fields[1], fields[3], fields[4], fields[5]
	if !lv.Required || len(lv.Enum) != 2 || lv.Value != "high" || lv.Title != "级别" {
		t.Errorf("level %+v", lv)
	}
	if days.InputType() != "number" || days.Step() != "1" || days.MinText() != "1" || days.MaxText() != "30" || days.Value != "7" || days.Description != "天数" {
		t.Errorf("days %+v", days)
	}
	if !notify.Checked || words.Value != "甲\n乙" || !nested.Unsupported || nested.Value != `{"a":1}` {
		t.Errorf("notify %+v words %+v nested %+v", notify, words, nested)
	}
	raw, _ := settingsFromForm(fields, url.Values{"s.level": {"low"}, "s.days": {"x"}, "s.ratio": {""}, "s.words": {" 丙 \n\n丁"}})
	var got map[string]any
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	if got["level"] != "low" || got["days"] != "x" || got["notify"] != false || len(got["words"].([]any)) != 2 || got["nested"] == nil {
		t.Errorf("settings %s", raw)
	}
	if _, ok := got["ratio"]; ok {
		t.Errorf("an empty number is sent: %s", raw)
	}
}
