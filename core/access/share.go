package access

import (
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/fengqiao/fengqiao/core/kind"
	"github.com/fengqiao/fengqiao/core/valid"
)

// CaseShare is one case shared with an agency or a tenant (its record in the case's tenant).
type CaseShare struct {
	ID            string     `json:"id"`
	Tenant        string     `json:"tenant_code"` // the case's tenant
	CaseID        string     `json:"case_id"`
	GranteeTenant string     `json:"grantee_tenant"`
	GranteeOrg    string     `json:"grantee_organisation_id,omitempty"`
	Scope         string     `json:"scope"`
	Purpose       string     `json:"purpose"`
	ExpiresAt     time.Time  `json:"expires_at"`
	CreatedBy     string     `json:"created_by"`
	CreatedAt     time.Time  `json:"created_at"`
	RevokedAt     *time.Time `json:"revoked_at,omitempty"`
	RevokedBy     string     `json:"revoked_by,omitempty"`
}

// Link is an agency linked to a case, or a user assigned to it as one of its mediators.
type Link struct {
	Kind      string    `json:"kind"` // LinkOrganisation or LinkUser
	PartyID   string    `json:"party_id"`
	Reason    string    `json:"reason"`
	Note      string    `json:"note,omitempty"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// Kinds and reasons of links.
const (
	LinkOrganisation = "organisation"
	LinkUser         = "user"

	ReasonWarning  = "warning"  // a warning of the case was addressed to the agency
	ReasonJoint    = "joint"    // joint handling
	ReasonLinkage  = "linkage"  // a regional linkage (e.g. Jinan 五所两队)
	ReasonMediator = "mediator" // the user mediates the case
	ReasonManual   = "manual"   // linked by staff
)

// Errors of shares and links.
var (
	ErrInvalid       = errors.New("access: invalid input")
	ErrShareNotFound = kind.New(kind.NotFound, "access: share not found")
	ErrShareRevoked  = kind.New(kind.Conflict, "access: share revoked already")
)

// InvalidField is the *valid.Error naming the input field at fault, wrapping ErrInvalid.
func InvalidField(field, message string) error { return valid.New(ErrInvalid, field, message) }

// MaxShareDays bounds how long a share may last.
const MaxShareDays = 366

// CheckShare validates a new share at now and normalises its purpose.
func CheckShare(s *CaseShare, now time.Time) error {
	s.Purpose = strings.TrimSpace(s.Purpose)
	switch {
	case len(s.GranteeTenant) != 6:
		return InvalidField("grantee_tenant", "请填写被共享的租户代码（6 位） / grantee_tenant must be a 6-digit tenant code")
	case s.GranteeTenant == s.Tenant && s.GranteeOrg == "":
		return InvalidField("grantee_organisation_id", "本租户工作人员已可查看本案；共享给本租户时须指定协作单位 / the tenant's own staff see the case already: name the agency to share it with")
	case s.Scope != ScopeSummary && s.Scope != ScopeParties:
		return InvalidField("scope", `scope 须为 "summary"（案情摘要）或 "parties"（摘要及当事人信息） / scope must be "summary" or "parties"`)
	case s.Purpose == "" || utf8.RuneCountInString(s.Purpose) > 500:
		return InvalidField("purpose", "请说明共享目的（1–500 字） / purpose must be 1–500 characters")
	case !s.ExpiresAt.After(now):
		return InvalidField("expires_at", "到期时间须晚于现在 / expires_at must be in the future")
	case s.ExpiresAt.After(now.AddDate(0, 0, MaxShareDays)):
		return InvalidField("expires_at", "共享期限最长一年 / a share lasts at most one year")
	}
	return nil
}
