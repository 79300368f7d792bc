package tenant

import "github.com/fengqiao/fengqiao/core/codes"

// StatusNames names the tenant statuses.
func StatusNames() codes.Set {
	return codes.Of([]Status{StatusActive, StatusSuspended, StatusArchived}, map[Status][2]string{
		StatusActive: {"正常", "Active"}, StatusSuspended: {"已暂停", "Suspended (readable by the levels above)"},
		StatusArchived: {"已归档", "Archived (read-only)"}})
}

// ActionNames names the lifecycle actions.
func ActionNames() codes.Set {
	return codes.Of([]Action{ActionSuspend, ActionResume, ActionArchive}, map[Action][2]string{
		ActionSuspend: {"暂停", "Suspend"}, ActionResume: {"恢复", "Resume"}, ActionArchive: {"归档", "Archive"}})
}
