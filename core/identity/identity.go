// Package identity owns who may call Fengqiao: users of a tenant with their roles, password
// hashing, the signed bearer tokens a login returns, and API tokens for agency systems. It
// holds no storage: the store persists users and tokens, the authorization package decides what
// a role may do.
package identity

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/fengqiao/fengqiao/core/division"
	"github.com/fengqiao/fengqiao/core/kind"
	"github.com/fengqiao/fengqiao/core/valid"
)

// Role names. A role is held in the tenant a user belongs to and reaches down its subtree.
const (
	RoleNationalAdmin = "national-admin"
	RoleProvinceAdmin = "province-admin"
	RoleCityAdmin     = "city-admin"
	RoleDistrictAdmin = "district-admin"
	RoleDistrictStaff = "district-staff"
	RoleAgencySystem  = "agency-system"
	// Roles of cross-agency access, all held in a district.
	RoleIntakeOfficer = "intake-officer" // 受理员: takes in and corrects cases
	RoleAnalyst       = "analyst"        // 统计分析员: figures and case summaries, no personal data
	RoleCommitteeHead = "committee-head" // 调委会主任: the cases of one committee
	RoleMediator      = "mediator"       // 调解员: the cases assigned to the user
	RoleAgencyClerk   = "agency-clerk"   // 协作单位工作人员: the cases an agency referred or is linked to
)

// OrgNeed says which organisation a role's holder must work for.
type OrgNeed int

const (
	NoOrg        OrgNeed = iota // bureau staff: no organisation
	CommitteeOrg                // a mediation committee or brand studio of the tenant
	AgencyOrg                   // a partner agency of the tenant (court, police station…)
	// AgencyOrgOptional: a partner agency, or none — an agency system's token without one can
	// refer cases but sees none of them.
	AgencyOrgOptional
)

// roleOrgs says which roles need an organisation; the others are bureau roles, held without.
var roleOrgs = map[string]OrgNeed{
	RoleCommitteeHead: CommitteeOrg,
	RoleMediator:      CommitteeOrg,
	RoleAgencyClerk:   AgencyOrg,
	RoleAgencySystem:  AgencyOrgOptional,
}

// RoleOrg returns which organisation a holder of role must belong to.
func RoleOrg(role string) OrgNeed { return roleOrgs[role] }

// roleLevels says at which tenant level each role may be held.
var roleLevels = map[string]division.Level{
	RoleNationalAdmin: division.LevelCountry,
	RoleProvinceAdmin: division.LevelProvince,
	RoleCityAdmin:     division.LevelCity,
	RoleDistrictAdmin: division.LevelDistrict,
	RoleDistrictStaff: division.LevelDistrict,
	RoleAgencySystem:  division.LevelDistrict,
	RoleIntakeOfficer: division.LevelDistrict,
	RoleAnalyst:       division.LevelDistrict,
	RoleCommitteeHead: division.LevelDistrict,
	RoleMediator:      division.LevelDistrict,
	RoleAgencyClerk:   division.LevelDistrict,
}

// Roles lists every role, highest first.
func Roles() []string {
	return append([]string{RoleNationalAdmin, RoleProvinceAdmin, RoleCityAdmin}, DistrictRoles()...)
}

// DistrictRoles lists the roles held in a district.
func DistrictRoles() []string {
	return []string{RoleDistrictAdmin, RoleDistrictStaff, RoleIntakeOfficer, RoleAnalyst, RoleCommitteeHead, RoleMediator, RoleAgencyClerk, RoleAgencySystem}
}

// RoleLevel returns the tenant level a role belongs to.
func RoleLevel(role string) (division.Level, bool) {
	l, ok := roleLevels[role]
	return l, ok
}

// Status of a user account.
type Status string

const (
	StatusActive   Status = "active"
	StatusDisabled Status = "disabled"
)

// User is a person who logs in.
type User struct {
	ID          string
	TenantCode  string
	Username    string
	DisplayName string
	// OrganisationID: the organisation of the tenant the user works for (a committee, a court…);
	// "" for bureau staff.
	OrganisationID string
	Roles          []string
	Status         Status
	CreatedAt      time.Time
	UpdatedAt      time.Time
	LastLoginAt    *time.Time
	// SessionGeneration is signed into every login token; raising it ends the tokens issued
	// before (password, status or roles changed, logged out everywhere).
	SessionGeneration int64
}

// Subject is the user's name in authorization policies.
func (u User) Subject() string { return UserSubject(u.ID) }

// UserSubject and TokenSubject name principals in authorization policies.
func UserSubject(id string) string  { return "user:" + id }
func TokenSubject(id string) string { return "token:" + id }

// Principal is the authenticated caller of one request.
type Principal struct {
	Subject    string // user:<id> or token:<id>
	ID         string
	Kind       string // "user" or "token"
	TenantCode string // the tenant the principal belongs to
	Username   string // user name, or the token's name
	// OrganisationID: the organisation of the tenant the principal works for, or "".
	OrganisationID string
	// The login session (login tokens only): the token's id, the user's session generation
	// it was issued under, and when it expires.
	SessionID         string
	SessionGeneration int64
	SessionExpires    time.Time
	SessionIssued     time.Time // when the login token was issued (the login)
}

// Sentinel errors.
var (
	ErrBadCredentials  = kind.New(kind.Unauthenticated, "wrong username or password")
	ErrUnauthenticated = kind.New(kind.Unauthenticated, "missing, invalid or expired credentials")
	ErrDisabled        = kind.New(kind.Forbidden, "account disabled")
	ErrUsernameTaken   = kind.New(kind.Conflict, "username already taken")
	ErrUserNotFound    = kind.New(kind.NotFound, "user not found")
	ErrTokenNotFound   = kind.New(kind.NotFound, "token not found")
	ErrInvalid         = errors.New("invalid input")
	// ErrNotASession: logging out needs a login token; an API token is revoked instead.
	ErrNotASession = kind.New(kind.Conflict, "not a login session")
	// ErrNotManageable: the actor may not change that user (see ManageError).
	ErrNotManageable = kind.New(kind.Forbidden, "user not manageable by the caller")
)

// ManageError says why the actor may not change a user, naming the input field at fault.
type ManageError struct {
	Field   string
	Message string
}

func (e *ManageError) Error() string { return e.Field + ": " + e.Message }
func (e *ManageError) Unwrap() error { return ErrNotManageable }

// invalidField is the *valid.Error naming the input field at fault, wrapping ErrInvalid.
func invalidField(field, message string) error { return valid.New(ErrInvalid, field, message) }

var usernamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._@-]{2,63}$`)

// NormalizeUsername lower-cases and validates a username: 3–64 characters, letters, digits and
// . _ @ -, starting with a letter or digit.
func NormalizeUsername(s string) (string, error) {
	u := strings.ToLower(strings.TrimSpace(s))
	if !usernamePattern.MatchString(u) {
		return "", invalidField("username", "用户名须为 3–64 位字母、数字或 . _ @ -，以字母或数字开头 / username must be 3–64 letters, digits or . _ @ -, starting with a letter or digit")
	}
	return u, nil
}

// Password length bounds. The upper bound keeps hashing cost bounded.
const (
	MinPasswordLen = 8
	MaxPasswordLen = 128
)

// CheckPassword enforces the password policy.
func CheckPassword(p string) error {
	n := utf8.RuneCountInString(p)
	if n < MinPasswordLen || len(p) > MaxPasswordLen {
		return invalidField("password", fmt.Sprintf("密码长度须为 %d–%d 个字符 / password must be %d–%d characters", MinPasswordLen, MaxPasswordLen, MinPasswordLen, MaxPasswordLen))
	}
	return nil
}

// CheckRole verifies that role exists and may be held in a tenant of the given level.
func CheckRole(role string, level division.Level) error {
	want, ok := roleLevels[role]
	if !ok {
		return invalidField("role", fmt.Sprintf("未知角色 %q，可选：%s / unknown role %q; one of: %s", role, strings.Join(Roles(), ", "), role, strings.Join(Roles(), ", ")))
	}
	if want != level {
		return invalidField("role", fmt.Sprintf("角色「%s」只能授予%s租户的用户 / role %s belongs to a %s tenant, not a %s", RoleNames().ZH(role), division.TenantLevelNames().ZH(string(want)), role, want, level))
	}
	return nil
}
