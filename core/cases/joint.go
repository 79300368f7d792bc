package cases

import (
	"slices"
)

// Bounds of a joint mediation (联合调解).
const (
	MaxJointID      = 100 // bytes of a joint mediation's id
	MinJointTenants = 2
	MaxJointTenants = 20
)

// CheckJoint validates j as tenant's record of a joint mediation: an id of at most MaxJointID
// bytes, MinJointTenants–MaxJointTenants participants, tenant among them, the lead one of
// them, none listed twice. Whether the participants are active tenants is for the caller to
// ask the store. It reports the first problem found (field joint_id, tenants or lead), as a
// plugin's host call answers one field at a time.
func CheckJoint(tenant string, j Joint) error {
	bad := func(field, msg string) error {
		return &ValidationError{Errors: []FieldError{{Field: field, Message: msg}}}
	}
	ts := j.Tenants
	switch {
	case len(j.ID) > MaxJointID:
		return bad("joint_id", "联合调解编号至多 100 字符 / joint_id is at most 100 characters")
	case len(ts) < MinJointTenants || len(ts) > MaxJointTenants:
		return bad("tenants", "联合调解须有 2–20 个参与方 / a joint mediation has 2–20 participants")
	case !slices.Contains(ts, tenant):
		return bad("tenants", "参与方须包括本辖区 / the participants must include this tenant")
	case !slices.Contains(ts, j.Lead):
		return bad("lead", "牵头方须是参与方 / the lead must be a participant")
	}
	seen := map[string]bool{}
	for _, t := range ts {
		if seen[t] {
			return bad("tenants", "参与方重复："+t+" / a participant is listed twice: "+t)
		}
		seen[t] = true
	}
	return nil
}
