package pii

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/fengqiao/fengqiao/core/valid"
)

// DocType is the kind of identity document a party's number belongs to (证件类型). Parties are
// mostly mainland residents with a resident ID card, but bureaus also see residents of Hong
// Kong, Macao and Taiwan, and foreigners: each document has its own number format.
type DocType string

// Identity documents.
const (
	DocResidentID       DocType = "resident_id"          // 居民身份证 (GB 11643)
	DocHKMacaoPermit    DocType = "hk_macao_permit"      // 港澳居民来往内地通行证（回乡证）
	DocTaiwanPermit     DocType = "taiwan_permit"        // 台湾居民来往大陆通行证（台胞证）
	DocHMTResidence     DocType = "hmt_residence_permit" // 港澳台居民居住证
	DocPassport         DocType = "passport"             // 护照
	DocForeignPermanent DocType = "foreign_permanent_id" // 外国人永久居留身份证
	// DefaultDocType is what a number without a type is (and every number stored before types).
	DefaultDocType = DocResidentID
)

// Lengths of the numbers.
const (
	minPassportLen, maxPassportLen = 5, 17
	foreignOldLen, newLen          = 15, 18
	taiwanLen, taiwanOldLen        = 8, 10
	permitDigits, permitOldDigits  = 8, 10
)

// DocTypeInfo describes a document type: its code, names and the other names people give it
// (an import file's 证件类型 column may hold any of them).
type DocTypeInfo struct {
	Code    DocType `json:"code"`
	NameZH  string  `json:"name_zh"`
	NameEN  string  `json:"name_en"`
	Aliases []string
	// Format says the rule of the number, for messages and documentation.
	FormatZH, FormatEN string
}

var docTypes = []DocTypeInfo{
	{DocResidentID, "居民身份证", "Resident identity card", []string{"身份证", "二代身份证", "中国居民身份证"},
		"18 位（末位可为 \"X\"，含校验位）或旧版 15 位数字", "18 characters (the last a check digit or X) or the old 15 digits"},
	{DocHKMacaoPermit, "港澳居民来往内地通行证", "Mainland travel permit for Hong Kong and Macao residents", []string{"回乡证", "港澳通行证", "港澳居民通行证"},
		"H（香港）或 M（澳门）加 8 位数字，旧版加 10 位数字", "H (Hong Kong) or M (Macao) followed by 8 digits, or 10 in the old form"},
	{DocTaiwanPermit, "台湾居民来往大陆通行证", "Mainland travel permit for Taiwan residents", []string{"台胞证", "台湾通行证"},
		"8 位数字，旧版 10 位数字", "8 digits, or 10 in the old form"},
	{DocHMTResidence, "港澳台居民居住证", "Residence permit for Hong Kong, Macao and Taiwan residents", []string{"居住证", "港澳居民居住证", "台湾居民居住证"},
		"18 位，以 810000（香港）、820000（澳门）或 830000（台湾）开头，含校验位", "18 characters starting with 810000 (Hong Kong), 820000 (Macao) or 830000 (Taiwan), with a check digit"},
	{DocPassport, "护照", "Passport", []string{"中国护照", "外国护照"},
		"5–17 位字母或数字", "5–17 letters or digits"},
	{DocForeignPermanent, "外国人永久居留身份证", "Foreign permanent resident ID card", []string{"外国人永久居留证", "永久居留身份证", "绿卡"},
		"新版 18 位数字（以 9 开头，含校验位），旧版 3 位国籍字母加 12 位数字", "18 digits starting with 9 with a check digit, or the old 3 letters of nationality and 12 digits"},
}

// DocTypes lists every document type, the default first.
func DocTypes() []DocTypeInfo { return append([]DocTypeInfo(nil), docTypes...) }

// LookupDocType finds a document type by code.
func LookupDocType(code DocType) (DocTypeInfo, bool) {
	for _, d := range docTypes {
		if d.Code == code {
			return d, true
		}
	}
	return DocTypeInfo{}, false
}

// NormalizeDocument puts a document number in the form it is stored, compared and indexed in:
// no white space, full-width forms made ASCII, letters upper-cased; the parentheses people put
// around a Taiwan permit's issue count ("12345678(01)") are dropped.
func NormalizeDocument(t DocType, s string) string {
	s = strings.ToUpper(NormalizeIDNumber(s))
	if t == DocTaiwanPermit || t == DocHKMacaoPermit {
		s = strings.Map(dropIf(func(r rune) bool { return r == '(' || r == ')' || r == '（' || r == '）' }), s)
	}
	return s
}

// ValidateDocument checks a document number of a type after NormalizeDocument, by the type's
// own rule (DocTypeInfo.Format). Errors are *valid.Error whose field is KindIDNumber; they
// never repeat the number.
func ValidateDocument(t DocType, s string, now time.Time) error {
	if t == "" {
		t = DefaultDocType
	}
	if t == DocResidentID {
		return ValidateIDNumber(s, now) // its own, more precise messages
	}
	info, ok := LookupDocType(t)
	if !ok {
		return invalid(KindIDNumber, "未知的证件类型 / unknown document type")
	}
	id := NormalizeDocument(t, s)
	if id == "" {
		return invalid(KindIDNumber, info.NameZH+"号码为空 / the document number is empty")
	}
	bad := func() error {
		return invalid(KindIDNumber, fmt.Sprintf("%s号码应为%s / a %s number is %s", info.NameZH, info.FormatZH, strings.ToLower(info.NameEN[:1])+info.NameEN[1:], info.FormatEN))
	}
	if len(id) != utf8.RuneCountInString(id) || !isAlnum(id) {
		return bad()
	}
	switch t {
	case DocHKMacaoPermit:
		if (id[0] != 'H' && id[0] != 'M') || !isDigits(id[1:]) || (len(id)-1 != permitDigits && len(id)-1 != permitOldDigits) {
			return bad()
		}
	case DocTaiwanPermit:
		if !isDigits(id) || (len(id) != taiwanLen && len(id) != taiwanOldLen) {
			return bad()
		}
	case DocHMTResidence:
		if len(id) != newLen || !(strings.HasPrefix(id, "810000") || strings.HasPrefix(id, "820000") || strings.HasPrefix(id, "830000")) {
			return bad()
		}
		// The same structure as a resident ID: birth date and GB 11643 check digit.
		if err := ValidateIDNumber(id, now); err != nil {
			return invalid(KindIDNumber, strings.ReplaceAll(strings.ReplaceAll(errText(err), "身份证号", info.NameZH+"号码"), "ID number", "residence permit number"))
		}
	case DocPassport:
		if len(id) < minPassportLen || len(id) > maxPassportLen || strings.IndexFunc(id, func(r rune) bool { return r >= '0' && r <= '9' }) < 0 {
			return bad()
		}
	case DocForeignPermanent:
		switch len(id) {
		case newLen:
			// 9, province (2), nationality (3), birth date (8), sequence (3), check digit.
			if id[0] != '9' || !isDigits(id[:17]) {
				return bad()
			}
			if !realDate(atoi(id[6:10]), atoi(id[10:12]), atoi(id[12:14]), now) {
				return invalid(KindIDNumber, info.NameZH+"号码中的出生日期无效 / the birth date in the permanent resident ID number is not a real past date")
			}
			if c, _ := IDCheckDigit(id[:17]); c != id[17] {
				return invalid(KindIDNumber, info.NameZH+"号码校验位错误，请核对每一位 / the permanent resident ID number's check digit does not match; check every digit")
			}
		case foreignOldLen:
			// Nationality (3 letters), place of acceptance (2), birth date YYMMDD, sequence and check (4).
			if !isUpper(id[:3]) || !isDigits(id[3:]) {
				return bad()
			}
			if m, d := atoi(id[7:9]), atoi(id[9:11]); m < 1 || m > 12 || d < 1 || d > 31 {
				return invalid(KindIDNumber, info.NameZH+"号码中的出生日期无效 / the birth date in the permanent resident ID number is not a real date")
			}
		default:
			return bad()
		}
	}
	return nil
}

// realDate: a calendar date between 1900 and today (Beijing time).
func realDate(y, m, d int, now time.Time) bool {
	today := now.In(chinaTime)
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, chinaTime)
	return y >= 1900 && m >= 1 && m <= 12 && d >= 1 && t.Month() == time.Month(m) && t.Day() == d && !t.After(today)
}

// errText is the message of a validator's error, without the field's name.
func errText(err error) string {
	var ve *valid.Error
	if errors.As(err, &ve) && len(ve.Errors) > 0 {
		return ve.Errors[0].Message
	}
	return err.Error()
}

func isAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		if !(s[i] >= '0' && s[i] <= '9' || s[i] >= 'A' && s[i] <= 'Z') {
			return false
		}
	}
	return true
}

func isUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return s != ""
}

// MaskDocument masks a document number of a type: the numbers of 15 and 18 characters as
// MaskIDNumber (first 3 and last 4 kept); shorter ones keep their first character and last 2
// ("H12345678" → "H******78", "12345678" → "1*****78"), keeping the length; anything under 6
// characters is starred entirely.
func MaskDocument(t DocType, s string) string {
	r := []rune(NormalizeDocument(t, s))
	switch n := len(r); {
	case n == 15 || n == 18:
		return string(r[:3]) + stars(n-7) + string(r[n-4:])
	case n >= 6:
		return string(r[:1]) + stars(n-3) + string(r[n-2:])
	default:
		return stars(n)
	}
}
