package pii

import (
	"bytes"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/fengqiao/fengqiao/core/valid"
)

// FuzzDecrypt: stored ciphertexts are untrusted bytes. Decrypt and KeyID never panic, fail only
// with ErrCorrupt or ErrUnknownKey, and nothing but a genuine ciphertext opens: the ring's keys
// (fixed, so every fuzzing process shares them) only ever sealed fuzzPlain under fuzzAAD.
func FuzzDecrypt(f *testing.F) {
	const fuzzPlain = "11010519491231002X"
	fuzzAAD := AAD("310107", "party-1", "id_number")
	old := mustRing(f, map[string][]byte{"k1": testKey(1)}, "k1")
	ring := mustRing(f, map[string][]byte{"k1": testKey(1), "k2": testKey(2)}, "k2")
	for _, r := range []*Keyring{old, ring} {
		ct, err := r.Encrypt(fuzzPlain, fuzzAAD)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(ct)
		f.Add(ct[:len(ct)-1])
		f.Add(ct[:2+len(r.Active())+nonceSize])
		f.Add(append(bytes.Clone(ct), 0))
	}
	f.Add([]byte{})
	f.Add([]byte{1})
	f.Add([]byte{1, 2, 'k', '3'})
	f.Add(bytes.Repeat([]byte{1}, 64))
	f.Fuzz(func(t *testing.T, ct []byte) {
		id, idErr := KeyID(ct)
		got, err := ring.Decrypt(ct, fuzzAAD)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrUnknownKey) {
				t.Fatalf("Decrypt error %v is neither ErrCorrupt nor ErrUnknownKey", err)
			}
			if got != "" {
				t.Fatalf("failed Decrypt returned %q", got)
			}
			return
		}
		if idErr != nil {
			t.Fatalf("Decrypt accepted what KeyID rejects (%v)", idErr)
		}
		if len(ct) == 0 {
			if got != "" || id != "" {
				t.Fatalf("empty input gave %q under key %q", got, id)
			}
			return
		}
		if got != fuzzPlain || (id != "k1" && id != "k2") {
			t.Fatalf("opened a forged ciphertext % x → %q (key %q)", ct, got, id)
		}
	})
}

// FuzzValidateIDNumber: never panics; whatever it accepts normalizes to a well-formed number
// whose check character (by the independent reference) and birth date are right.
func FuzzValidateIDNumber(f *testing.F) {
	for _, s := range []string{
		"11010519491231002X", "11010519491231002x", "110105194912310021", "310107800101123",
		"", " ", "X", "1101051949123100", "11010519491231002XX", "１１０１０５１９４９１２３１００２Ｘ",
		withCheck("31010720000229123"), withCheck("31010719000229123"), withCheck("31010720270101123"),
		"310107000229123", "\xff\xfe", "一一〇一〇五一九四九一二三一〇〇二X",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := ValidateIDNumber(s, testNow)
		n := NormalizeIDNumber(s)
		if NormalizeIDNumber(n) != n {
			t.Fatalf("NormalizeIDNumber not idempotent on %q", s)
		}
		if again := ValidateIDNumber(n, testNow); (again == nil) != (err == nil) {
			t.Fatalf("ValidateIDNumber(%q) = %v but on its normal form %q = %v", s, err, n, again)
		}
		if err != nil {
			ve, ok := valid.First(err)
			if !ok || ve.Field != string(KindIDNumber) || !strings.Contains(ve.Message, " / ") {
				t.Fatalf("error %v is not a bilingual *valid.Error of kind id_number", err)
			}
			return
		}
		var date string
		switch len(n) {
		case 18:
			if !isDigits(n[:17]) || refCheckChar(n[:17]) != n[17] {
				t.Fatalf("accepted %q with a wrong check character", n)
			}
			date = n[6:14]
		case 15:
			if !isDigits(n) {
				t.Fatalf("accepted 15-character %q with non-digits", n)
			}
			date = "19" + n[6:12]
		default:
			t.Fatalf("accepted %q of length %d", n, len(n))
		}
		birth, perr := time.ParseInLocation("20060102", date, chinaTime)
		if perr != nil || birth.Year() < 1900 || birth.After(testNow) {
			t.Fatalf("accepted %q with birth date %s (%v)", n, date, perr)
		}
		if m := MaskIDNumber(s); shown(m) != 7 || len(m) != len(n) {
			t.Fatalf("MaskIDNumber of valid %q = %q", n, m)
		}
	})
}

var validPhoneForm = regexp.MustCompile(`^(1[3-9][0-9]{9}|(0[12][0-9]|0[3-9][0-9]{2})[2-9][0-9]{6,7}(-[0-9]{1,6})?)$`)

// FuzzValidatePhone: never panics; whatever it accepts normalizes to a stable mobile or landline
// form, which is itself valid.
func FuzzValidatePhone(f *testing.F) {
	for _, s := range []string{
		"13800138000", "+86 138-0013-8000", "0086 13800138000", "(+86) 138 0013 8000",
		"021-52564588", "(0531) 8765 4321", "021-52564588-123", "021-52564588转123", "+86 21 5256 4588",
		"", "1", "01", "0", "-", "转", "+86", "12345678901", "138001380001", "52564588", "400-820-8820",
		"０２１－５２５６４５８８", "\xff", "021-52564588转", "--1", "+86-", "0086转1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := ValidatePhone(s)
		n := NormalizePhone(s)
		if err != nil {
			ve, ok := valid.First(err)
			if !ok || ve.Field != string(KindPhone) || !strings.Contains(ve.Message, " / ") {
				t.Fatalf("error %v is not a bilingual *valid.Error of kind phone", err)
			}
			return
		}
		if !validPhoneForm.MatchString(n) {
			t.Fatalf("ValidatePhone accepted %q, normal form %q", s, n)
		}
		if NormalizePhone(n) != n {
			t.Fatalf("normal form %q of %q is not stable: %q", n, s, NormalizePhone(n))
		}
		if err := ValidatePhone(n); err != nil {
			t.Fatalf("normal form %q of valid %q rejected: %v", n, s, err)
		}
		if m := MaskPhone(s); shown(m) < 7 || shown(m) > 9 || m != MaskPhone(n) {
			t.Fatalf("MaskPhone of valid %q = %q", s, m)
		}
	})
}

// FuzzMask: no mask panics, shows more than its rule allows, or contains the middle of a long
// input.
func FuzzMask(f *testing.F) {
	for _, s := range oddInputs {
		f.Add(s)
	}
	for _, s := range []string{
		"310107198001011234", "13812345678", "021-52564588-123", "上海市普陀区曹杨路100弄5号301室", "张三丰",
		"Wang Fang", "0531-8765432", "+86 10 6552 9988", strings.Repeat("上海市普陀区", 5),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, m := range masks {
			checkMasked(t, m.name, s, m.mask(s), m.maxShown, m.minKept)
		}
	})
}
