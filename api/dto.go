package api

import (
	"time"

	"github.com/fengqiao/fengqiao/core/audit"
	"github.com/fengqiao/fengqiao/core/identity"
	"github.com/fengqiao/fengqiao/core/tenant"
)

// Request and response bodies. Field names are the external contract: snake_case, stable.

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

type loginResponse struct {
	Token     string    `json:"token"`
	TokenType string    `json:"token_type"`
	ExpiresAt time.Time `json:"expires_at"`
	User      userDTO   `json:"user"`
}

type contactDTO struct {
	Name  string `json:"name"`
	Phone string `json:"phone"`
	Email string `json:"email"`
}

type tenantDTO struct {
	Code           string     `json:"code"`
	Name           string     `json:"name"`
	FullName       string     `json:"full_name"`
	Level          string     `json:"level"`
	ParentCode     *string    `json:"parent_code"`
	Ancestors      []string   `json:"ancestors"`
	Status         string     `json:"status"`
	StatusReason   string     `json:"status_reason"`
	AllowedActions []string   `json:"allowed_actions"`
	DisplayName    string     `json:"display_name"`
	Contact        contactDTO `json:"contact"`
	EnabledPlugins []string   `json:"enabled_plugins"`
	Placement      string     `json:"placement"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
}

func toTenantDTO(t tenant.Tenant) tenantDTO {
	d := tenantDTO{
		Code: t.Code, Name: t.Name, FullName: t.FullName, Level: string(t.Level), Ancestors: t.Ancestors,
		Status: string(t.Status), StatusReason: t.StatusReason, DisplayName: t.DisplayName,
		Contact:        contactDTO(t.Contact),
		EnabledPlugins: t.EnabledPlugins, Placement: t.Placement, CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt,
		AllowedActions: []string{},
	}
	if t.ParentCode != "" {
		p := t.ParentCode
		d.ParentCode = &p
	}
	if d.EnabledPlugins == nil {
		d.EnabledPlugins = []string{}
	}
	for _, a := range tenant.AllowedActions(t.Status) {
		d.AllowedActions = append(d.AllowedActions, string(a))
	}
	return d
}

type onboardRequest struct {
	Code        string `json:"code"`
	WithOffices bool   `json:"with_offices"`
}

type bulkOnboardRequest struct {
	Within      string   `json:"within,omitempty"`
	Codes       []string `json:"codes,omitempty"`
	WithOffices bool     `json:"with_offices"`
}

type onboardReport struct {
	Created          []string `json:"created"`
	Existing         []string `json:"existing"`
	CreatedAncestors []string `json:"created_ancestors"`
	OfficesCreated   int      `json:"offices_created"`
	CreatedCount     int      `json:"created_count"`
	ExistingCount    int      `json:"existing_count"`
}

type tenantList struct {
	Items     []tenantDTO `json:"items"`
	NextAfter string      `json:"next_after,omitempty"`
}

type settingsRequest struct {
	DisplayName    *string     `json:"display_name,omitempty"`
	Contact        *contactDTO `json:"contact,omitempty"`
	EnabledPlugins *[]string   `json:"enabled_plugins,omitempty"`
	Placement      *string     `json:"placement,omitempty"`
}

type lifecycleRequest struct {
	Reason string `json:"reason"`
}

type officeDTO struct {
	StreetCode string    `json:"street_code"`
	StreetName string    `json:"street_name"`
	Name       string    `json:"name"`
	CreatedAt  time.Time `json:"created_at"`
}

type officeList struct {
	Items []officeDTO `json:"items"`
}

type userDTO struct {
	ID          string `json:"id"`
	TenantCode  string `json:"tenant_code"`
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
	// OrganisationID: the committee or agency the user works for; empty for bureau staff.
	OrganisationID string     `json:"organisation_id,omitempty"`
	Roles          []string   `json:"roles"`
	Status         string     `json:"status"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
	LastLoginAt    *time.Time `json:"last_login_at"`
}

func toUserDTO(u identity.User) userDTO {
	roles := u.Roles
	if roles == nil {
		roles = []string{}
	}
	return userDTO{ID: u.ID, TenantCode: u.TenantCode, Username: u.Username, DisplayName: u.DisplayName, OrganisationID: u.OrganisationID, Roles: roles,
		Status: string(u.Status), CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt, LastLoginAt: u.LastLoginAt}
}

type userList struct {
	Items     []userDTO `json:"items"`
	NextAfter string    `json:"next_after,omitempty"`
}

type createUserRequest struct {
	Username    string   `json:"username"`
	DisplayName string   `json:"display_name"`
	Password    string   `json:"password"`
	Roles       []string `json:"roles"`
	// OrganisationID: the committee or agency the user works for (roles committee-head,
	// mediator, agency-clerk); empty for bureau staff.
	OrganisationID string `json:"organisation_id,omitempty"`
}

type updateUserRequest struct {
	DisplayName *string   `json:"display_name,omitempty"`
	Status      *string   `json:"status,omitempty"`
	Password    *string   `json:"password,omitempty"`
	Roles       *[]string `json:"roles,omitempty"`
}

type changePasswordRequest struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

type tokenDTO struct {
	ID         string `json:"id"`
	TenantCode string `json:"tenant_code"`
	Name       string `json:"name"`
	Prefix     string `json:"prefix"`
	Role       string `json:"role"`
	// OrganisationID: the agency whose system uses the token, or empty.
	OrganisationID string     `json:"organisation_id,omitempty"`
	CreatedBy      string     `json:"created_by"`
	CreatedAt      time.Time  `json:"created_at"`
	ExpiresAt      *time.Time `json:"expires_at"`
	RevokedAt      *time.Time `json:"revoked_at"`
	LastUsedAt     *time.Time `json:"last_used_at"`
	Active         bool       `json:"active"`
}

func toTokenDTO(t identity.Token) tokenDTO {
	return tokenDTO{ID: t.ID, TenantCode: t.TenantCode, Name: t.Name, Prefix: t.Prefix, Role: t.Role, OrganisationID: t.OrganisationID, CreatedBy: t.CreatedBy,
		CreatedAt: t.CreatedAt, ExpiresAt: t.ExpiresAt, RevokedAt: t.RevokedAt, LastUsedAt: t.LastUsedAt, Active: t.Active(time.Now())}
}

type createTokenRequest struct {
	Name string `json:"name"`
	Role string `json:"role"`
	// OrganisationID: for role agency-system, the agency whose system uses the token.
	OrganisationID string     `json:"organisation_id,omitempty"`
	ExpiresAt      *time.Time `json:"expires_at,omitempty"`
}

type createdToken struct {
	tokenDTO
	Token string `json:"token"`
}

type tokenList struct {
	Items []tokenDTO `json:"items"`
}

type auditList struct {
	Items      []auditEventDTO `json:"items"`
	NextBefore int64           `json:"next_before,omitempty"`
}

// auditEventDTO is an audit event with its actor named for people (actor stays the principal).
type auditEventDTO struct {
	audit.Event
	ActorName string `json:"actor_name,omitempty"`
}

type meResponse struct {
	Subject string    `json:"subject"`
	Kind    string    `json:"kind"`
	Name    string    `json:"name"`
	Roles   []string  `json:"roles"`
	Tenant  tenantDTO `json:"tenant"`
}

type healthResponse struct {
	Status  string `json:"status"`
	Version string `json:"version,omitempty"`
}
