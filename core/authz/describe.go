package authz

import (
	"strings"

	"github.com/fengqiao/fengqiao/core/access"
	"github.com/fengqiao/fengqiao/core/division"
	"github.com/fengqiao/fengqiao/core/identity"
)

// Plain words for rules (listPolicies, explainDecision, docs/access.md): Chinese first.

var roleWords = map[string]string{
	identity.RoleNationalAdmin: "全国管理员",
	identity.RoleProvinceAdmin: "省级管理员",
	identity.RoleCityAdmin:     "市级管理员",
	identity.RoleDistrictAdmin: "区县管理员",
	identity.RoleDistrictStaff: "区县工作人员",
	identity.RoleIntakeOfficer: "受理员",
	identity.RoleAnalyst:       "统计分析员",
	identity.RoleCommitteeHead: "调委会主任",
	identity.RoleMediator:      "调解员",
	identity.RoleAgencyClerk:   "协作单位工作人员",
	identity.RoleAgencySystem:  "协作单位系统",
}

var objWords = map[string]string{
	ObjTenants: "租户", ObjUsers: "用户", ObjTokens: "API 令牌", ObjOffices: "司法所", ObjAudit: "审计日志",
	ObjCases: "案件", ObjCasePII: "当事人个人信息", ObjCaseAgreement: "调解协议书", ObjDisputeTypes: "纠纷类型", ObjOrganisations: "组织",
	ObjMediators: "调解员名册", ObjExperts: "专家库", ObjCaseSettings: "案件规则", ObjWarnings: "预警",
	ObjInbox: "站内信", ObjStats: "统计", ObjLibrary: "案例库", ObjPolicies: "授权规则",
	ObjPlugins: "地区插件", ObjPluginRoutes: "插件接口",
}

var actWords = map[string]string{
	ActOnboard: "开通", ActRead: "查看", ActUpdate: "修改", ActSuspend: "暂停", ActResume: "恢复", ActArchive: "归档",
	ActCreate: "新建", ActRevoke: "吊销", ActAssign: "授予", ActAcknowledge: "签收", ActConfigure: "设置",
	ActReview: "审核", ActImport: "导入", ActConfirm: "记录司法确认", ActExport: "导出", ActShare: "共享", ActLink: "关联",
	ActRestart: "重启", ActWrite: "写入",
}

var relWords = map[string]string{
	access.Owner: "本租户工作人员", access.Committee: "承办调委会", access.Mediator: "指派的调解员",
	access.Referrer: "移送单位", access.ConfirmingCourt: "确认法院", access.Linked: "关联单位", access.Grantee: "共享对象",
	access.GranteeParties: "共享对象（含当事人）", access.Partner: "联合调解方", access.Escalated: "预警报送的上级",
	access.Ancestor: "上级司法行政机关", access.Member: "本租户成员单位", access.None: "非针对案件",
}

func word(m map[string]string, k string) string {
	if w, ok := m[k]; ok {
		return w
	}
	if strings.HasPrefix(k, "role:") {
		return "角色「" + word(roleWords, strings.TrimPrefix(k, "role:")) + "」"
	}
	return k
}

// Describe says a rule in plain Chinese, e.g. "在所有租户，协作单位工作人员 作为移送单位 可以
// 记录司法确认 案件".
func Describe(r Rule) string {
	where := "在所有租户"
	if r.Tenant != AnyTenant {
		where = "在" + TenantWord(r.Tenant)
	}
	as := ""
	if r.Rel != access.Any {
		as = "作为" + word(relWords, r.Rel) + "时"
	}
	may := "可以"
	if r.Effect == Deny {
		may = "不得"
	}
	return where + "，" + word(roleWords, r.Role) + as + may + word(actWords, r.Act) + word(objWords, r.Obj)
}

// RelationshipWord names a relationship in Chinese.
func RelationshipWord(rel string) string {
	if rel == access.Any {
		return "任何关系"
	}
	return word(relWords, rel)
}

// TenantWord names a tenant by its division's full name (上海市普陀区), not its code.
func TenantWord(code string) string {
	if d, err := division.Lookup(code); err == nil {
		return d.FullName()
	}
	return "租户（" + code + "）"
}

// ActionWords names an action on a resource in Chinese: 修改案件, 写入插件接口.
func ActionWords(obj, act string) string { return word(actWords, act) + word(objWords, obj) }

// RoleWord names a role in Chinese.
func RoleWord(role string) string { return word(roleWords, role) }
