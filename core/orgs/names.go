package orgs

import "github.com/fengqiao/fengqiao/core/codes"

// KindNames names the kinds of organisation.
func KindNames() codes.Set {
	out := make(codes.Set, len(kinds))
	for i, k := range kinds {
		out[i] = codes.Name{Code: string(k.Code), ZH: k.NameZH, EN: k.NameEN}
	}
	return out
}

// StatusNames names whether a unit or person is in service.
func StatusNames() codes.Set {
	return codes.Of([]Status{StatusActive, StatusInactive}, map[Status][2]string{
		StatusActive: {"在用", "Active"}, StatusInactive: {"已停用", "Inactive"}})
}

// MediatorKindNames names full-time and part-time mediators.
func MediatorKindNames() codes.Set {
	return codes.Of([]MediatorKind{FullTime, PartTime}, map[MediatorKind][2]string{
		FullTime: {"专职", "Full-time"}, PartTime: {"兼职", "Part-time"}})
}

// GradeNames names the mediators' grades.
func GradeNames() codes.Set {
	return codes.Of(grades, map[string][2]string{
		"junior": {"初级", "Junior"}, "intermediate": {"中级", "Intermediate"}, "senior": {"高级", "Senior"}})
}

// FieldNames names the experts' fields.
func FieldNames() codes.Set {
	return codes.Of(fields, map[string][2]string{
		"lawyer": {"律师", "Lawyer"}, "doctor": {"医生", "Doctor"}, "psychologist": {"心理咨询师", "Psychologist"},
		"engineer": {"工程师", "Engineer"}, "accountant": {"会计师", "Accountant"}, "other": {"其他", "Other"}})
}

// IndustryNames names the industries of industry committees.
func IndustryNames() codes.Set {
	return codes.Of(industries, map[string][2]string{
		"medical": {"医疗", "Medical"}, "property": {"物业", "Property management"}, "consumer": {"消费", "Consumer"},
		"finance": {"金融", "Finance"}, "ip": {"知识产权", "Intellectual property"}, "traffic": {"道路交通", "Road traffic"},
		"labour": {"劳动", "Labour"}, "tourism": {"旅游", "Tourism"}, "internet": {"互联网", "Internet"},
		"commercial": {"商事", "Commercial"}, "other": {"其他", "Other"}})
}

// StationNames names where a dispatched committee is stationed.
func StationNames() codes.Set {
	return codes.Of(stations, map[string][2]string{
		"court": {"法院", "Court"}, "police": {"公安派出所", "Police station"}, "petition": {"信访部门", "Petition office"}, "other": {"其他单位", "Other"}})
}
