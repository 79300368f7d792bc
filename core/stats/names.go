package stats

import "github.com/fengqiao/fengqiao/core/codes"

var groupingNames = map[string][2]string{
	ByType: {"纠纷类型", "Dispute type"}, BySource: {"案件来源", "Source"}, ByMonth: {"月份", "Month"},
	ByTenant: {"下级行政区", "Tenants below"}, string(DimCommittee): {"调委会", "Committee"},
	string(DimMediator): {"调解员", "Mediator"}, string(DimStreet): {"街道（乡镇）", "Street or town"},
	string(DimGender): {"性别", "Gender"}, string(DimAgeBand): {"年龄段", "Age band"}, string(DimOccupation): {"职业", "Occupation"},
}

// GroupingNames names what figures may be broken down by (group_by).
func GroupingNames() codes.Set { return codes.Of(Groupings(), groupingNames) }
