// Package codes owns the shape of a catalogue of coded values: each code integrators send with
// its Chinese and English names, as the domain packages list them for the OpenAPI document,
// exports and user-facing sentences.
package codes

import "strings"

// Name is one coded value with its names.
type Name struct {
	Code string
	ZH   string
	EN   string
	// Aliases are other words people write for the code (legacy systems' "上门" for a walk-in),
	// accepted where values are read from files, never shown.
	Aliases []string
}

// Set is a catalogue, in the order it is shown.
type Set []Name

// Codes lists the set's codes.
func (s Set) Codes() []string {
	out := make([]string, len(s))
	for i, n := range s {
		out[i] = n.Code
	}
	return out
}

// Lookup finds a code.
func (s Set) Lookup(code string) (Name, bool) {
	for _, n := range s {
		if n.Code == code {
			return n, true
		}
	}
	return Name{}, false
}

// ZH names a code in Chinese, for sentences; an unknown code is returned as is.
func (s Set) ZH(code string) string {
	if n, ok := s.Lookup(code); ok {
		return n.ZH
	}
	return code
}

// Of builds a set from a catalogue's codes and a table of names keyed by code: the codes
// decide what is listed, so a code without names shows itself (and the catalogue tests, which
// require both names of every code, fail).
func Of[T ~string](list []T, names map[T][2]string) Set {
	out := make(Set, len(list))
	for i, c := range list {
		n, ok := names[c]
		if !ok {
			n = [2]string{string(c), string(c)}
		}
		out[i] = Name{Code: string(c), ZH: n[0], EN: n[1]}
	}
	return out
}

// WithAliases returns a copy of the set with the aliases of each code added.
func (s Set) WithAliases(aliases map[string][]string) Set {
	out := make(Set, len(s))
	for i, n := range s {
		n.Aliases = append(append([]string(nil), n.Aliases...), aliases[n.Code]...)
		out[i] = n
	}
	return out
}

// ZHList lists the set's Chinese names, each with its code quoted, for a message's Chinese half:
// “已受理”（"received"）、….
func (s Set) ZHList() string {
	parts := make([]string, len(s))
	for i, n := range s {
		parts[i] = "“" + n.ZH + "”（\"" + n.Code + "\"）"
	}
	return strings.Join(parts, "、")
}
