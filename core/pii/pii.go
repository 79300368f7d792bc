// Package pii owns the protection of parties' personal data: encryption at rest with rotating
// keys, blind indexes for exact lookup, masking, and validation of phone numbers and of identity
// documents by type (DocType: resident ID cards, the permits of Hong Kong, Macao and Taiwan
// residents, passports, foreign permanent resident ID cards).
//
// A party's ID number (身份证号), phone number and address are stored three ways:
//
//   - sealed with AES-256-GCM by a Keyring, the key id written beside the ciphertext so the
//     active key can rotate while older keys still decrypt;
//   - as a blind index (an Indexer's keyed HMAC of the normalized value), so a lookup by the
//     exact value is a plain SQL equality without the database ever seeing the value;
//   - nowhere in clear: responses show the masked form (MaskIDNumber, MaskPhone, MaskAddress,
//     MaskName) unless the caller is entitled to the clear value.
//
// The package holds no storage and no configuration: the config layer parses keys with
// ParseKeys, the store persists ciphertexts and indexes.
package pii

import (
	"errors"
	"strings"
	"unicode"

	"github.com/fengqiao/fengqiao/core/valid"
)

// Kind names a kind of personal data. It separates the blind-index domains and labels
// validation errors.
type Kind string

// Kinds of personal data.
const (
	KindIDNumber Kind = "id_number"
	KindPhone    Kind = "phone"
	KindAddress  Kind = "address"
)

// ErrInvalid is wrapped by every error of the validators.
var ErrInvalid = errors.New("个人信息格式无效 / invalid personal data")

// invalid says what is wrong with a value of some kind: a *valid.Error whose field is the kind,
// wrapping ErrInvalid. msg is bilingual (Chinese first) and never repeats the value, so it is
// safe to log.
func invalid(kind Kind, msg string) error { return valid.New(ErrInvalid, string(kind), msg) }

// halfWidth maps full-width ASCII variants (U+FF01–U+FF5E, as Chinese input methods type
// them: "１３８", "（０２１）", "＋８６") to ASCII and the ideographic space to a space.
func halfWidth(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return r >= 0xFF01 && r <= 0xFF5E || r == 0x3000 }) {
		return s
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			return r - 0xFEE0
		case r == 0x3000:
			return ' '
		}
		return r
	}, s)
}

// NormalizeAddress trims an address and collapses every run of white space (including the
// ideographic space) to one space; full-width digits and letters become ASCII.
func NormalizeAddress(s string) string {
	return strings.Join(strings.Fields(halfWidth(s)), " ")
}

// isDigits reports whether s is non-empty and all ASCII digits.
func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// removeSpace deletes all white space.
func removeSpace(s string) string {
	if !strings.ContainsFunc(s, unicode.IsSpace) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}
