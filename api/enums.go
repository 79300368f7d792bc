package api

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/fengqiao/fengqiao/core/access"
	"github.com/fengqiao/fengqiao/core/cases"
	"github.com/fengqiao/fengqiao/core/codes"
	"github.com/fengqiao/fengqiao/core/division"
	"github.com/fengqiao/fengqiao/core/export"
	"github.com/fengqiao/fengqiao/core/identity"
	"github.com/fengqiao/fengqiao/core/library"
	"github.com/fengqiao/fengqiao/core/orgs"
	"github.com/fengqiao/fengqiao/core/stats"
	"github.com/fengqiao/fengqiao/core/tenant"
	"github.com/fengqiao/fengqiao/core/warnings"
	"github.com/getkin/kin-openapi/openapi3"
)

// The OpenAPI document lists the allowed values of every coded field and parameter, with their
// Chinese and English names, from the domain's catalogues: integrators need not learn them from
// errors. Extensions: x-codes names the catalogue; x-enum-descriptions runs parallel to enum
// ("中文 / English"); an open catalogue (tenants add dispute types) has no enum but lists its
// platform values in x-known-values, with x-enum-descriptions parallel to them.

// catalogue is a code set as the document shows it.
type catalogue struct {
	set  codes.Set
	open bool // values beyond the set are accepted (a tenant's own codes)
	// optional: the field may be empty ("" listed first: not applicable, e.g. the industry of
	// a committee that is not an industry committee).
	optional bool
}

// followUpStates are the states a follow-up list filters by (computed, not stored).
var followUpStates = codes.Set{
	{Code: "due", ZH: "待回访", EN: "Due"}, {Code: "overdue", ZH: "逾期未回访", EN: "Overdue"}, {Code: "done", ZH: "已回访", EN: "Done"},
}

// Catalogues maps each catalogue name of the document to its codes and names.
func Catalogues() map[string]codes.Set {
	out := map[string]codes.Set{}
	for name, c := range catalogues() {
		out[name] = c.set
	}
	return out
}

func catalogues() map[string]catalogue {
	return map[string]catalogue{
		"case_status":      {set: cases.StatusNames()},
		"case_source":      {set: cases.SourceNames()},
		"risk_level":       {set: cases.RiskLevelNames()},
		"case_action":      {set: cases.ActionNames(caseActions)},
		"channel":          {set: cases.ChannelNames()},
		"session_mode":     {set: cases.SessionModeNames()},
		"party_role":       {set: cases.PartyRoleNames()},
		"party_kind":       {set: cases.PartyKindNames()},
		"gender":           {set: cases.GenderNames()},
		"agreement_form":   {set: cases.AgreementFormNames()},
		"dispute_type":     {set: cases.DisputeTypeNames(), open: true},
		"follow_up_state":  {set: followUpStates},
		"tenant_status":    {set: tenant.StatusNames()},
		"tenant_action":    {set: tenant.ActionNames()},
		"tenant_level":     {set: division.TenantLevelNames()},
		"org_kind":         {set: orgs.KindNames()},
		"org_status":       {set: orgs.StatusNames()},
		"mediator_kind":    {set: orgs.MediatorKindNames()},
		"mediator_grade":   {set: orgs.GradeNames()},
		"expert_field":     {set: orgs.FieldNames()},
		"industry":         {set: orgs.IndustryNames()},
		"station":          {set: orgs.StationNames()},
		"role":             {set: identity.RoleNames()},
		"user_status":      {set: identity.StatusNames()},
		"warning_state":    {set: warnings.StateNames()},
		"library_status":   {set: library.StatusNames()},
		"library_decision": {set: library.DecisionNames()},
		"group_by":         {set: stats.GroupingNames()},
		"export_format":    {set: export.FormatNames()},
		"link_kind":        {set: access.LinkKindNames()},
		"principal_kind":   {set: identity.PrincipalKindNames()},
		"transfer_status":  {set: cases.TransferStatusNames()},
		"performance":      {set: cases.PerformanceNames()},
		"follow_up_result": {set: cases.FollowUpResultNames()},
	}
}

// fieldCodes names the catalogue of each coded field: "Go type.json name" → catalogue ("?" after
// it: the field may be empty). The parent type tells a case's status from a tenant's. A coded field missing here is caught by
// TestOpenAPIEnums.
var fieldCodes = map[string]string{
	"api.caseDTO.status": "case_status", "api.caseDTO.source": "case_source", "api.caseDTO.dispute_type": "dispute_type",
	"api.caseDTO.risk_level": "risk_level", "api.caseDTO.allowed_actions": "case_action",
	"api.partyDTO.role": "party_role", "api.partyDTO.kind": "party_kind", "api.partyDTO.gender": "gender",
	"api.createCaseRequest.source": "case_source", "api.createCaseRequest.dispute_type": "dispute_type",
	"api.updateCaseRequest.dispute_type": "dispute_type",
	"api.partyInput.role":                "party_role", "api.partyInput.kind": "party_kind",
	"api.referralDTO.kind":          "org_kind",
	"api.caseActionRequest.channel": "channel", "api.caseActionRequest.risk_level": "risk_level",
	"cases.Session.mode": "session_mode", "cases.Agreement.form": "agreement_form",
	"cases.Assessment.level":     "risk_level",
	"cases.DisputeType.industry": "industry", "cases.DisputeType.code": "dispute_type",
	"api.tenantDTO.status": "tenant_status", "api.tenantDTO.level": "tenant_level", "api.tenantDTO.allowed_actions": "tenant_action",
	"api.userDTO.status": "user_status", "api.userDTO.roles": "role",
	"api.createUserRequest.roles": "role", "api.updateUserRequest.roles": "role", "api.updateUserRequest.status": "user_status",
	"api.meResponse.roles":        "role",
	"api.createTokenRequest.role": "role", "api.tokenDTO.role": "role", "api.createdToken.role": "role",
	"api.organisationDTO.kind": "org_kind", "api.organisationDTO.status": "org_status", "api.organisationDTO.industry": "industry?",
	"api.organisationDTO.stationed_at":   "station?",
	"api.createOrganisationRequest.kind": "org_kind", "api.createOrganisationRequest.industry": "industry",
	"api.createOrganisationRequest.stationed_at": "station",
	"api.updateOrganisationRequest.status":       "org_status", "api.updateOrganisationRequest.industry": "industry?",
	"api.updateOrganisationRequest.stationed_at": "station?",
	"api.mediatorDTO.kind":                       "mediator_kind", "api.mediatorDTO.status": "org_status", "api.mediatorDTO.grade": "mediator_grade?",
	"api.mediatorDTO.specialities":   "dispute_type",
	"api.createMediatorRequest.kind": "mediator_kind", "api.createMediatorRequest.grade": "mediator_grade",
	"api.createMediatorRequest.specialities": "dispute_type",
	"api.updateMediatorRequest.kind":         "mediator_kind", "api.updateMediatorRequest.grade": "mediator_grade?",
	"api.updateMediatorRequest.status": "org_status", "api.updateMediatorRequest.specialities": "dispute_type",
	"cases.CaseExpert.field": "expert_field", "cases.Transfer.status": "transfer_status",
	"api.caseDTO.performance": "performance?", "cases.PerformanceRecord.result": "performance",
	"cases.FollowUp.result": "follow_up_result?", "api.caseActionRequest.result": "follow_up_result",
	"api.expertDTO.field": "expert_field", "api.expertDTO.status": "org_status", "api.expertDTO.specialities": "dispute_type",
	"api.createExpertRequest.field": "expert_field", "api.createExpertRequest.specialities": "dispute_type",
	"api.updateExpertRequest.field": "expert_field", "api.updateExpertRequest.status": "org_status",
	"api.updateExpertRequest.specialities": "dispute_type",
	"api.warningDTO.level":                 "risk_level", "api.warningDTO.state": "warning_state",
	"api.libraryEntryDTO.status": "library_status", "api.libraryEntryDTO.dispute_type": "dispute_type",
	"api.reviewLibraryRequest.decision": "library_decision",
	"api.statsDTO.source":               "case_source", "api.statsDTO.dispute_type": "dispute_type",
	"api.Problem.allowed_actions":           "case_action",
	"cases.RoutingRules.complex_risk_level": "risk_level",
	"cases.Committee.kind":                  "org_kind", "cases.Committee.industry": "industry", "cases.Committee.stationed_at": "station",
	"api.caseHitDTO.dispute_type": "dispute_type", "api.caseHitDTO.status": "case_status",
	"api.searchPartyDTO.kind": "party_kind", "api.searchPartyDTO.role": "party_role",
	"api.statsBreakdownDTO.by": "group_by", "api.updateOrganisationRequest.kind": "org_kind",
	"api.explainResponse.roles": "role", "api.ruleDTO.role": "role", "api.ruleRequest.role": "role",
	"access.Link.kind": "link_kind", "api.linkRequest.kind": "link_kind", "api.meResponse.kind": "principal_kind",
}

// queryCodes names the catalogue of each coded query (and path) parameter: "operationId.name",
// or "name" for every route.
var queryCodes = map[string]string{
	"listTenants.level": "tenant_level", "listTenants.status": "tenant_status",
	"listCases.status": "case_status", "listCases.source": "case_source", "listCases.risk_level": "risk_level",
	"exportCases.status": "case_status", "exportCases.source": "case_source", "exportCases.risk_level": "risk_level",
	"dispute_type": "dispute_type", "speciality": "dispute_type",
	"listFollowUps.state":    "follow_up_state",
	"listOrganisations.kind": "org_kind", "listOrganisations.status": "org_status",
	"listMediators.kind": "mediator_kind", "listMediators.status": "org_status",
	"countMediators.kind": "mediator_kind", "countMediators.status": "org_status",
	"listExperts.field": "expert_field", "listExperts.status": "org_status",
	"listWarnings.level": "risk_level", "listWarnings.state": "warning_state",
	"listLibrary.status": "library_status",
	"getStats.source":    "case_source", "getStats.group_by": "group_by",
	"format":            "export_format",
	"listPolicies.role": "role",
	"actOnCase.action":  "case_action",
	"unlinkCase.kind":   "link_kind",
}

// codedNames are the field and parameter names that always carry codes (where they are not
// listed in notCoded): each occurrence must name its catalogue.
var codedNames = []string{"status", "source", "dispute_type", "risk_level", "level", "kind", "role", "roles", "state", "mode",
	"channel", "grade", "industry", "stationed_at", "gender", "form", "allowed_actions", "specialities", "speciality",
	"decision", "field", "by", "group_by", "format", "action", "complex_risk_level"}

// notCoded are occurrences of those names that are not codes, each with why.
var notCoded = map[string]string{
	"api.healthResponse.status":  "always ok",
	"api.Problem.status":         "the HTTP status",
	"api.Problem.field":          "the name of the field at fault",
	"api.FieldProblem.field":     "the name of the field at fault",
	"api.pluginDTO.status":       "an object",
	"api.caseEventDTO.action":    "history entries name case actions and system events",
	"api.auditEventDTO.action":   "audit actions are open-ended (module.verb)",
	"api.importRowError.field":   "the name of the column at fault",
	"api.inboxMessageDTO.kind":   "message kinds are open-ended (warning.raised, …)",
	"api.consoleDTO.kind":        "declared by each plugin's manifest",
	"api.ruleDTO.action":         "the authorization vocabulary, named in Chinese by GET …/policies and docs/access-policy.md",
	"api.ruleRequest.action":     "the authorization vocabulary, named in Chinese by GET …/policies and docs/access-policy.md",
	"explainDecision.action":     "the authorization vocabulary, named in Chinese by GET …/policies and docs/access-policy.md",
	"api.explainResponse.action": "the authorization vocabulary, named in Chinese by GET …/policies and docs/access-policy.md",
}

// codeCheck gives the document's coded fields and parameters their catalogues, and notes the
// ones that carry a coded name but no catalogue (TestCodedFieldsHaveCatalogues fails on them).
type codeCheck struct {
	missing []string
	seen    map[string]bool // the keys of fieldCodes, queryCodes and notCoded that were used
}

func (cc *codeCheck) saw(key string) {
	if cc.seen == nil {
		cc.seen = map[string]bool{}
	}
	cc.seen[key] = true
}

// customize is the generator's schema customizer: it gives the coded properties of a struct
// their enum and names.
func (cc *codeCheck) customize(_ string, t reflect.Type, _ reflect.StructTag, schema *openapi3.Schema) error {
	if t.Kind() != reflect.Struct || schema.Properties == nil {
		return nil
	}
	all := catalogues()
	for prop, ref := range schema.Properties {
		key := t.String() + "." + prop
		cc.saw(key)
		name, ok := fieldCodes[key]
		if !ok {
			if _, free := notCoded[key]; !free && slices.Contains(codedNames, prop) && !slices.Contains(cc.missing, key) {
				cc.missing = append(cc.missing, key)
			}
			continue
		}
		if ref.Value == nil {
			continue
		}
		name, optional := strings.CutSuffix(name, "?")
		c, ok := all[name]
		if !ok {
			return fmt.Errorf("%s.%s: no catalogue %q", t, prop, name)
		}
		c.optional = optional
		target := ref.Value
		if target.Items != nil && target.Items.Value != nil {
			target = target.Items.Value
		}
		applyCodes(target, name, c)
	}
	return nil
}

// applyCodes puts a catalogue on a string schema.
func applyCodes(s *openapi3.Schema, name string, c catalogue) {
	var desc, vals []any
	if c.optional {
		vals, desc = append(vals, ""), append(desc, "（不适用） / not applicable")
	}
	for _, n := range c.set {
		vals, desc = append(vals, n.Code), append(desc, n.ZH+" / "+n.EN)
	}
	if s.Extensions == nil {
		s.Extensions = map[string]any{}
	}
	s.Extensions["x-codes"] = name
	s.Extensions["x-enum-descriptions"] = desc
	if c.open {
		s.Extensions["x-known-values"] = vals
		return
	}
	s.Enum = vals
}

// paramCodes gives a coded parameter its enum and names; group_by, a comma-separated list,
// becomes an array of codes (style form, not exploded).
func (cc *codeCheck) paramCodes(op string, p *openapi3.Parameter) error {
	cc.saw(op + "." + p.Name)
	cc.saw(p.Name)
	name, ok := queryCodes[op+"."+p.Name]
	if !ok {
		name, ok = queryCodes[p.Name]
	}
	if !ok {
		if key := op + "." + p.Name; slices.Contains(codedNames, p.Name) && notCoded[key] == "" {
			cc.missing = append(cc.missing, key)
		}
		return nil
	}
	c, ok := catalogues()[name]
	if !ok {
		return fmt.Errorf("%s %s: no catalogue %q", op, p.Name, name)
	}
	if strings.HasSuffix(p.Name, "group_by") {
		item := openapi3.NewStringSchema()
		applyCodes(item, name, c)
		explode := false
		p.Schema = openapi3.NewArraySchema().WithItems(item).NewRef()
		p.Style, p.Explode = openapi3.SerializationForm, &explode
		return nil
	}
	applyCodes(p.Schema.Value, name, c)
	return nil
}
