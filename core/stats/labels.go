package stats

import (
	"time"

	"github.com/fengqiao/fengqiao/core/cases"
	"github.com/fengqiao/fengqiao/core/division"
)

// UnknownLabel names the bucket of a missing attribute (未登记): a party without a recorded
// gender or birth year, a case without a place, a session without a mediator.
const UnknownLabel = "未登记"

var ageBandLabels = map[string]string{"under_18": "未满 18 岁", "18_29": "18–29 岁", "30_44": "30–44 岁",
	"45_59": "45–59 岁", "60_plus": "60 岁及以上", Unknown: UnknownLabel}

var builtInTypes = func() map[string]string {
	out := map[string]string{}
	for _, t := range cases.BuiltInTypes() {
		out[t.Code] = t.NameZH
	}
	return out
}()

// UnitOf tells what the rows of a breakdown count: "party" for the party dimensions (gender,
// age band, occupation: each person among the parties), "case" for the others, whose rows add
// up to the headline (a case counts for its lead mediator only).
func UnitOf(by string) string {
	switch Dim(by) {
	case DimGender, DimAgeBand, DimOccupation:
		return "party"
	}
	return "case"
}

// Label names a value of a breakdown for people, in Chinese, from what the platform knows
// without the database: dispute types and sources of the catalogues, streets of the division
// data, genders, age bands, months, and the unknown buckets. A value it cannot name (a tenant,
// a committee, a tenant's own dispute type: the store names those) is returned as it is, so a
// label is never empty.
func Label(by, value string) string {
	switch by {
	case ByType:
		if n, ok := builtInTypes[value]; ok {
			return n
		}
	case BySource:
		if info, ok := cases.LookupSource(value); ok {
			return info.NameZH
		}
	case ByMonth:
		if m, err := time.Parse("2006-01", value); err == nil {
			return m.Format("2006年1月")
		}
	case ByTenant:
		if d, err := division.Lookup(value); err == nil {
			return d.Name
		}
	case string(DimCommittee):
		if value == Unknown {
			return "未分派调委会"
		}
	case string(DimStreet):
		if value == Unknown {
			return UnknownLabel
		}
		if d, err := division.Lookup(value); err == nil {
			return d.Name
		}
	case string(DimGender):
		switch value {
		case "male":
			return "男"
		case "female":
			return "女"
		}
		return UnknownLabel
	case string(DimAgeBand):
		if l, ok := ageBandLabels[value]; ok {
			return l
		}
		return UnknownLabel
	case string(DimMediator):
		if value == Unassigned {
			return "未指派"
		}
		if value == Unknown || value == "" {
			return UnknownLabel
		}
	case string(DimOccupation):
		if value == Unknown || value == "" {
			return UnknownLabel
		}
	}
	if value == "" || value == Unknown {
		return UnknownLabel
	}
	return value
}
