package cases

// After-events: what a committed case change tells the plugins that subscribe to it (the
// vocabulary of plugins.Events).
const (
	EventReceived  = "case.received"
	EventAssigned  = "case.assigned"
	EventConcluded = "case.concluded"
	EventClosed    = "case.closed"
	EventReopened  = "case.reopened"
	EventUpdated   = "case.updated"
)

// AfterEvents are the after-events of a change from before to after (before nil: intake): at
// most one transition event, then EventUpdated for every change but an intake.
func AfterEvents(before, after *Case) []string {
	if before == nil {
		return []string{EventReceived}
	}
	var out []string
	switch {
	case after.CommitteeID != before.CommitteeID && after.CommitteeID != "":
		out = append(out, EventAssigned)
	case Concluded(after.Status) && !Concluded(before.Status):
		out = append(out, EventConcluded)
	case after.Status == StatusClosed && before.Status != StatusClosed:
		out = append(out, EventClosed)
	case Concluded(before.Status) && !Concluded(after.Status) && after.Status != StatusClosed:
		out = append(out, EventReopened)
	}
	return append(out, EventUpdated)
}

// ReportsOutcome reports whether a change brings a referred case (诉调对接) to its outcome, which
// is reported back to the referring agency: the case was not concluded before, and now has
// succeeded, failed or been guided elsewhere.
func ReportsOutcome(before, after *Case) bool {
	return before != nil && after.Referral != nil && after.Referral.AgencyID != "" && !Concluded(before.Status) &&
		(after.Status == StatusSucceeded || after.Status == StatusFailed || after.Status == StatusGuided)
}
