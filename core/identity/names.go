package identity

import "github.com/fengqiao/fengqiao/core/codes"

var roleNames = map[string][2]string{
	RoleNationalAdmin: {"全国管理员", "National administrator"},
	RoleProvinceAdmin: {"省级管理员", "Provincial administrator"},
	RoleCityAdmin:     {"市级管理员", "City administrator"},
	RoleDistrictAdmin: {"区县管理员", "District administrator"},
	RoleDistrictStaff: {"区县工作人员", "District staff"},
	RoleIntakeOfficer: {"受理员", "Intake officer"},
	RoleAnalyst:       {"统计分析员", "Analyst"},
	RoleCommitteeHead: {"调委会主任", "Committee head"},
	RoleMediator:      {"调解员", "Mediator"},
	RoleAgencyClerk:   {"协作单位工作人员", "Partner agency clerk"},
	RoleAgencySystem:  {"协作单位系统", "Partner agency system"},
}

// RoleNames names every role, highest first.
func RoleNames() codes.Set { return codes.Of(Roles(), roleNames) }

// StatusNames names the statuses of a user account.
func StatusNames() codes.Set {
	return codes.Of([]Status{StatusActive, StatusDisabled}, map[Status][2]string{
		StatusActive: {"正常", "Active"}, StatusDisabled: {"已停用", "Disabled"}})
}

// PrincipalKindNames names who may call: a user who logged in or an API token.
func PrincipalKindNames() codes.Set {
	return codes.Of([]string{"user", "token"}, map[string][2]string{"user": {"用户", "User"}, "token": {"API 令牌", "API token"}})
}
