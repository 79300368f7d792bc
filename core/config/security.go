package config

import (
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// piiKeySize is the size in bytes of every PII key (AES-256) and of the
// blind-index HMAC key.
const piiKeySize = 32

// maxPIIKeyID is the maximum length of a key id in security.pii_keys.
const maxPIIKeyID = 16

var piiKeyIDRE = regexp.MustCompile(`^[a-z0-9-]{1,16}$`)

// keyEncodings are the base64 variants accepted for keys: standard or URL
// alphabet, with or without padding.
var keyEncodings = []*base64.Encoding{
	base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding,
}

// Keys returns the decoded PII keys by id, or a nil map when PIIKeys is
// empty. Each call returns a new map. When PIIKeys is invalid it returns the
// same *FieldError values as Validate (joined); callers use it after Validate
// passed. The active key is PIIActiveKey (Load sets it when there is exactly
// one key).
func (s Security) Keys() (map[string][]byte, error) {
	p := parsePIIKeys(s.PIIKeys)
	if len(p.errs) > 0 {
		return nil, joinFieldErrors(p.errs)
	}
	return p.keys, nil
}

// IndexKey returns the decoded blind-index HMAC key, or nil when PIIIndexKey
// is empty. When PIIIndexKey is invalid it returns the same *FieldError as
// Validate; callers use it after Validate passed.
func (s Security) IndexKey() ([]byte, error) {
	if strings.TrimSpace(s.PIIIndexKey) == "" {
		return nil, nil
	}
	key, problem, ok := decodeKey(s.PIIIndexKey)
	if !ok {
		return nil, indexKeyError(problem)
	}
	return key, nil
}

// normalized returns s with PIIActiveKey set to the only id of PIIKeys when
// PIIActiveKey is empty and PIIKeys holds exactly one entry with a
// well-formed id.
func (s Security) normalized() Security {
	if s.PIIActiveKey != "" {
		return s
	}
	if p := parsePIIKeys(s.PIIKeys); p.entries == 1 && len(p.ids) == 1 {
		s.PIIActiveKey = p.ids[0]
	}
	return s
}

// fieldErrors checks the security section. Key material is never part of a
// FieldError: pii_keys and pii_index_key are reported as "(hidden)", and an
// entry of pii_keys is named by its id (when well-formed) or its position.
func (s Security) fieldErrors() []*FieldError {
	p := parsePIIKeys(s.PIIKeys)
	errs := p.errs

	active := s.PIIActiveKey
	activeErr := func(en, zh string) {
		fe := newFieldError(keySecurityPIIActive, active)
		fe.Allowed, fe.allowedZH = en, zh
		errs = append(errs, fe)
	}
	ids := strings.Join(p.ids, ", ")
	idsZH := strings.Join(p.ids, "、")
	if ids == "" {
		ids, idsZH = "none is valid", "无有效 id"
	}
	switch {
	case p.entries == 0:
		if active != "" {
			activeErr("empty, because security.pii_keys is empty",
				"留空，因为 security.pii_keys 为空")
		}
	case active == "":
		if p.entries > 1 {
			activeErr(fmt.Sprintf("one of the ids in security.pii_keys (%s); required because it holds more than one key", ids),
				fmt.Sprintf("security.pii_keys 中的某个 id（%s）；其中有多个密钥时必填", idsZH))
		}
	case !slices.Contains(p.ids, active) && !p.badID:
		// With a malformed id in pii_keys, that entry is already reported
		// and may be the one meant here.
		activeErr(fmt.Sprintf("one of the ids in security.pii_keys (%s)", ids),
			fmt.Sprintf("security.pii_keys 中的某个 id（%s）", idsZH))
	}

	if strings.TrimSpace(s.PIIIndexKey) != "" {
		if _, problem, ok := decodeKey(s.PIIIndexKey); !ok {
			errs = append(errs, indexKeyError(problem))
		}
	}
	return errs
}

// piiKeySet is the parsed form of Security.PIIKeys.
type piiKeySet struct {
	keys    map[string][]byte // valid entries by id; nil when there are none
	ids     []string          // every well-formed, unique id in order, including those whose key is invalid
	entries int               // number of entries, empty ones included; 0 when PIIKeys is blank
	badID   bool              // some entry has a missing or malformed id
	errs    []*FieldError     // one per faulty entry
}

// parsePIIKeys parses "id1:base64key1,id2:base64key2". Space around entries,
// ids and keys is ignored; a blank string means no keys.
func parsePIIKeys(s string) piiKeySet {
	var p piiKeySet
	if strings.TrimSpace(s) == "" {
		return p
	}
	fail := func(en, zh string) {
		fe := newFieldError(keySecurityPIIKeys, hiddenValue)
		fe.Allowed += "; " + en
		fe.allowedZH += "；" + zh
		p.errs = append(p.errs, fe)
	}
	for i, entry := range strings.Split(s, ",") {
		n := i + 1
		p.entries++
		entry = strings.TrimSpace(entry)
		if entry == "" {
			fail(fmt.Sprintf("entry %d is empty", n), fmt.Sprintf("第 %d 项为空", n))
			continue
		}
		id, enc, ok := strings.Cut(entry, ":")
		if !ok {
			p.badID = true
			fail(fmt.Sprintf("entry %d is not of the form id:key", n), fmt.Sprintf("第 %d 项不是 id:密钥 的形式", n))
			continue
		}
		id = strings.TrimSpace(id)
		switch {
		case id == "":
			p.badID = true
			fail(fmt.Sprintf("entry %d has an empty id", n), fmt.Sprintf("第 %d 项的 id 为空", n))
			continue
		case len(id) > maxPIIKeyID:
			// Perhaps key material in the wrong place: do not show it.
			p.badID = true
			fail(fmt.Sprintf("the id of entry %d is longer than %d characters", n, maxPIIKeyID),
				fmt.Sprintf("第 %d 项的 id 超过 %d 个字符", n, maxPIIKeyID))
			continue
		case !piiKeyIDRE.MatchString(id):
			p.badID = true
			fail(fmt.Sprintf("id %q (entry %d) may contain only a-z, 0-9 and -", id, n),
				fmt.Sprintf("第 %d 项的 id %q 只能包含 a-z、0-9 和 -", n, id))
			continue
		case slices.Contains(p.ids, id):
			fail(fmt.Sprintf("id %q is listed more than once", id), fmt.Sprintf("id %q 重复出现", id))
			continue
		}
		p.ids = append(p.ids, id)
		key, problem, ok := decodeKey(enc)
		if !ok {
			fail(fmt.Sprintf("the key of id %q %s", id, problem.en), fmt.Sprintf("id %q 的密钥%s", id, problem.zh))
			continue
		}
		if p.keys == nil {
			p.keys = make(map[string][]byte)
		}
		p.keys[id] = key
	}
	return p
}

// decodeKey decodes the standard or URL base64 (padding optional) of a
// 32-byte key. When it fails, problem says why without showing the value.
func decodeKey(s string) (key []byte, problem allowed, ok bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, allowed{"is empty", "为空"}, false
	}
	for _, enc := range keyEncodings {
		b, err := enc.DecodeString(s)
		if err != nil {
			continue
		}
		if len(b) != piiKeySize {
			return nil, allowed{
				fmt.Sprintf("decodes to %d bytes, want exactly %d", len(b), piiKeySize),
				fmt.Sprintf("解码后为 %d 字节，应恰好为 %d 字节", len(b), piiKeySize),
			}, false
		}
		return b, allowed{}, true
	}
	return nil, allowed{
		"is not valid base64 (standard or URL alphabet, padding optional)",
		"不是有效的 base64（标准或 URL 字母表，可省略填充）",
	}, false
}

func indexKeyError(problem allowed) *FieldError {
	fe := newFieldError(keySecurityPIIIndexKey, hiddenValue)
	fe.Allowed += "; the value " + problem.en
	fe.allowedZH += "；当前值" + problem.zh
	return fe
}

func joinFieldErrors(fes []*FieldError) error {
	errs := make([]error, len(fes))
	for i, fe := range fes {
		errs[i] = fe
	}
	return errors.Join(errs...)
}
