package sdktest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/fengqiao/fengqiao/plugins/sdk"
)

// The platform's rules of host calls, re-stated here because the SDK must not import the host:
// the contract suite (HostContract, run against this fake and against core/pluginhost) is what
// keeps them equal to the originals, named beside each.
const (
	maxHostString   = 16 << 10 // any string of a host request (core/pluginhost checkText)
	maxHostJSON     = 1 << 20  // any JSON of a host request (core/pluginhost checkText)
	maxNote         = 2000     // characters of a case note (host API AddCaseNote)
	maxNoteData     = 64 << 10 // bytes of a note's data (host API AddCaseNote)
	maxFields       = 100      // fields of one UpdateCaseFields (host API)
	maxFieldsJSON   = 64 << 10 // bytes of one UpdateCaseFields (host API)
	maxTitle        = 200      // characters of a notification's title (host API Notify)
	maxDocument     = 1 << 20  // bytes of a plugin's document (host API PutDocument)
	maxDocID        = 200      // characters of a document's id (table plugin_documents)
	maxShareDays    = 366      // core/access.MaxShareDays
	maxJointID      = 100      // core/cases.MaxJointID
	minJointTenants = 2        // core/cases.MinJointTenants
	maxJointTenants = 20       // core/cases.MaxJointTenants
)

// docKind is a document kind's pattern (table plugin_documents).
var docKind = regexp.MustCompile(`^[a-z][a-z0-9_.-]{0,63}$`)

// checkTexts holds string fields, given as name, value pairs, to the platform's text rule
// (core/valid.Text: UTF-8 without NUL) and bound.
func checkTexts(pairs ...string) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		field, s := pairs[i], pairs[i+1]
		switch {
		case !utf8.ValidString(s) || strings.ContainsRune(s, 0):
			return invalid(field, "须为不含空字符的 UTF-8 文本 / must be UTF-8 text without NUL characters")
		case len(s) > maxHostString:
			return invalid(field, fmt.Sprintf("过长：至多 %d 字节 / too long: at most %d bytes", maxHostString, maxHostString))
		}
	}
	return nil
}

// checkJSONText holds a JSON field to the platform's rules for JSON text: bounded, UTF-8, no
// NUL in any string (PostgreSQL's jsonb cannot hold one).
func checkJSONText(field string, b []byte) error {
	switch {
	case len(b) > maxHostJSON:
		return invalid(field, fmt.Sprintf("过长：至多 %d 字节 / too long: at most %d bytes", maxHostJSON, maxHostJSON))
	case !utf8.Valid(b):
		return invalid(field, "须为 UTF-8 编码的 JSON / must be JSON in UTF-8")
	}
	if bytes.Contains(b, []byte(`\u0000`)) {
		var v any
		if json.Unmarshal(b, &v) == nil {
			if at, ok := nulAt("", v); ok {
				return invalid(field, "含有空字符（\\u0000）："+at+" / holds a NUL character (\\u0000): "+at)
			}
		}
	}
	return nil
}

// nulAt finds a string (key or value) holding U+0000 in a decoded JSON value.
func nulAt(path string, v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return path, strings.ContainsRune(x, 0)
	case map[string]any:
		for k, e := range x {
			p := k
			if path != "" {
				p = path + "." + k
			}
			if strings.ContainsRune(k, 0) {
				return p, true
			}
			if at, ok := nulAt(p, e); ok {
				return at, true
			}
		}
	case []any:
		for i, e := range x {
			if at, ok := nulAt(fmt.Sprintf("%s[%d]", path, i), e); ok {
				return at, true
			}
		}
	}
	return "", false
}

// checkJoint is core/cases.CheckJoint, re-stated: whether the participants are active
// tenants the fake cannot know, and does not ask.
func checkJoint(tenant string, j sdk.Joint) error {
	ts := j.Tenants
	switch {
	case len(j.ID) > maxJointID:
		return invalid("joint_id", "联合调解编号至多 100 字符 / joint_id is at most 100 characters")
	case len(ts) < minJointTenants || len(ts) > maxJointTenants:
		return invalid("tenants", "联合调解须有 2–20 个参与方 / a joint mediation has 2–20 participants")
	case !slices.Contains(ts, tenant):
		return invalid("tenants", "参与方须包括本辖区 / the participants must include this tenant")
	case !slices.Contains(ts, j.Lead):
		return invalid("lead", "牵头方须是参与方 / the lead must be a participant")
	}
	seen := map[string]bool{}
	for _, t := range ts {
		if seen[t] {
			return invalid("tenants", "参与方重复："+t+" / a participant is listed twice: "+t)
		}
		seen[t] = true
	}
	return nil
}
