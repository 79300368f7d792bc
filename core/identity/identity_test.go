package identity

import (
	"errors"
	"strings"
	"testing"

	"github.com/fengqiao/fengqiao/core/division"
	"github.com/fengqiao/fengqiao/core/valid"
)

func TestNormalizeUsername(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string // "" means the input is rejected
	}{
		{"valid", "zhang.san", "zhang.san"},
		{"digits first", "007agent", "007agent"},
		{"all allowed punctuation", "a.b_c@d-e", "a.b_c@d-e"},
		{"email-like", "li.si@sfj.sh.cn", "li.si@sfj.sh.cn"},
		{"upper case folded", "ZhangSan", "zhangsan"},
		{"all upper case", "ADMIN", "admin"},
		{"spaces trimmed", "  wangwu \t\n", "wangwu"},
		{"shortest 3", "abc", "abc"},
		{"longest 64", strings.Repeat("a", 64), strings.Repeat("a", 64)},
		{"longest 64 after trimming", " " + strings.Repeat("b", 64) + " ", strings.Repeat("b", 64)},
		{"empty", "", ""},
		{"only spaces", "    ", ""},
		{"too short 2", "ab", ""},
		{"too short after trimming", "  ab  ", ""},
		{"too long 65", strings.Repeat("a", 65), ""},
		{"leading dot", ".abc", ""},
		{"leading underscore", "_abc", ""},
		{"leading at", "@abc", ""},
		{"leading dash", "-abc", ""},
		{"inner space", "zhang san", ""},
		{"slash", "zhang/san", ""},
		{"plus", "zhang+san", ""},
		{"quote", "zhang'san", ""},
		{"chinese", "张三丰", ""},
		{"full-width letters", "ａｂｃ", ""},
		{"newline inside", "abc\ndef", ""},
		{"trailing newline trimmed", "abc\n", "abc"},
		{"nul byte", "abc\x00", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NormalizeUsername(tt.in)
			if tt.want == "" {
				if err == nil {
					t.Fatalf("NormalizeUsername(%q) = %q, want an error", tt.in, got)
				}
				fe, ok := valid.First(err)
				if !ok || fe.Field != "username" {
					t.Errorf("error %v: want a *valid.Error on field username", err)
				}
				if !errors.Is(err, ErrInvalid) {
					t.Errorf("error %v does not wrap ErrInvalid", err)
				}
				if got != "" {
					t.Errorf("rejected input returned %q, want empty", got)
				}
				return
			}
			if err != nil {
				t.Fatalf("NormalizeUsername(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("NormalizeUsername(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestNormalizeUsernameIdempotent(t *testing.T) {
	for _, in := range []string{"ZhangSan", " a.b@c ", "X-Y_Z"} {
		once, err := NormalizeUsername(in)
		if err != nil {
			t.Fatalf("NormalizeUsername(%q): %v", in, err)
		}
		twice, err := NormalizeUsername(once)
		if err != nil || twice != once {
			t.Errorf("NormalizeUsername(%q) = %q, %v; want %q (idempotent)", once, twice, err, once)
		}
	}
}

func TestCheckPassword(t *testing.T) {
	tests := []struct {
		name string
		in   string
		ok   bool
	}{
		{"empty", "", false},
		{"7 chars", "abcdefg", false},
		{"8 chars", "abcdefgh", true},
		{"8 spaces", "        ", true},
		{"128 bytes", strings.Repeat("x", 128), true},
		{"129 bytes", strings.Repeat("x", 129), false},
		{"1000 bytes", strings.Repeat("x", 1000), false},
		// Lower bound counts characters: 7 Chinese characters are 21 bytes but too few characters.
		{"7 multibyte chars (21 bytes)", "调解员密码很长", false},
		{"8 multibyte chars", "人民调解委员会好", true},
		{"4 emoji (16 bytes)", "😀😀😀😀", false},
		{"8 emoji (32 bytes)", strings.Repeat("😀", 8), true},
		// Upper bound counts bytes: 42 × 3 = 126 bytes ok, 43 × 3 = 129 bytes too long.
		{"42 CJK chars = 126 bytes", strings.Repeat("调", 42), true},
		{"43 CJK chars = 129 bytes", strings.Repeat("调", 43), false},
		{"32 emoji = 128 bytes", strings.Repeat("😀", 32), true},
		{"32 emoji + 1 byte = 129 bytes", strings.Repeat("😀", 32) + "a", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckPassword(tt.in)
			if tt.ok {
				if err != nil {
					t.Fatalf("CheckPassword(%d bytes): %v", len(tt.in), err)
				}
				return
			}
			if err == nil {
				t.Fatalf("CheckPassword(%d bytes) = nil, want an error", len(tt.in))
			}
			fe, ok := valid.First(err)
			if !ok || fe.Field != "password" {
				t.Errorf("error %v: want a *valid.Error on field password", err)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("error %v does not wrap ErrInvalid", err)
			}
		})
	}
}

func TestCheckRole(t *testing.T) {
	type tc struct {
		name  string
		role  string
		level division.Level
		ok    bool
	}
	tests := []tc{
		{"national admin at country", RoleNationalAdmin, division.LevelCountry, true},
		{"province admin at province", RoleProvinceAdmin, division.LevelProvince, true},
		{"city admin at city", RoleCityAdmin, division.LevelCity, true},
		{"district admin at district", RoleDistrictAdmin, division.LevelDistrict, true},
		{"district staff at district", RoleDistrictStaff, division.LevelDistrict, true},
		{"agency system at district", RoleAgencySystem, division.LevelDistrict, true},
		{"national admin at province", RoleNationalAdmin, division.LevelProvince, false},
		{"province admin at country", RoleProvinceAdmin, division.LevelCountry, false},
		{"province admin at city", RoleProvinceAdmin, division.LevelCity, false},
		{"city admin at district", RoleCityAdmin, division.LevelDistrict, false},
		{"district admin at city", RoleDistrictAdmin, division.LevelCity, false},
		{"district staff at province", RoleDistrictStaff, division.LevelProvince, false},
		{"agency system at country", RoleAgencySystem, division.LevelCountry, false},
		{"district admin at street", RoleDistrictAdmin, division.LevelStreet, false},
		{"unknown role", "super-admin", division.LevelCountry, false},
		{"empty role", "", division.LevelDistrict, false},
		{"role name is case-sensitive", "National-Admin", division.LevelCountry, false},
	}
	// Every role is rejected at every level other than its own.
	levels := []division.Level{division.LevelCountry, division.LevelProvince, division.LevelCity, division.LevelDistrict, division.LevelStreet, division.LevelVillage}
	for _, r := range Roles() {
		want, ok := RoleLevel(r)
		if !ok {
			t.Fatalf("RoleLevel(%q) unknown for a role listed by Roles()", r)
		}
		for _, l := range levels {
			tests = append(tests, tc{"matrix " + r + " at " + string(l), r, l, l == want})
		}
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckRole(tt.role, tt.level)
			if tt.ok {
				if err != nil {
					t.Fatalf("CheckRole(%q, %s): %v", tt.role, tt.level, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("CheckRole(%q, %s) = nil, want an error", tt.role, tt.level)
			}
			fe, ok := valid.First(err)
			if !ok || fe.Field != "role" {
				t.Errorf("error %v: want a *valid.Error on field role", err)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("error %v does not wrap ErrInvalid", err)
			}
		})
	}
}

func TestRoles(t *testing.T) {
	roles := Roles()
	if len(roles) != len(roleLevels) {
		t.Fatalf("Roles() has %d roles, roleLevels %d", len(roles), len(roleLevels))
	}
	seen := map[string]bool{}
	for _, r := range roles {
		if seen[r] {
			t.Errorf("role %q listed twice", r)
		}
		seen[r] = true
	}
	if roles[0] != RoleNationalAdmin {
		t.Errorf("Roles()[0] = %q, want the highest role %q", roles[0], RoleNationalAdmin)
	}
	if _, ok := RoleLevel("nobody"); ok {
		t.Error(`RoleLevel("nobody") reported ok`)
	}
}

func TestSubjects(t *testing.T) {
	if got := (User{ID: "u1"}).Subject(); got != "user:u1" {
		t.Errorf("User.Subject() = %q", got)
	}
	if got := (Token{ID: "t1"}).Subject(); got != "token:t1" {
		t.Errorf("Token.Subject() = %q", got)
	}
}
