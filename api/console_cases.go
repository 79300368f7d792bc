package api

// Cases: the list with filters and search, and the case page with its actions.
func consoleCasePages() []page { return nil }
