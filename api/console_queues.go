package api

// Queues: warnings to acknowledge, follow-ups due, overdue cases, the inbox; and the agency view.
func consoleQueuePages() []page { return nil }

// queueStatusNames are the case statuses as people say them.
var queueStatusNames = map[string][2]string{
	"received": {"待分流", "Received"}, "assigned": {"已分派", "Assigned"}, "mediating": {"调解中", "Mediating"},
	"succeeded": {"调解成功", "Succeeded"}, "failed": {"调解不成", "Failed"}, "guided": {"已引导", "Guided"}, "closed": {"已结案", "Closed"},
}

// QueueStatus names a case status in the user's language.
func (v *view) QueueStatus(status string) string {
	if n, ok := queueStatusNames[status]; ok {
		return v.T(n[0], n[1])
	}
	return status
}
