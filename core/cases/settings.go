package cases

import (
	"fmt"
	"slices"
	"time"
)

// Settings are a tenant's rules of the lifecycle; zero values fall back to the platform's.
type Settings struct {
	// TimeLimitDays: days from intake to outcome per source (e.g. court referrals 30).
	TimeLimitDays map[Source]int `json:"time_limit_days"`
	// FollowUpDays: follow-ups scheduled after an agreement, in days (e.g. 7 and 30).
	FollowUpDays []int `json:"follow_up_days"`
	// FirstContactWorkingDays: the parties are contacted within this many working days of intake.
	FirstContactWorkingDays int `json:"first_contact_working_days"`
	// Routing: the thresholds of 繁简分流.
	Routing RoutingRules `json:"routing"`
}

// DefaultFirstContactWorkingDays is the platform's first-contact limit.
const DefaultFirstContactWorkingDays = 1

// AddWorkingDays adds n working days (Monday to Friday, Beijing time) to t. Public holidays
// and the swapped working weekends of the Chinese calendar are not modelled.
func AddWorkingDays(t time.Time, n int) time.Time {
	bj := t.In(time.FixedZone("CST", 8*3600))
	for n > 0 {
		bj = bj.AddDate(0, 0, 1)
		if wd := bj.Weekday(); wd != time.Saturday && wd != time.Sunday {
			n--
		}
	}
	return bj.In(t.Location())
}

// DefaultSettings are the platform's rules.
func DefaultSettings() Settings {
	s := Settings{TimeLimitDays: map[Source]int{}, FollowUpDays: append([]int(nil), FollowUpDays...),
		FirstContactWorkingDays: DefaultFirstContactWorkingDays, Routing: DefaultRoutingRules()}
	for _, src := range sources {
		s.TimeLimitDays[src.Code] = int(src.TimeLimit / (24 * time.Hour))
	}
	return s
}

// Merged fills what a tenant left unset from the defaults.
func (s Settings) Merged() Settings {
	d := DefaultSettings()
	for src, days := range s.TimeLimitDays {
		d.TimeLimitDays[src] = days
	}
	if len(s.FollowUpDays) > 0 {
		d.FollowUpDays = append([]int(nil), s.FollowUpDays...)
	}
	if s.FirstContactWorkingDays > 0 {
		d.FirstContactWorkingDays = s.FirstContactWorkingDays
	}
	d.Routing = s.Routing.merged()
	return d
}

// TimeLimit is the time limit for a source: the tenant's, else the platform's (the same as
// Merged().TimeLimitDays[src], without building the merged settings: imports call it per row).
func (s Settings) TimeLimit(src Source) time.Duration {
	if days, ok := s.TimeLimitDays[src]; ok {
		return time.Duration(days) * 24 * time.Hour
	}
	if info, ok := LookupSource(string(src)); ok {
		return info.TimeLimit
	}
	return 0
}

// Validate checks a tenant's settings.
func (s Settings) Validate() error {
	var v errs
	for src, days := range s.TimeLimitDays {
		if _, ok := LookupSource(string(src)); !ok {
			v.Add("time_limit_days."+string(src), "未知来源 %q / unknown source %q", src, src)
		} else if days < 1 || days > 365 {
			v.Add("time_limit_days."+string(src), "期限须为 1–365 天 / a time limit must be 1–365 days")
		}
	}
	s.Routing.validate(&v)
	if s.FirstContactWorkingDays < 0 || s.FirstContactWorkingDays > 30 {
		v.Add("first_contact_working_days", "首次联系期限须为 1–30 个工作日 / first_contact_working_days must be 1–30")
	}
	if len(s.FollowUpDays) > 5 {
		v.Add("follow_up_days", "最多 5 次回访 / at most 5 follow-ups")
	}
	for i, d := range s.FollowUpDays {
		if d < 1 || d > 365 {
			v.Add(fmt.Sprintf("follow_up_days[%d]", i), "回访时间须为协议后 1–365 天 / a follow-up is 1–365 days after the agreement")
		}
	}
	if !slices.IsSorted(s.FollowUpDays) || len(slices.Compact(slices.Clone(s.FollowUpDays))) != len(s.FollowUpDays) {
		v.Add("follow_up_days", "回访天数须递增且不重复，如 [7, 30] / follow_up_days must increase without repeats, e.g. [7, 30]")
	}
	return v.Err()
}
