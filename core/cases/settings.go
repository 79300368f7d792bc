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
	// CourtTimeLimitDays: the time limit of court-entrusted mediation by the referral's kind,
	// pre_filing (诉前委派) and in_litigation (诉中委托); it replaces the source's limit.
	CourtTimeLimitDays map[string]int `json:"court_time_limit_days"`
	// CourtExtensionDays: how long a court time limit is extended, once, with a reason.
	CourtExtensionDays *int `json:"court_extension_days"`
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
	s.CourtTimeLimitDays = map[string]int{}
	for _, k := range CourtKinds {
		s.CourtTimeLimitDays[k] = DefaultCourtDays
	}
	ext := DefaultCourtDays
	s.CourtExtensionDays = &ext
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
	for k, days := range s.CourtTimeLimitDays {
		d.CourtTimeLimitDays[k] = days
	}
	if s.CourtExtensionDays != nil {
		ext := *s.CourtExtensionDays
		d.CourtExtensionDays = &ext
	}
	return d
}

// CaseTimeLimit is the time limit of a case from its source and referral: a court-entrusted
// case follows the court's limit of its kind, any other its source's (TimeLimit).
func (s Settings) CaseTimeLimit(src Source, r *Referral) time.Duration {
	if !CourtEntrusted(src, r) {
		return s.TimeLimit(src)
	}
	days, ok := s.CourtTimeLimitDays[r.Kind]
	if !ok {
		days = DefaultCourtDays
	}
	return time.Duration(days) * 24 * time.Hour
}

// ExtensionDays is the extension of a court time limit: the tenant's, else the platform's.
func (s Settings) ExtensionDays() int {
	if s.CourtExtensionDays != nil {
		return *s.CourtExtensionDays
	}
	return DefaultCourtDays
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
	for k, days := range s.CourtTimeLimitDays {
		if !oneOf(k, CourtKinds) {
			v.Add("court_time_limit_days."+k, "法院委托类型须为诉前委派或诉中委托 / the kind must be pre_filing or in_litigation")
		} else if days < 1 || days > 365 {
			v.Add("court_time_limit_days."+k, "法院委托调解期限须为 1–365 天 / a court time limit must be 1–365 days")
		}
	}
	if x := s.CourtExtensionDays; x != nil && (*x < 1 || *x > 365) {
		v.Add("court_extension_days", "延长期限须为 1–365 天 / court_extension_days must be 1–365")
	}
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
