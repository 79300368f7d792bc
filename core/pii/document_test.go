package pii

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/fengqiao/fengqiao/core/valid"
)

var docNow = time.Date(2026, 3, 1, 12, 0, 0, 0, chinaTime)

// TestValidateDocument: each document type by its own rule, with numbers of the real formats.
func TestValidateDocument(t *testing.T) {
	for _, c := range []struct {
		name   string
		typ    DocType
		number string
		ok     bool
		want   string // part of the message when refused
	}{
		{"resident ID with X", DocResidentID, "11010519491231002X", true, ""},
		{"resident ID, old 15 digits", DocResidentID, "110105491231002", true, ""},
		{"resident ID, wrong check digit", DocResidentID, "110105194912310021", false, "校验位"},
		{"empty type is a resident ID", "", "11010519491231002x", true, ""},

		{"Hong Kong permit, card", DocHKMacaoPermit, "H12345678", true, ""},
		{"Macao permit, card, lower case", DocHKMacaoPermit, "m 8765 4321", true, ""},
		{"Hong Kong permit, old booklet with issue count", DocHKMacaoPermit, "H1234567801", true, ""},
		{"permit letter is H or M", DocHKMacaoPermit, "T12345678", false, "H（香港）或 M（澳门）"},
		{"permit of 9 digits", DocHKMacaoPermit, "H123456789", false, "港澳居民来往内地通行证号码应为"},
		{"a resident ID is no permit", DocHKMacaoPermit, "11010519491231002X", false, "港澳居民来往内地通行证"},

		{"Taiwan permit, card", DocTaiwanPermit, "12345678", true, ""},
		{"Taiwan permit, old with issue count in brackets", DocTaiwanPermit, "12345678(01)", true, ""},
		{"Taiwan permit, full-width digits", DocTaiwanPermit, "１２３４５６７８", true, ""},
		{"Taiwan permit of 7 digits", DocTaiwanPermit, "1234567", false, "8 位数字"},
		{"Taiwan permit with a letter", DocTaiwanPermit, "T1234567", false, "台湾居民来往大陆通行证号码应为"},

		{"residence permit, Hong Kong", DocHMTResidence, "810000199001011230", true, ""},
		{"residence permit, Macao", DocHMTResidence, "820000198512314564", true, ""},
		{"residence permit, Taiwan, 29 February", DocHMTResidence, "830000200002290015", true, ""},
		{"residence permit, wrong check digit", DocHMTResidence, "810000199001011231", false, "港澳台居民居住证号码校验位错误"},
		{"residence permit, mainland prefix", DocHMTResidence, "11010519491231002X", false, "810000"},

		{"Chinese passport", DocPassport, "E12345678", true, ""},
		{"Chinese passport, letter and digits", DocPassport, "EA1234567", true, ""},
		{"foreign passport", DocPassport, "C03005988", true, ""},
		{"passport of letters only", DocPassport, "ABCDEFG", false, "护照号码应为"},
		{"passport too short", DocPassport, "E123", false, "5–17"},
		{"passport with a hyphen", DocPassport, "E-1234567", false, "护照"},

		{"foreign permanent ID, new 18 digits", DocForeignPermanent, "931840198501010013", true, ""},
		{"foreign permanent ID, new, another", DocForeignPermanent, "931392200106150023", true, ""},
		{"foreign permanent ID, old 15 characters", DocForeignPermanent, "USA318503030012", true, ""},
		{"foreign permanent ID, new, wrong check digit", DocForeignPermanent, "931840198501010014", false, "校验位"},
		{"foreign permanent ID, new, not starting with 9", DocForeignPermanent, "131840198501010013", false, "以 9 开头"},
		{"foreign permanent ID, new, birth in the future", DocForeignPermanent, "931840203001010010", false, "出生日期"},
		{"foreign permanent ID, old, month 13", DocForeignPermanent, "USA318513030012", false, "出生日期"},
		{"foreign permanent ID, old, digits for letters", DocForeignPermanent, "123318503030012", false, "国籍"},

		{"unknown type", "driving_licence", "123456", false, "未知的证件类型"},
		{"empty number", DocPassport, "  ", false, "号码为空"},
		{"Chinese characters", DocPassport, "护照一二三四五", false, "护照号码应为"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := ValidateDocument(c.typ, c.number, docNow)
			if c.ok {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var ve *valid.Error
			if err == nil || !errors.As(err, &ve) || !errors.Is(err, ErrInvalid) || ve.Errors[0].Field != string(KindIDNumber) {
				t.Fatalf("got %v, want a *valid.Error of id_number", err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("message %q lacks %q", err, c.want)
			}
			if n := NormalizeDocument(c.typ, c.number); len(n) > 3 && strings.Contains(err.Error(), n) {
				t.Errorf("the message repeats the number: %q", err)
			}
		})
	}
}

// TestMaskDocument: every type masked, the length kept, never more than 7 characters shown.
func TestMaskDocument(t *testing.T) {
	for _, c := range []struct {
		typ        DocType
		in, masked string
	}{
		{DocResidentID, "11010519491231002x", "110***********002X"},
		{DocHKMacaoPermit, "h12345678", "H******78"},
		{DocHKMacaoPermit, "H1234567801", "H********01"},
		{DocTaiwanPermit, "12345678(01)", "1*******01"},
		{DocTaiwanPermit, "12345678", "1*****78"},
		{DocHMTResidence, "810000199001011230", "810***********1230"},
		{DocPassport, "E12345678", "E******78"},
		{DocForeignPermanent, "USA318503030012", "USA********0012"},
		{DocPassport, "E1234", "*****"},
		{DocPassport, "", ""},
	} {
		if got := MaskDocument(c.typ, c.in); got != c.masked {
			t.Errorf("MaskDocument(%s, %q) = %q, want %q", c.typ, c.in, got, c.masked)
		}
	}
}

// TestDocTypes: every type has names, a format and no alias shared with another type.
func TestDocTypes(t *testing.T) {
	seen := map[string]DocType{}
	for _, d := range DocTypes() {
		if d.NameZH == "" || d.NameEN == "" || d.FormatZH == "" || d.FormatEN == "" {
			t.Errorf("%s lacks a name or a format", d.Code)
		}
		for _, n := range append([]string{string(d.Code), d.NameZH}, d.Aliases...) {
			if other, dup := seen[n]; dup {
				t.Errorf("%q names %s and %s", n, other, d.Code)
			}
			seen[n] = d.Code
		}
	}
	if DocTypes()[0].Code != DefaultDocType {
		t.Error("the default document type is not listed first")
	}
}

// FuzzValidateDocument: numbers are untrusted input. No type's validator panics; an accepted
// number is ASCII letters and digits of at most 18 characters, its mask keeps its length and
// hides at least a third of it, and normalizing is idempotent.
func FuzzValidateDocument(f *testing.F) {
	for _, s := range []string{"H12345678", "12345678(01)", "810000199001011230", "931840198501010013", "USA318503030012", "E12345678", "", "\x00", "护照", "H１２３４５６７８"} {
		for i := range docTypes {
			f.Add(uint8(i), s)
		}
	}
	f.Fuzz(func(t *testing.T, i uint8, s string) {
		typ := docTypes[int(i)%len(docTypes)].Code
		err := ValidateDocument(typ, s, docNow)
		n := NormalizeDocument(typ, s)
		if NormalizeDocument(typ, n) != n {
			t.Fatalf("normalize not idempotent: %q → %q → %q", s, n, NormalizeDocument(typ, n))
		}
		m := MaskDocument(typ, s)
		if utf8.RuneCountInString(m) != utf8.RuneCountInString(n) {
			t.Fatalf("mask %q of %q changes the length", m, n)
		}
		if err != nil {
			var ve *valid.Error
			if !errors.As(err, &ve) {
				t.Fatalf("error %T %v is no *valid.Error", err, err)
			}
			return
		}
		if len(n) > 18 || !isAlnum(n) {
			t.Fatalf("accepted %q (normalized %q) for %s", s, n, typ)
		}
		if shown := len(m) - strings.Count(m, "*"); shown*3 > 2*len(m) {
			t.Fatalf("mask %q of %q shows too much", m, n)
		}
	})
}
