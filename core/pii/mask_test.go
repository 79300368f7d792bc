package pii

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// masks lists every mask with the most characters it may reveal (characters other than '*'
// in its output, separators included) and the shortest part its rules keep: an input shorter
// than that shows at most its first character.
var masks = []struct {
	name     string
	mask     func(string) string
	maxShown int
	minKept  int
}{
	{"MaskIDNumber", MaskIDNumber, 3 + 4, 3 + 4},
	{"MaskPhone", MaskPhone, 4 + 4 + 1, 3 + 4}, // area code, last 4, the "-" before an extension
	{"MaskAddress", MaskAddress, 6, 2},         // short addresses keep 2 runes
	{"MaskName", MaskName, 1, 1},
}

// shown counts the characters of a masked output that are not stars.
func shown(masked string) int {
	return utf8.RuneCountInString(masked) - strings.Count(masked, "*")
}

func TestMaskIDNumber(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"18 digits", "310107198001011234", "310***********1234"},
		{"18 with X", "11010519491231002X", "110***********002X"},
		{"18 with lower-case x", "11010519491231002x", "110***********002X"},
		{"18 spaced", " 310107 19800101 1234 ", "310***********1234"},
		{"15 digits", "310107800101123", "310********1123"},
		{"empty", "", ""},
		{"1 char", "3", "*"},
		{"5 chars", "31010", "*****"},
		{"17 chars", "31010719800101123", "*****************"},
		{"19 chars", "3101071980010112345", "*******************"},
		{"non-ASCII", "身份证号码", "*****"},
		{"18 runes non-ASCII", strings.Repeat("证", 18), "证证证***********证证证证"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := MaskIDNumber(tt.in)
			if got != tt.want {
				t.Errorf("MaskIDNumber(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if shown(got) > 7 {
				t.Errorf("MaskIDNumber(%q) = %q shows %d characters", tt.in, got, shown(got))
			}
		})
	}
}

func TestMaskPhone(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"mobile", "13812345678", "138****5678"},
		{"mobile raw form", "+86 138-1234-5678", "138****5678"},
		{"landline Shanghai", "02152564588", "021****4588"},
		{"landline raw form", "021-5256 4588", "021****4588"},
		{"landline Beijing", "01065529988", "010****9988"},
		{"landline 4-digit area 8 digits", "053187654321", "0531****4321"},
		{"landline 4-digit area 7 digits", "05318765432", "0531***5432"},
		{"landline 3-digit area 7 digits", "0215256458", "021***6458"},
		{"landline extension", "021-52564588-123", "021****4588-***"},
		{"landline extension 转", "021 52564588 转 8001", "021****4588-****"},
		{"mobile with extension (invalid)", "13812345678转1", "138****5678-*"},
		{"empty", "", ""},
		{"1 char", "1", "*"},
		{"5 digits", "10086", "*****"},
		{"no area code", "52564588", "********"},
		{"area code only", "021", "***"},
		{"local too short", "021-525", "******"},
		{"12-digit mobile", "138123456789", "************"},
		{"non-ASCII", "电话号码", "****"},
		{"letters", "138abcd5678", "***********"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := MaskPhone(tt.in)
			if got != tt.want {
				t.Errorf("MaskPhone(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestMaskAddress(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"full address", "上海市普陀区曹杨路100弄5号301室", "上海市普陀区****"},
		{"10 runes", "上海市普陀区曹杨路1", "上海市普陀区****"},
		{"9 runes: short", "北京市海淀区中关村", "北京****"},
		{"6 runes: district only", "上海市普陀区", "上海****"},
		{"4 runes", "北京海淀", "北京****"},
		{"3 runes", "北京市", "北****"},
		{"2 runes", "北京", "北****"},
		{"1 rune", "京", "****"},
		{"empty", "", ""},
		{"only spaces", " \u3000 ", ""},
		{"spaces collapsed first", "  上海市  普陀区 曹杨路 ", "上海市 普陀****"},
		{"Latin", "12 Main Street, Springfield", "12 Mai****"},
		{"5 chars", "abcde", "ab****"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := MaskAddress(tt.in); got != tt.want {
				t.Errorf("MaskAddress(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestMaskName(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"three runes", "张三丰", "张**"},
		{"two runes", "张三", "张*"},
		{"compound surname", "欧阳娜娜", "欧***"},
		{"Uyghur name with middle dot", "阿依古丽·买买提", "阿*******"},
		{"spaces trimmed", " 李四 ", "李*"},
		{"one rune", "张", "*"},
		{"empty", "", ""},
		{"only spaces", "   ", ""},
		{"Latin", "Wang Fang", "W***"},
		{"Latin short", "Li", "L***"},
		{"Latin one letter", "J", "*"},
		{"Latin accented", "Ömer Çelik", "Ö***"},
		{"5 chars", "Smith", "S***"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := MaskName(tt.in); got != tt.want {
				t.Errorf("MaskName(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// oddInputs exercise every mask with inputs of no particular shape.
var oddInputs = []string{
	"", " ", "*", "a", "张", "ab", "12345", "abcde", "身份证", "\x00", "\xff", "\xff\xfe\xfd\xfc\xfb\xfa\xf9",
	"--", "转", "+86", "0086", "(", "0", "00", "01", "1", "13", "-1", "021-", "转123",
	strings.Repeat("9", 100), strings.Repeat("证", 40), "😀😀😀😀😀😀😀😀😀😀😀😀",
}

func TestMasksOddInputs(t *testing.T) {
	for _, m := range masks {
		for _, in := range oddInputs {
			got := m.mask(in) // must not panic
			checkMasked(t, m.name, in, got, m.maxShown, m.minKept)
		}
	}
}

// checkMasked asserts the rules every mask obeys: it shows at most maxShown characters and
// never the whole input; an input shorter than minKept shows at most its first character; and
// for a long input the middle part never appears in the output.
func checkMasked(t *testing.T, name, in, out string, maxShown, minKept int) {
	t.Helper()
	n := shown(out)
	if n > maxShown {
		t.Errorf("%s(%q) = %q shows %d characters, at most %d allowed", name, in, out, n, maxShown)
	}
	runes := []rune(in)
	if len(runes) > 0 && n >= len(runes) {
		t.Errorf("%s(%q) = %q shows as many characters as the input has", name, in, out)
	}
	if len(runes) < minKept && n > 1 {
		t.Errorf("%s(%q) = %q shows %d characters of an input shorter than %d", name, in, out, n, minKept)
	}
	if len(runes) >= 24 {
		mid := string(runes[len(runes)/2-3 : len(runes)/2+4]) // 7 runes, longer than any kept part
		if !strings.Contains(mid, "*") && strings.Contains(out, mid) {
			t.Errorf("%s(%q) = %q contains the middle %q", name, in, out, mid)
		}
	}
}
