package access

import "github.com/fengqiao/fengqiao/core/codes"

// LinkKindNames names what a case may be linked to.
func LinkKindNames() codes.Set {
	return codes.Of([]string{LinkOrganisation, LinkUser}, map[string][2]string{
		LinkOrganisation: {"协作单位", "Partner organisation"}, LinkUser: {"用户（如调解员）", "User, e.g. a mediator"}})
}
