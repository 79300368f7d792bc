package plugins

// The platform's model of a plugin's manifest: what a plugin is and asks for. Plugins serve it
// in the protocol's terms (plugins/sdk/proto); core/pluginhost converts it, in one place, into
// these types, which the rest of the platform (catalog, API, CLI) reads.
//
// The JSON encoding of Manifest is the catalog's stored form (plugins.manifest, jsonb). It is
// the form the catalog has always held — protojson with the protocol's field names
// (UseProtoNames): snake_case keys, zero values omitted, bytes as standard base64 — so rows
// written before this model existed read unchanged (core/pluginhost's tests prove it both ways).

// Manifest is what a plugin is and asks for.
type Manifest struct {
	Name            string `json:"name,omitempty"`             // [a-z][a-z0-9-]{1,39}
	Version         string `json:"version,omitempty"`          // semantic version, e.g. 1.2.0
	ProtocolVersion uint32 `json:"protocol_version,omitempty"` // the protocol it was served under
	Description     Text   `json:"description,omitzero"`
	// Regions are the division code prefixes where it may be enabled ("31", "3701"); "*" everywhere.
	Regions []string `json:"regions,omitempty"`
	Hooks   []Hook   `json:"hooks,omitempty"`
	Routes  []Route  `json:"routes,omitempty"`
	Jobs    []Job    `json:"jobs,omitempty"`
	// Permissions are the host permissions it requests (see Permissions).
	Permissions []string `json:"permissions,omitempty"`
	// SettingsSchema is the JSON Schema (2020-12) of its per-tenant settings, with defaults.
	SettingsSchema []byte         `json:"settings_schema,omitempty"`
	Console        []ConsoleEntry `json:"console,omitempty"`
	// Events are the after-events it subscribes to (see Events).
	Events []string `json:"events,omitempty"`
	// OpenAPI is the OpenAPI 3 fragment ("paths" and "components") of its routes, JSON.
	OpenAPI []byte `json:"openapi,omitempty"`
}

// Text is a text in Chinese and in English.
type Text struct {
	Zh string `json:"zh,omitempty"`
	En string `json:"en,omitempty"`
}

// Hook is a before-hook subscription.
type Hook struct {
	Name      string `json:"name,omitempty"`       // one of Hooks
	TimeoutMS uint32 `json:"timeout_ms,omitempty"` // deadline of one call; 0: DefaultHookTimeout
	FailOpen  bool   `json:"fail_open,omitempty"`  // on timeout or error, let the action proceed
}

// Route is an HTTP route the plugin serves below /api/v1/tenants/{code}/plugins/{name}.
type Route struct {
	Method    string `json:"method,omitempty"` // GET, POST, PUT, PATCH, DELETE
	Path      string `json:"path,omitempty"`   // e.g. "/applications/{id}"
	Summary   Text   `json:"summary,omitzero"`
	Public    bool   `json:"public,omitempty"`     // served without login: GET only
	TimeoutMS uint32 `json:"timeout_ms,omitempty"` // 0: DefaultRouteTimeout
}

// Job is a scheduled job, run per enabled tenant.
type Job struct {
	Name        string `json:"name,omitempty"`
	Schedule    string `json:"schedule,omitempty"` // see ParseSchedule
	Description Text   `json:"description,omitzero"`
	TimeoutMS   uint32 `json:"timeout_ms,omitempty"` // 0: DefaultJobTimeout
}

// ConsoleEntry is a page or form the plugin adds to the console's menu.
type ConsoleEntry struct {
	Menu     Text   `json:"menu,omitzero"`
	Path     string `json:"path,omitempty"` // the GET route that serves it
	Kind     string `json:"kind,omitempty"` // page or form
	RoleHint string `json:"role_hint,omitempty"`
}
