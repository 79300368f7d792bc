package identity

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/fengqiao/fengqiao/core/division"
	"github.com/fengqiao/fengqiao/core/kind"
	"github.com/fengqiao/fengqiao/core/orgs"
	"github.com/fengqiao/fengqiao/core/tenant"
	"github.com/fengqiao/fengqiao/core/valid"
)

// Credentials is what a login needs to know about a username.
type Credentials struct {
	User         User
	PasswordHash string
	TenantStatus tenant.Status
}

// UserChange is a partial update of a user; nil fields are left alone.
type UserChange struct {
	DisplayName  *string
	Status       *Status
	PasswordHash *string
	Grants       [][]string // non-nil: replaces the user's roles in its tenant
	// EndSessions raises the user's session generation in the same transaction: every login
	// token issued before stops working.
	EndSessions bool
}

// PrincipalState is what authenticating a login token reads of its user, in one statement.
type PrincipalState struct {
	UserStatus        Status
	TenantStatus      tenant.Status
	OrganisationID    string // "" for bureau staff
	SessionGeneration int64
	Revoked           bool // this token (session id) was logged out
}

// Repo is the storage the identity service needs. Grant rows are authorization rules
// ("g", subject, role, tenant) written in the same transaction as the principal; the store
// fills in the subject once the id is known.
type Repo interface {
	CreateUser(ctx context.Context, u User, passwordHash string, grants [][]string) (User, error)
	CredentialsFor(ctx context.Context, username string) (Credentials, error)
	RecordLogin(ctx context.Context, u User) error
	// PrincipalState returns the user's status, its tenant's, the user's organisation and
	// session generation, and whether the session sessionID was logged out.
	PrincipalState(ctx context.Context, tenantCode, userID, sessionID string) (PrincipalState, error)
	// BeginLoginAttempt counts an attempt of username from client unless the pair must still
	// wait, and then returns the wait and counts nothing. delay gives the pair's next wait from
	// its attempts and the username's failures from every address (LoginDelay).
	BeginLoginAttempt(ctx context.Context, username, client string, delay func(attempts, usernameFailures int) time.Duration) (time.Duration, error)
	// ClearLoginFailures forgets the pair's failures (the password was right).
	ClearLoginFailures(ctx context.Context, username, client string) error
	// RevokeSession records a login token as logged out until it expires.
	RevokeSession(ctx context.Context, tenantCode, userID, sessionID string, expires time.Time) error
	// EndSessions raises the user's session generation: every login token issued before ends.
	EndSessions(ctx context.Context, tenantCode, userID string) error
	// ExpireConsoleSession revokes a console session a timeout ended, as RevokeSession does,
	// recording why ("idle" or "max_age").
	ExpireConsoleSession(ctx context.Context, tenantCode, userID, sessionID string, expires time.Time, reason string) error
	// StartConsoleSession records a login token as a console session started at started.
	StartConsoleSession(ctx context.Context, tenantCode, userID, sessionID string, started, expires time.Time) error
	// ConsoleSessionSeen returns a console session's start, last use and the store's clock
	// (ErrSessionNotFound when there is none), and moves its last use to now when older than
	// touchAfter and the session is within lim.
	ConsoleSessionSeen(ctx context.Context, tenantCode, userID, sessionID string, touchAfter time.Duration, lim SessionLimits) (ConsoleSeen, error)
	// OrganisationKind returns the kind of an active organisation of the tenant, or
	// ErrOrganisationNotFound.
	OrganisationKind(ctx context.Context, tenantCode, id string) (orgs.Kind, error)
	Users(ctx context.Context, tenantCode, after string, limit int) ([]User, error)
	User(ctx context.Context, tenantCode, id string) (User, error)
	UpdateUser(ctx context.Context, tenantCode, id string, ch UserChange) (User, [][]string, error)
	CreateToken(ctx context.Context, t Token, hash []byte, grants [][]string) (Token, error)
	TokenByHash(ctx context.Context, tenantCode string, hash []byte) (Token, tenant.Status, error)
	Tokens(ctx context.Context, tenantCode string) ([]Token, error)
	RevokeToken(ctx context.Context, tenantCode, id string) (Token, [][]string, error)
}

// Authorizer is what identity needs of the authorization layer.
type Authorizer interface {
	Allowed(sub, dom, obj, act string) (bool, error)
	Granted(rows [][]string) error
	Revoked(rows [][]string) error
	// HasRole tells whether sub holds role in tenant dom itself (not through an ancestor).
	HasRole(sub, role, dom string) bool
}

// Service runs login, authentication and the management of users and API tokens.
type Service struct {
	repo   Repo
	authz  Authorizer
	signer *Signer
	now    func() time.Time
}

// NewService returns an identity service.
func NewService(repo Repo, authz Authorizer, signer *Signer) *Service {
	return &Service{repo: repo, authz: authz, signer: signer, now: time.Now}
}

// ErrRoleNotGrantable means the caller may not grant a role.
var ErrRoleNotGrantable = kind.New(kind.Forbidden, "role not grantable by the caller")

// Login checks a username and password sent from a client address and returns a signed
// bearer token. Attempts are throttled per username and address (LoginDelay): a pair that must
// wait gets a *ThrottledError before its password is checked.
func (s *Service) Login(ctx context.Context, username, password, client string) (string, time.Time, User, error) {
	name, err := NormalizeUsername(username)
	if err != nil || len(password) > MaxPasswordLen {
		return "", time.Time{}, User{}, ErrBadCredentials // no such user can exist: nothing to count
	}
	wait, err := s.repo.BeginLoginAttempt(ctx, name, client, LoginDelay)
	if err != nil {
		return "", time.Time{}, User{}, err
	}
	if wait > 0 {
		return "", time.Time{}, User{}, &ThrottledError{Wait: wait}
	}
	c, err := s.repo.CredentialsFor(ctx, name)
	if errors.Is(err, ErrUserNotFound) {
		BurnPasswordCheck(password)
		return "", time.Time{}, User{}, ErrBadCredentials
	}
	if err != nil {
		return "", time.Time{}, User{}, err
	}
	ok, err := VerifyPassword(c.PasswordHash, password)
	if err != nil {
		return "", time.Time{}, User{}, fmt.Errorf("verify password of %s: %w", c.User.ID, err)
	}
	if !ok {
		return "", time.Time{}, User{}, ErrBadCredentials
	}
	if err := s.repo.ClearLoginFailures(ctx, name, client); err != nil {
		return "", time.Time{}, User{}, err
	}
	if c.User.Status != StatusActive {
		return "", time.Time{}, User{}, ErrDisabled
	}
	if err := tenant.Usable(c.TenantStatus); err != nil {
		return "", time.Time{}, User{}, err
	}
	tok, exp, err := s.signer.Issue(c.User)
	if err != nil {
		return "", time.Time{}, User{}, err
	}
	if err := s.repo.RecordLogin(ctx, c.User); err != nil {
		return "", time.Time{}, User{}, err
	}
	return tok, exp, c.User, nil
}

// Authenticate turns a bearer credential (login token or API token) into a principal that
// may act now: its account and its tenant are active.
func (s *Service) Authenticate(ctx context.Context, bearer string) (Principal, error) {
	if LooksLikeAPIToken(bearer) {
		code, hash, err := ParseAPIToken(bearer)
		if err != nil {
			return Principal{}, err
		}
		t, ts, err := s.repo.TokenByHash(ctx, code, hash)
		if errors.Is(err, ErrTokenNotFound) || (err == nil && !t.Active(s.now())) {
			return Principal{}, ErrUnauthenticated
		}
		if err != nil {
			return Principal{}, err
		}
		if err := tenant.Usable(ts); err != nil {
			return Principal{}, err
		}
		return Principal{Subject: t.Subject(), ID: t.ID, Kind: "token", TenantCode: t.TenantCode, Username: t.Name, OrganisationID: t.OrganisationID}, nil
	}
	p, err := s.signer.Verify(bearer)
	if err != nil {
		return Principal{}, err
	}
	st, err := s.repo.PrincipalState(ctx, p.TenantCode, p.ID, p.SessionID)
	if errors.Is(err, ErrUserNotFound) {
		return Principal{}, ErrUnauthenticated
	}
	if err != nil {
		return Principal{}, err
	}
	if st.UserStatus != StatusActive {
		return Principal{}, ErrDisabled
	}
	// A token of an earlier generation (credentials changed since) or logged out is no more.
	if st.Revoked || st.SessionGeneration != p.SessionGeneration {
		return Principal{}, ErrUnauthenticated
	}
	if err := tenant.Usable(st.TenantStatus); err != nil {
		return Principal{}, err
	}
	p.OrganisationID = st.OrganisationID
	return p, nil
}

// Logout ends the login session of p's token; the user's other tokens keep working. An API
// token has no session: it is revoked through the tokens of its tenant (ErrNotASession).
func (s *Service) Logout(ctx context.Context, p Principal) error {
	if p.Kind != "user" || p.SessionID == "" {
		return ErrNotASession
	}
	return s.repo.RevokeSession(ctx, p.TenantCode, p.ID, p.SessionID, p.SessionExpires)
}

// LogoutEverywhere ends every login session of p's user, this one included.
func (s *Service) LogoutEverywhere(ctx context.Context, p Principal) error {
	if p.Kind != "user" {
		return ErrNotASession
	}
	return s.repo.EndSessions(ctx, p.TenantCode, p.ID)
}

// EndSessions ends every login session of another user of tenantCode, which the actor must be
// able to manage (mayManage).
func (s *Service) EndSessions(ctx context.Context, actor Principal, tenantCode, id string) error {
	target, err := s.repo.User(ctx, tenantCode, id)
	if err != nil {
		return err
	}
	if err := s.mayManage(actor, target, "id"); err != nil {
		return err
	}
	return s.repo.EndSessions(ctx, tenantCode, id)
}

// mayManage bounds what an actor may do to another user like role changes are bounded: the
// actor must be able to grant every role the target holds (no superior), and must not hold any
// of them in the target's own tenant (no peer: one district administrator does not reset
// another's password). A user changes its own password through ChangeOwnPassword.
func (s *Service) mayManage(actor Principal, target User, field string) error {
	for _, r := range target.Roles {
		ok, err := s.authz.Allowed(actor.Subject, target.TenantCode, "role:"+r, "assign")
		if err != nil {
			return err
		}
		if !ok {
			return &ManageError{Field: field, Message: fmt.Sprintf("该用户持有您不能授予的角色「%s」，不能由您管理 / the user holds role %s, which you cannot grant: you cannot manage this user", RoleNames().ZH(r), r)}
		}
		if s.authz.HasRole(actor.Subject, r, target.TenantCode) {
			return &ManageError{Field: field, Message: fmt.Sprintf("该用户与您同为本租户的%s，须由上级管理员管理 / the user holds your own role %s in this tenant: a higher-level administrator manages peers", RoleNames().ZH(r), r)}
		}
	}
	return nil
}

// NewUser is the input of CreateUser.
type NewUser struct {
	Username    string
	DisplayName string
	Password    string
	Roles       []string
	// OrganisationID: the organisation of the tenant the user works for; required by the roles
	// of committees and agencies, refused with bureau roles.
	OrganisationID string
}

// CreateUser creates a user of tenantCode with roles the actor may grant. A nil actor is the
// command line bootstrapping an administrator, which may grant any role.
func (s *Service) CreateUser(ctx context.Context, actor *Principal, tenantCode string, in NewUser) (User, error) {
	name, err := NormalizeUsername(in.Username)
	if err != nil {
		return User{}, err
	}
	if utf8.RuneCountInString(in.DisplayName) > 64 {
		return User{}, invalidField("display_name", "显示名称最多 64 个字符 / display_name must be at most 64 characters")
	}
	if err := CheckPassword(in.Password); err != nil {
		return User{}, err
	}
	grants, err := s.grants(actor, tenantCode, in.Roles, "roles")
	if err != nil {
		return User{}, err
	}
	if err := s.checkOrganisation(ctx, tenantCode, in.OrganisationID, in.Roles, "roles"); err != nil {
		return User{}, err
	}
	hash, err := HashPassword(in.Password)
	if err != nil {
		return User{}, err
	}
	u, err := s.repo.CreateUser(ctx, User{TenantCode: tenantCode, Username: name, DisplayName: strings.TrimSpace(in.DisplayName), OrganisationID: in.OrganisationID}, hash, grants)
	if err != nil {
		return User{}, err
	}
	return u, s.authz.Granted(grants)
}

// grants validates roles for a tenant and returns the rows granting them (subject filled by the store).
func (s *Service) grants(actor *Principal, tenantCode string, roles []string, field string) ([][]string, error) {
	if len(roles) == 0 {
		return nil, invalidField(field, "至少需要一个角色 / at least one role is required")
	}
	level, err := division.LevelOf(tenantCode)
	if err != nil {
		return nil, err
	}
	var rows [][]string
	seen := map[string]bool{}
	for i, r := range roles {
		if seen[r] {
			continue
		}
		seen[r] = true
		if err := CheckRole(r, level); err != nil {
			fe := &err.(*valid.Error).Errors[0]
			fe.Field = fmt.Sprintf("%s[%d]", field, i)
			if field == "role" {
				fe.Field = field
			}
			return nil, err
		}
		if actor != nil {
			ok, err := s.authz.Allowed(actor.Subject, tenantCode, "role:"+r, "assign")
			if err != nil {
				return nil, err
			}
			if !ok {
				return nil, fmt.Errorf("%w: %s", ErrRoleNotGrantable, r)
			}
		}
		rows = append(rows, []string{"g", "", r, tenantCode})
	}
	return rows, nil
}

// ErrOrganisationNotFound: no active organisation of the tenant has the id given.
var ErrOrganisationNotFound = kind.New(kind.NotFound, "organisation not found")

// checkOrganisation verifies that roles can be held by a principal of organisation org ("" for
// bureau staff): committee roles need a mediation committee (or brand studio), agency roles an
// agency, bureau roles none; roles of different kinds of organisation do not mix.
func (s *Service) checkOrganisation(ctx context.Context, tenantCode, org string, roles []string, field string) error {
	var needs []OrgNeed
	for _, r := range roles {
		needs = append(needs, RoleOrg(r))
	}
	if org == "" {
		for i, n := range needs {
			if n == CommitteeOrg || n == AgencyOrg {
				return invalidField("organisation_id", fmt.Sprintf("角色「%s」须指定所属组织（调委会或协作单位） / role %s needs organisation_id: the committee or agency the %s works for", RoleNames().ZH(roles[i]), roles[i], noun(field)))
			}
		}
		return nil
	}
	kind, err := s.repo.OrganisationKind(ctx, tenantCode, org)
	if errors.Is(err, ErrOrganisationNotFound) {
		return invalidField("organisation_id", "不是本租户的在用组织 / not an active organisation of the tenant")
	}
	if err != nil {
		return err
	}
	committee := orgs.HostsMediators(kind)
	for i, n := range needs {
		switch {
		case n == NoOrg:
			return invalidField("organisation_id", fmt.Sprintf("角色「%s」属于司法行政机关工作人员，不能指定组织 / role %s is a bureau role: leave organisation_id empty", RoleNames().ZH(roles[i]), roles[i]))
		case n == CommitteeOrg && !committee:
			return invalidField("organisation_id", fmt.Sprintf("角色「%s」须属于调委会或调解工作室，此组织为%s / role %s needs a mediation committee or studio, not a %s", RoleNames().ZH(roles[i]), orgs.KindNames().ZH(string(kind)), roles[i], kind))
		case (n == AgencyOrg || n == AgencyOrgOptional) && !orgs.IsAgency(kind):
			return invalidField("organisation_id", fmt.Sprintf("角色「%s」须属于协作单位（法院、派出所等），此组织为%s / role %s needs a partner agency (court, police station…), not a %s", RoleNames().ZH(roles[i]), orgs.KindNames().ZH(string(kind)), roles[i], kind))
		}
	}
	return nil
}

func noun(field string) string {
	if field == "role" {
		return "token"
	}
	return "user"
}

// Users lists the users of a tenant.
func (s *Service) Users(ctx context.Context, tenantCode, after string, limit int) ([]User, error) {
	return s.repo.Users(ctx, tenantCode, after, limit)
}

// User returns one user of a tenant.
func (s *Service) User(ctx context.Context, tenantCode, id string) (User, error) {
	return s.repo.User(ctx, tenantCode, id)
}

// UserByName finds a user by username (unique across the platform).
func (s *Service) UserByName(ctx context.Context, username string) (User, error) {
	name, err := NormalizeUsername(username)
	if err != nil {
		return User{}, ErrUserNotFound
	}
	c, err := s.repo.CredentialsFor(ctx, name)
	if errors.Is(err, ErrBadCredentials) {
		return User{}, ErrUserNotFound
	}
	return c.User, err
}

// UserUpdate is the input of UpdateUser.
type UserUpdate struct {
	DisplayName *string
	Status      *Status
	Password    *string
	Roles       *[]string // replaces the roles; the actor must be able to grant both old and new ones
}

// UpdateUser changes a user's display name, status, password or roles. Another user must be
// one the actor may manage (mayManage); a user's own password changes only through
// ChangeOwnPassword, which asks for the current one. A change of password, status or roles
// ends the user's login sessions.
func (s *Service) UpdateUser(ctx context.Context, actor Principal, tenantCode, id string, in UserUpdate) (User, error) {
	var ch UserChange
	self := actor.Kind == "user" && actor.ID == id
	if self && in.Password != nil {
		return User{}, &ManageError{Field: "password", Message: "请通过 POST /api/v1/me/password 修改自己的密码（须提供当前密码） / change your own password with POST /api/v1/me/password, which asks for the current one"}
	}
	if in.DisplayName != nil {
		if utf8.RuneCountInString(*in.DisplayName) > 64 {
			return User{}, invalidField("display_name", "显示名称最多 64 个字符 / display_name must be at most 64 characters")
		}
		v := strings.TrimSpace(*in.DisplayName)
		ch.DisplayName = &v
	}
	if in.Status != nil {
		if *in.Status != StatusActive && *in.Status != StatusDisabled {
			return User{}, invalidField("status", `状态只能是 "active" 或 "disabled" / status must be "active" or "disabled"`)
		}
		if *in.Status == StatusDisabled && self {
			return User{}, invalidField("status", "不能停用自己的账号 / you cannot disable your own account")
		}
		ch.Status = in.Status
	}
	if in.Password != nil {
		if err := CheckPassword(*in.Password); err != nil {
			return User{}, err
		}
		h, err := HashPassword(*in.Password)
		if err != nil {
			return User{}, err
		}
		ch.PasswordHash = &h
	}
	// The user as it is: for the organisation its new roles need, and to bound who changes it.
	field := changedField(in)
	var current User
	if in.Roles != nil || (!self && field != "") {
		var err error
		if current, err = s.repo.User(ctx, tenantCode, id); err != nil {
			return User{}, err
		}
	}
	if in.Roles != nil {
		if self {
			return User{}, invalidField("roles", "不能修改自己的角色，请由其他管理员操作 / you cannot change your own roles; ask another administrator")
		}
		grants, err := s.grants(&actor, tenantCode, *in.Roles, "roles")
		if err != nil {
			return User{}, err
		}
		if err := s.checkOrganisation(ctx, tenantCode, current.OrganisationID, *in.Roles, "roles"); err != nil {
			return User{}, err
		}
		ch.Grants = grants
	}
	if !self && field != "" {
		// Nobody changes a user it could not create with the same roles, nor a peer.
		if err := s.mayManage(actor, current, field); err != nil {
			return User{}, err
		}
	}
	// Setting the status it already has ends nothing (one's own status can only stay active).
	ch.EndSessions = in.Password != nil || in.Roles != nil || (in.Status != nil && !self && *in.Status != current.Status)
	u, removed, err := s.repo.UpdateUser(ctx, tenantCode, id, ch)
	if err != nil {
		return User{}, err
	}
	if err := s.authz.Revoked(removed); err != nil {
		return User{}, err
	}
	return u, s.authz.Granted(ch.Grants)
}

// ChangeOwnPassword lets a user replace its password, proving it knows the current one.
func (s *Service) ChangeOwnPassword(ctx context.Context, p Principal, current, next string) error {
	if p.Kind != "user" {
		return invalidField("current_password", "API 令牌没有密码 / API tokens have no password")
	}
	c, err := s.repo.CredentialsFor(ctx, p.Username)
	if err != nil || c.User.ID != p.ID {
		return ErrUnauthenticated
	}
	ok, err := VerifyPassword(c.PasswordHash, current)
	if err != nil {
		return err
	}
	if !ok {
		return invalidField("current_password", "当前密码不正确 / the current password is wrong")
	}
	if err := CheckPassword(next); err != nil {
		return invalidField("new_password", err.(*valid.Error).Errors[0].Message)
	}
	h, err := HashPassword(next)
	if err != nil {
		return err
	}
	_, _, err = s.repo.UpdateUser(ctx, p.TenantCode, p.ID, UserChange{PasswordHash: &h, EndSessions: true})
	return err
}

// changedField names the first field an update changes, in the order the problem names it
// ("" for an empty update).
func changedField(in UserUpdate) string {
	switch {
	case in.Password != nil:
		return "password"
	case in.Status != nil:
		return "status"
	case in.Roles != nil:
		return "roles"
	case in.DisplayName != nil:
		return "display_name"
	}
	return ""
}

// NewToken is the input of CreateToken.
type NewToken struct {
	Name      string
	Role      string
	ExpiresAt *time.Time
	// OrganisationID: the agency whose system uses the token (agency-system), or "".
	OrganisationID string
}

// CreateToken creates an API token and returns it with its text, shown this once only.
func (s *Service) CreateToken(ctx context.Context, actor Principal, tenantCode string, in NewToken) (Token, string, error) {
	name := strings.TrimSpace(in.Name)
	if name == "" || utf8.RuneCountInString(name) > 64 {
		return Token{}, "", invalidField("name", "名称为 1–64 个字符，说明此令牌给哪个系统使用 / name must be 1–64 characters naming the system that uses the token")
	}
	if in.ExpiresAt != nil && !in.ExpiresAt.After(s.now()) {
		return Token{}, "", invalidField("expires_at", "过期时间须晚于现在 / expires_at must be in the future")
	}
	grants, err := s.grants(&actor, tenantCode, []string{in.Role}, "role")
	if err != nil {
		return Token{}, "", err
	}
	if err := s.checkOrganisation(ctx, tenantCode, in.OrganisationID, []string{in.Role}, "role"); err != nil {
		return Token{}, "", err
	}
	text, prefix, hash, err := NewAPIToken(tenantCode)
	if err != nil {
		return Token{}, "", err
	}
	t, err := s.repo.CreateToken(ctx, Token{TenantCode: tenantCode, Name: name, Prefix: prefix, Role: in.Role, CreatedBy: actor.Subject, ExpiresAt: in.ExpiresAt, OrganisationID: in.OrganisationID}, hash, grants)
	if err != nil {
		return Token{}, "", err
	}
	return t, text, s.authz.Granted(grants)
}

// Tokens lists a tenant's API tokens.
func (s *Service) Tokens(ctx context.Context, tenantCode string) ([]Token, error) {
	return s.repo.Tokens(ctx, tenantCode)
}

// RevokeToken revokes an API token at once.
func (s *Service) RevokeToken(ctx context.Context, tenantCode, id string) (Token, error) {
	t, removed, err := s.repo.RevokeToken(ctx, tenantCode, id)
	if err != nil {
		return t, err
	}
	return t, s.authz.Revoked(removed)
}
