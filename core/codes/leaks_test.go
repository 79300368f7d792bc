package codes

import (
	"slices"
	"testing"
)

func TestLeaks(t *testing.T) {
	tests := []struct {
		name string
		msg  string
		want []string
	}{
		{"a level code", "预警等级为orange，请签收 / level orange", []string{"orange"}},
		{"a kind code", "派驻court的调委会 / a committee stationed at a court", []string{"court"}},
		{"an action and a resource", "在所有租户，省级管理员可以writeplugin_routes", []string{"writeplugin_routes"}},
		{"a division code", "您的角色不允许在租户 310107 上执行此操作 / your roles do not allow this in tenant 310107", []string{"租户 310107"}},
		{"the names instead", "预警等级为橙色 / level orange", nil},
		{"a field named at the start", "limit 须为 1–500 的整数 / limit must be an integer from 1 to 500", nil},
		{"a quoted value", `未知查询参数 "foo"，可用参数："after"、"limit" / unknown query parameter "foo"`, nil},
		{"curly quotes", "请填写“walk_in”等来源代码", nil},
		{"plain words", "请上传 XLSX 或 CSV 文件，身份证 ID 号码 / upload XLSX or CSV", nil},
		{"a path", "请用 PUT /api/v1/tenants/{code}/plugins 启用 / use PUT", nil},
		{"a format verb", "未知来源 %q；可选：%s / unknown source %q", nil},
		{"English only", "unknown source court", nil},
		{"a code across a space", "状态为 closed 的案件不能修改 / closed cases", []string{"closed"}},
		{"an amount is no division code", "争议金额 100000 元", nil},
		{"a code glossed in Chinese", "方式须为 in_person（当面）或 phone（电话） / in_person or phone", nil},
		{"a field to look at", "after 须为上一页返回的 next_after / after must be next_after", nil},
		{"a setting", "请在 security.key_file 指定密钥文件", nil},
		{"a code glossing a Chinese name", "成员单位回调（webhook）签名密钥", nil},
		{"a parameter set to a quoted value", `或以 skip_invalid="true" 只导入有效行`, nil},
		{"a list of codes", "预警等级须为 none、blue 或 red / none, blue or red", []string{"none", "blue", "red"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fields := func(name string) bool { return name == "limit" || name == "next_after" || name == "skip_invalid" }
			if got := Leaks(tt.msg, fields); !slices.Equal(got, tt.want) {
				t.Errorf("Leaks(%q) = %q, want %q", tt.msg, got, tt.want)
			}
		})
	}
}
