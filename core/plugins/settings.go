package plugins

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// Settings is a compiled settings schema: it validates a tenant's settings of a plugin and
// fills in the schema's defaults.
type Settings struct {
	schema   *jsonschema.Schema
	defaults map[string]any // top-level property defaults
}

// CompileSettings compiles a manifest's settings schema (JSON Schema 2020-12). No schema means
// no settings: only {} is accepted.
func CompileSettings(raw []byte) (*Settings, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		raw = []byte(`{"type":"object","additionalProperties":false}`)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, invalid("settings_schema", "设置模式不是合法 JSON：%v / the settings schema is not JSON: %v", err, err)
	}
	obj, ok := doc.(map[string]any)
	if !ok || obj["type"] != "object" {
		return nil, invalid("settings_schema", `设置模式须为 "type": "object" / the settings schema must be of "type": "object"`)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	// No schema may reach out of the process: only the document itself is loadable.
	c.UseLoader(noLoader{})
	if err := c.AddResource("settings.json", doc); err != nil {
		return nil, invalid("settings_schema", "设置模式无效：%v / invalid settings schema: %v", err, err)
	}
	sch, err := c.Compile("settings.json")
	if err != nil {
		return nil, invalid("settings_schema", "设置模式无效：%v / invalid settings schema: %v", err, err)
	}
	s := &Settings{schema: sch, defaults: map[string]any{}}
	if props, ok := obj["properties"].(map[string]any); ok {
		for name, p := range props {
			if pm, ok := p.(map[string]any); ok {
				if d, ok := pm["default"]; ok {
					s.defaults[name] = d
				}
			}
		}
	}
	if _, err := s.Apply(nil); err != nil {
		return nil, invalid("settings_schema", "默认设置不符合模式本身：%v / the schema's defaults do not satisfy it: %v", err, err)
	}
	return s, nil
}

type noLoader struct{}

func (noLoader) Load(url string) (any, error) {
	return nil, fmt.Errorf("references outside the schema are not allowed: %s", url)
}

// Apply validates settings (a JSON object; empty means {}) and returns them with the defaults
// of absent top-level properties filled in. The error is a *valid.Error naming the setting.
func (s *Settings) Apply(raw json.RawMessage) (json.RawMessage, error) {
	if len(bytes.TrimSpace(raw)) == 0 || string(bytes.TrimSpace(raw)) == "null" {
		raw = []byte("{}")
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, invalid("settings", "设置须为 JSON 对象 / settings must be a JSON object")
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, invalid("settings", "设置须为 JSON 对象 / settings must be a JSON object")
	}
	for k, d := range s.defaults {
		if _, ok := obj[k]; !ok {
			obj[k] = d
		}
	}
	if err := s.schema.Validate(obj); err != nil {
		var ve *jsonschema.ValidationError
		if errors.As(err, &ve) {
			field, msg := firstCause(ve)
			return nil, InvalidField(field, fmt.Sprintf("设置不符合插件的设置模式：%s / the settings do not satisfy the plugin's schema: %s", msg, msg))
		}
		return nil, invalid("settings", "%v", err)
	}
	out, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// firstCause finds the deepest first cause of a validation error: the setting it is about
// ("settings.greeting") and the message.
func firstCause(ve *jsonschema.ValidationError) (string, string) {
	for len(ve.Causes) > 0 {
		ve = ve.Causes[0]
	}
	field := "settings"
	for _, p := range ve.InstanceLocation {
		field += "." + p
	}
	msg := ve.ErrorKind.LocalizedString(message.NewPrinter(language.English))
	return field, strings.TrimSpace(msg)
}

// Schedule is when a job runs: every Every, aligned on Asia/Shanghai midnight for days, or
// monthly on the first day of the month.
type Schedule struct {
	Every   time.Duration
	Monthly bool
}

// China is the time zone schedules are aligned in.
var China = time.FixedZone("CST", 8*3600)

// ParseSchedule reads "@every 1h", "@hourly", "@daily", "@weekly" or "@monthly".
func ParseSchedule(s string) (Schedule, error) {
	switch s {
	case "@hourly":
		return Schedule{Every: time.Hour}, nil
	case "@daily":
		return Schedule{Every: 24 * time.Hour}, nil
	case "@weekly":
		return Schedule{Every: 7 * 24 * time.Hour}, nil
	case "@monthly":
		return Schedule{Monthly: true}, nil
	}
	if rest, ok := strings.CutPrefix(s, "@every "); ok {
		d, err := time.ParseDuration(rest)
		if err == nil && d >= time.Minute && d <= 31*24*time.Hour {
			return Schedule{Every: d}, nil
		}
	}
	return Schedule{}, fmt.Errorf("日程须为 @hourly、@daily、@weekly、@monthly 或 @every <时长，1m 至 744h>，实际为 %q / a schedule is @hourly, @daily, @weekly, @monthly or @every <duration from 1m to 744h>, got %q", s, s)
}

// Latest is the latest scheduled time at or before now.
func (s Schedule) Latest(now time.Time) time.Time {
	t := now.In(China)
	if s.Monthly {
		return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, China)
	}
	// Align on the epoch in China time, so @daily is midnight in China.
	_, off := t.Zone()
	shifted := t.Unix() + int64(off)
	step := int64(s.Every / time.Second)
	return time.Unix(shifted-shifted%step-int64(off), 0).In(China)
}
