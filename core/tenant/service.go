package tenant

import (
	"context"
	"fmt"
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/fengqiao/fengqiao/core/division"
	"github.com/fengqiao/fengqiao/core/kind"
)

// Repo is the storage the tenant service needs.
type Repo interface {
	Onboard(ctx context.Context, scope string, plan Plan) (OnboardResult, error)
	Tenant(ctx context.Context, scope, code string) (Tenant, error)
	Tenants(ctx context.Context, scope string, f Filter) ([]Tenant, error)
	UpdateTenant(ctx context.Context, scope, code string, apply func(*Tenant) error) (Tenant, error)
	Offices(ctx context.Context, code string) ([]Office, error)
}

// Service runs the tenant use cases. Authorization happens before it is called; scope is the
// caller's own tenant and bounds everything the service reads or writes.
type Service struct {
	repo       Repo
	placements []string
	plugins    []string
}

// NewService returns a tenant service; placements are the configured database clusters and
// plugins the plugins a tenant may enable (none until the plugin platform lands).
func NewService(repo Repo, placements, plugins []string) *Service {
	return &Service{repo: repo, placements: placements, plugins: plugins}
}

// Onboard makes the given codes tenants (with their missing ancestors).
func (s *Service) Onboard(ctx context.Context, scope string, codes []string, withOffices bool) (OnboardResult, error) {
	plan, err := PlanOnboarding(scope, codes, withOffices)
	if err != nil {
		return OnboardResult{}, err
	}
	return s.repo.Onboard(ctx, scope, plan)
}

// OnboardWithin onboards every district under within (province, city or the country).
func (s *Service) OnboardWithin(ctx context.Context, scope, within string, withOffices bool) (OnboardResult, error) {
	plan, err := PlanWithin(scope, within, withOffices)
	if err != nil {
		return OnboardResult{}, err
	}
	return s.repo.Onboard(ctx, scope, plan)
}

// Get returns a tenant of scope's subtree.
func (s *Service) Get(ctx context.Context, scope, code string) (Tenant, error) {
	if !division.Contains(scope, code) {
		return Tenant{}, ErrNotFound
	}
	return s.repo.Tenant(ctx, scope, code)
}

// List lists tenants of scope's subtree.
func (s *Service) List(ctx context.Context, scope string, f Filter) ([]Tenant, error) {
	return s.repo.Tenants(ctx, scope, f)
}

// Offices lists the judicial offices of a district of scope's subtree; a suspended or archived
// district's are still read by its parents (UsableByParent).
func (s *Service) Offices(ctx context.Context, scope, code string) ([]Office, error) {
	if _, err := s.Get(ctx, scope, code); err != nil {
		return nil, err
	}
	return s.repo.Offices(ctx, code)
}

// Settings is a partial update of a tenant's settings; nil fields are left alone.
type Settings struct {
	DisplayName    *string
	Contact        *Contact
	EnabledPlugins *[]string
	Placement      *string
}

var phonePattern = regexp.MustCompile(`^[0-9+\-() ]{5,32}$`)

// Validate checks the settings against the known placements and plugins.
func (s *Service) Validate(st Settings) error {
	if st.DisplayName != nil && utf8.RuneCountInString(*st.DisplayName) > 64 {
		return invalidSettings("display_name", "显示名称最多 64 个字符 / display_name must be at most 64 characters")
	}
	if c := st.Contact; c != nil {
		if utf8.RuneCountInString(c.Name) > 64 {
			return invalidSettings("contact.name", "联系人姓名最多 64 个字符 / contact.name must be at most 64 characters")
		}
		if c.Phone != "" && !phonePattern.MatchString(c.Phone) {
			return invalidSettings("contact.phone", "电话号码只能包含数字、空格和 + - ( )，5–32 位 / contact.phone must be 5–32 digits, spaces or + - ( )")
		}
		if c.Email != "" {
			if a, err := mail.ParseAddress(c.Email); err != nil || a.Address != c.Email {
				return invalidSettings("contact.email", "电子邮箱格式不正确，例如 name@example.cn / contact.email must be an address like name@example.cn")
			}
		}
	}
	if st.EnabledPlugins != nil {
		for i, p := range *st.EnabledPlugins {
			if !slices.Contains(s.plugins, p) {
				if len(s.plugins) == 0 {
					return invalidSettings(fmt.Sprintf("enabled_plugins[%d]", i), fmt.Sprintf("插件 %q 不在此启用：请用 PUT /api/v1/tenants/{code}/plugins/%s（附设置）启用地区插件 / plugins are not enabled here: enable %q with PUT /api/v1/tenants/{code}/plugins/%s, with its settings", p, p, p, p))
				}
				known := strings.Join(s.plugins, ", ")
				return invalidSettings(fmt.Sprintf("enabled_plugins[%d]", i), fmt.Sprintf("未知插件 %q；可启用的插件：%s / unknown plugin %q; available: %s", p, known, p, known))
			}
		}
	}
	if st.Placement != nil && !slices.Contains(s.placements, *st.Placement) {
		return invalidSettings("placement", fmt.Sprintf("未知数据库集群 %q；可选：%s / unknown placement %q; one of: %s", *st.Placement, strings.Join(s.placements, ", "), *st.Placement, strings.Join(s.placements, ", ")))
	}
	return nil
}

// UpdateSettings applies settings to an active tenant of scope's subtree.
func (s *Service) UpdateSettings(ctx context.Context, scope, code string, st Settings) (Tenant, error) {
	if err := s.Validate(st); err != nil {
		return Tenant{}, err
	}
	if !division.Contains(scope, code) {
		return Tenant{}, ErrNotFound
	}
	return s.repo.UpdateTenant(ctx, scope, code, func(t *Tenant) error {
		if err := Usable(t.Status); err != nil {
			return err
		}
		if st.DisplayName != nil {
			t.DisplayName = strings.TrimSpace(*st.DisplayName)
		}
		if st.Contact != nil {
			t.Contact = *st.Contact
		}
		if st.EnabledPlugins != nil {
			t.EnabledPlugins = slices.Compact(slices.Sorted(slices.Values(*st.EnabledPlugins)))
		}
		if st.Placement != nil {
			t.Placement = *st.Placement
		}
		return nil
	})
}

// Transition applies a lifecycle action to a tenant strictly below scope (nobody suspends
// their own tenant) and records the reason.
func (s *Service) Transition(ctx context.Context, scope, code string, action Action, reason string) (Tenant, error) {
	if !division.Contains(scope, code) {
		return Tenant{}, ErrNotFound
	}
	if code == scope {
		return Tenant{}, fmt.Errorf("%w: a tenant cannot %s itself", ErrOutsideScope, action)
	}
	if utf8.RuneCountInString(reason) > 500 {
		return Tenant{}, invalidSettings("reason", "原因最多 500 个字符 / reason must be at most 500 characters")
	}
	return s.repo.UpdateTenant(ctx, scope, code, func(t *Tenant) error {
		next, err := Transition(t.Status, action)
		if err != nil {
			return &TransitionError{From: t.Status, Action: action, Allowed: AllowedActions(t.Status)}
		}
		t.Status, t.StatusReason = next, strings.TrimSpace(reason)
		return nil
	})
}

// TransitionError says which actions are possible instead.
type TransitionError struct {
	From    Status
	Action  Action
	Allowed []Action
}

func (e *TransitionError) Error() string {
	return fmt.Sprintf("cannot %s a tenant that is %s", e.Action, e.From)
}
func (e *TransitionError) Kind() kind.Kind { return kind.Conflict }
func (e *TransitionError) Unwrap() error   { return ErrInvalidTransition }

// Execute carries out an onboarding plan made by PlanOnboarding or PlanWithin for scope.
func (s *Service) Execute(ctx context.Context, scope string, plan Plan) (OnboardResult, error) {
	if len(plan.Requested) == 0 {
		return OnboardResult{}, ErrNothingToOnboard
	}
	return s.repo.Onboard(ctx, scope, plan)
}
