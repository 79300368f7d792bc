package pii

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/fengqiao/fengqiao/core/valid"
)

// refCheckChar is an implementation of ISO 7064 MOD 11-2 independent of the package's weight
// table: the recursive form P = ((P + d) × 2) mod 11, then the check value C with
// (P + C) mod 11 = 1, 10 written X.
func refCheckChar(first17 string) byte {
	p := 0
	for _, c := range first17 {
		p = (p + int(c-'0')) * 2 % 11
	}
	c := (12 - p) % 11
	if c == 10 {
		return 'X'
	}
	return byte('0' + c)
}

// withCheck completes 17 digits with their correct check character.
func withCheck(first17 string) string { return first17 + string(refCheckChar(first17)) }

// wrongCheck completes 17 digits with a wrong check character.
func wrongCheck(first17 string) string {
	good := refCheckChar(first17)
	for _, c := range []byte("0123456789X") {
		if c != good {
			return first17 + string(c)
		}
	}
	panic("unreachable")
}

// testNow is 15 June 2026, noon in Beijing.
var testNow = time.Date(2026, 6, 15, 12, 0, 0, 0, chinaTime)

func TestCheckDigitAgreesWithReference(t *testing.T) {
	if got := refCheckChar("11010519491231002"); got != 'X' {
		t.Fatalf("reference check of the public example 11010519491231002X = %c, want X", got)
	}
	// Every residue class: vary the last digit and the first, compare both implementations.
	for a := '0'; a <= '9'; a++ {
		for b := '0'; b <= '9'; b++ {
			first17 := string(a) + "10105194912310" + string(b) + "1"
			got, ok := IDCheckDigit(first17)
			if !ok || got != refCheckChar(first17) {
				t.Errorf("IDCheckDigit(%s) = %c, %v; reference %c", first17, got, ok, refCheckChar(first17))
			}
		}
	}
	for _, bad := range []string{"", "1101051949123100", "110105194912310021", "1101051949123100X"} {
		if _, ok := IDCheckDigit(bad); ok {
			t.Errorf("IDCheckDigit(%q) accepted", bad)
		}
	}
}

func TestNormalizeIDNumber(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"already normal", "11010519491231002X", "11010519491231002X"},
		{"lower-case x", "11010519491231002x", "11010519491231002X"},
		{"surrounding spaces", "  11010519491231002X\n", "11010519491231002X"},
		{"inner spaces", "110105 19491231 002x", "11010519491231002X"},
		{"full-width", "１１０１０５１９４９１２３１００２ｘ", "11010519491231002X"},
		{"x not at the end is left alone", "x1010519491231002", "x1010519491231002"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := NormalizeIDNumber(tt.in); got != tt.want {
				t.Errorf("NormalizeIDNumber(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if got := NormalizeIDNumber(NormalizeIDNumber(tt.in)); got != NormalizeIDNumber(tt.in) {
				t.Errorf("not idempotent: %q", got)
			}
		})
	}
}

func TestValidateIDNumber(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		now   time.Time
		want  string // "" valid; otherwise a word the English half of the message contains
		valid bool
	}{
		{name: "public example", in: "11010519491231002X", valid: true},
		{name: "public example lower-case x", in: "11010519491231002x", valid: true},
		{name: "public example with spaces", in: " 110105 19491231 002X ", valid: true},
		{name: "public example full-width", in: "１１０１０５１９４９１２３１００２Ｘ", valid: true},
		{name: "Shanghai Putuo 1980", in: withCheck("31010719800101123"), valid: true},
		{name: "leap day 2000", in: withCheck("31010720000229123"), valid: true},
		{name: "leap day 2024", in: withCheck("44030820240229567"), valid: true},
		{name: "first day of 1900", in: withCheck("37010219000101000"), valid: true},
		{name: "born today", in: withCheck("31010720260615001"), valid: true},
		{name: "born today, now given in UTC the day before", in: withCheck("31010720260615001"), now: time.Date(2026, 6, 14, 16, 30, 0, 0, time.UTC), valid: true},
		{name: "permanent residence of a foreigner (9…)", in: withCheck("93310719850505002"), valid: true},
		{name: "legacy 15-digit", in: "310107800101123", valid: true},
		{name: "legacy 15-digit leap day 1996", in: "310107960229123", valid: true},

		{name: "empty", in: "", want: "empty"},
		{name: "only spaces", in: "   ", want: "empty"},
		{name: "wrong checksum", in: wrongCheck("31010719800101123"), want: "check digit"},
		{name: "public example wrong check", in: "110105194912310021", want: "check digit"},
		{name: "public example digits swapped", in: "11010519491231020X", want: "check digit"},
		{name: "17 characters", in: "11010519491231002", want: "18 characters"},
		{name: "19 characters", in: "11010519491231002X1", want: "18 characters"},
		{name: "16 characters", in: "1101051949123100", want: "18 characters"},
		{name: "letters inside", in: "1101051949123100AX", want: "17 digits"},
		{name: "X inside", in: "110105194912310X21", want: "17 digits"},
		{name: "other check letter", in: "11010519491231002Y", want: "17 digits"},
		{name: "Chinese characters", in: "一一〇一〇五一九四九一二三一〇〇二X", want: "17 digits"},
		{name: "dashes", in: "110105-19491231-002X", want: "18 characters"},
		{name: "February 30", in: withCheck("31010719800230123"), want: "real date"},
		{name: "February 29 of 2023", in: withCheck("31010720230229123"), want: "real date"},
		{name: "February 29 of 1900", in: withCheck("31010719000229123"), want: "real date"},
		{name: "month 13", in: withCheck("31010719801301123"), want: "real date"},
		{name: "month 00", in: withCheck("31010719800001123"), want: "real date"},
		{name: "day 00", in: withCheck("31010719800100123"), want: "real date"},
		{name: "April 31", in: withCheck("31010719800431123"), want: "real date"},
		{name: "year 1899", in: withCheck("31010718991231123"), want: "birth year"},
		{name: "year 0000", in: withCheck("31010700000101123"), want: "birth year"},
		{name: "next year", in: withCheck("31010720270101123"), want: "birth year"},
		{name: "tomorrow", in: withCheck("31010720260616123"), want: "future"},
		{name: "later this year", in: withCheck("31010720261201123"), want: "future"},
		{name: "legacy 15 with a letter", in: "31010780010112X", want: "all digits"},
		{name: "legacy 15 month 13", in: "310107801301123", want: "real date"},
		{name: "legacy 15 February 29 1900", in: "310107000229123", want: "real date"},
		{name: "legacy 15 February 30", in: "310107800230123", want: "real date"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := tt.now
			if now.IsZero() {
				now = testNow
			}
			err := ValidateIDNumber(tt.in, now)
			if tt.valid {
				if err != nil {
					t.Fatalf("ValidateIDNumber(%q): %v", tt.in, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("ValidateIDNumber(%q) accepted it; want an error about %q", tt.in, tt.want)
			}
			checkValidationError(t, err, KindIDNumber, tt.want)
			if len(tt.in) > 8 && strings.Contains(err.Error(), NormalizeIDNumber(tt.in)[6:14]) {
				t.Errorf("error %q repeats the ID number", err)
			}
		})
	}
}

// checkValidationError: a *valid.Error on the kind, wrapping ErrInvalid, with a bilingual
// message whose English half mentions want.
func checkValidationError(t *testing.T, err error, kind Kind, want string) {
	t.Helper()
	ve, ok := valid.First(err)
	if !ok {
		t.Fatalf("error %v (%T) is not a *valid.Error", err, err)
	}
	if ve.Field != string(kind) {
		t.Errorf("Kind = %q, want %q", ve.Field, kind)
	}
	if !errors.Is(err, ErrInvalid) {
		t.Errorf("error %v does not wrap ErrInvalid", err)
	}
	zh, en, ok := strings.Cut(ve.Message, " / ")
	if !ok || zh == "" || en == "" {
		t.Fatalf("message %q is not \"中文 / English\"", ve.Message)
	}
	if !strings.ContainsFunc(zh, func(r rune) bool { return r >= 0x4e00 && r <= 0x9fff }) {
		t.Errorf("message %q does not start in Chinese", ve.Message)
	}
	if !strings.Contains(en, want) {
		t.Errorf("message %q: English part does not mention %q", ve.Message, want)
	}
}

func TestNormalizePhone(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"mobile", "13800138000", "13800138000"},
		{"mobile +86 and dashes", "+86 138-0013-8000", "13800138000"},
		{"mobile +86 no space", "+8613800138000", "13800138000"},
		{"mobile 0086", "0086 138 0013 8000", "13800138000"},
		{"mobile (+86)", "(+86) 138 0013 8000", "13800138000"},
		{"mobile full-width", "＋８６　１３８－００１３－８０００", "13800138000"},
		{"mobile dots", "138.0013.8000", "13800138000"},
		{"landline", "021-52564588", "02152564588"},
		{"landline spaced", "021-5256 4588", "02152564588"},
		{"landline dashed local", "021-5256-4588", "02152564588"},
		{"landline parentheses", "(0531) 8765 4321", "053187654321"},
		{"landline full-width parentheses", "（０５３１）８７６５４３２１", "053187654321"},
		{"landline +86 without trunk 0", "+86 21 5256 4588", "02152564588"},
		{"Beijing +86 without trunk 0", "+86 10 6552 9988", "01065529988"},
		{"landline +86 (0)", "+86 (0)21 5256 4588", "02152564588"},
		{"extension dash", "021-52564588-123", "02152564588-123"},
		{"extension 转", "021-52564588转123", "02152564588-123"},
		{"extension 转 spaced", "021 5256 4588 转 8001", "02152564588-8001"},
		{"extension 4-digit area 7-digit local", "0531-8765432-1", "05318765432-1"},
		{"extension +86", "+86-21-52564588-123", "02152564588-123"},
		{"en dash", "021–52564588", "02152564588"},
		{"letters kept for validation", "138abc", "138abc"},
		{"empty", "  ", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := NormalizePhone(tt.in); got != tt.want {
				t.Errorf("NormalizePhone(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if got := NormalizePhone(tt.want); got != tt.want {
				t.Errorf("NormalizePhone(%q) = %q: normal form not stable", tt.want, got)
			}
		})
	}
}

func TestValidatePhone(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string // "" valid; otherwise a word of the English message
	}{
		{"mobile", "13800138000", ""},
		{"mobile 19x", "19912345678", ""},
		{"mobile 13x lowest", "13000000000", ""},
		{"mobile +86 dashes", "+86 138-0013-8000", ""},
		{"mobile +86 tight", "+8613800138000", ""},
		{"mobile 0086", "0086 13800138000", ""},
		{"mobile spaces", "138 0013 8000", ""},
		{"mobile full-width", "１３８００１３８０００", ""},
		{"landline Shanghai", "021-52564588", ""},
		{"landline Beijing", "010-65529988", ""},
		{"landline Jinan parentheses", "(0531) 8765 4321", ""},
		{"landline 4-digit area 7 digits", "0531-8765432", ""},
		{"landline 3-digit area 7 digits", "021-5256458", ""},
		{"landline +86", "+86 21 5256 4588", ""},
		{"landline extension dash", "021-52564588-123", ""},
		{"landline extension 转", "021-52564588转123", ""},
		{"landline extension 6 digits", "021-52564588转123456", ""},
		{"landline no separators", "02152564588", ""},

		{"empty", "", "empty"},
		{"mobile too short", "1380013800", "11 digits"},
		{"mobile 12 digits", "138001380001", "11 digits"},
		{"starts with 12", "12345678901", "13–19"},
		{"starts with 10", "10086123456", "13–19"},
		{"short code", "10086", "11 digits"},
		{"letters", "1380013800a", "only digits"},
		{"words", "call me", "only digits"},
		{"plus other country", "+1 415 555 2671", "only digits"},
		{"mobile with extension", "13800138000转1", "no extension"},
		{"landline without area code", "52564588", "area code"},
		{"service number", "400-820-8820", "area code"},
		{"landline local too short", "021-525645", "7–8 digits"},
		{"landline local too long", "021-525645889", "7–8 digits"},
		{"landline local starting with 0", "021-02564588", "7–8 digits"},
		{"area code 00", "0021-52564588", "7–8 digits"},
		{"only area code", "021", "7–8 digits"},
		{"extension empty", "021-52564588转", "1–6 digits"},
		{"extension 7 digits", "021-52564588转1234567", "1–6 digits"},
		{"extension letters", "021-52564588转12a", "only digits"},
		{"extension without number", "转123", "only digits"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidatePhone(tt.in)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("ValidatePhone(%q): %v", tt.in, err)
				}
				if err := ValidatePhone(NormalizePhone(tt.in)); err != nil {
					t.Errorf("the normal form %q is rejected: %v", NormalizePhone(tt.in), err)
				}
				return
			}
			if err == nil {
				t.Fatalf("ValidatePhone(%q) accepted it (normal form %q); want an error about %q", tt.in, NormalizePhone(tt.in), tt.want)
			}
			checkValidationError(t, err, KindPhone, tt.want)
		})
	}
}
