package api

// Intake: taking in a case, with live validation, the proposed routing and the warning level.
func consoleIntakePages() []page { return nil }
