package api

// Administration: organisations, mediators, experts, users, tokens, onboarding, the policy,
// plugins and their settings, import and export.
func consoleAdminPages() []page { return nil }
