package api

// Queues: warnings to acknowledge, follow-ups due, overdue cases, the inbox; and the agency view.
func consoleQueuePages() []page { return nil }
