package orgs

import (
	"net/url"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/fengqiao/fengqiao/core/division"
	"github.com/fengqiao/fengqiao/core/pii"
)

// Limits of the registry's fields (in characters).
const (
	MaxOrganisationName = 100
	MaxPersonName       = 50
	MaxContactName      = 50
	MaxAddress          = 200
	MaxWebhookURL       = 500
	MaxCertificate      = 50
	MaxEmployer         = 100
	MaxNote             = 500
	MaxSpecialities     = 50
	MaxQuery            = 100
)

func joinStrings(xs []string) string { return strings.Join(xs, ", ") }

func kindCodes() []string {
	out := make([]string, len(kinds))
	for i, k := range kinds {
		out[i] = string(k.Code)
	}
	return out
}

// normalizeOrganisation trims the free-text fields and normalizes the phone.
func normalizeOrganisation(o *Organisation) {
	o.Name = strings.TrimSpace(o.Name)
	o.MediatorName = strings.TrimSpace(o.MediatorName)
	o.WebhookURL = strings.TrimSpace(o.WebhookURL)
	o.Contact.Name = strings.TrimSpace(o.Contact.Name)
	o.Contact.Address = strings.Join(strings.Fields(o.Contact.Address), " ")
	if strings.TrimSpace(o.Contact.Phone) == "" {
		o.Contact.Phone = ""
	} else {
		o.Contact.Phone = pii.NormalizePhone(o.Contact.Phone)
	}
}

// validateOrganisation normalizes o and checks it as a whole (a creation, or an update merged
// into the stored organisation): every rule that depends on the kind is checked here.
func validateOrganisation(tenantCode string, o *Organisation) error {
	normalizeOrganisation(o)
	var v errs
	_, known := LookupKind(string(o.Kind))
	if !known {
		v.Add("kind", "未知组织类型 %q；可选：%s / unknown kind %q; one of: %s", o.Kind, joinStrings(kindCodes()), o.Kind, joinStrings(kindCodes()))
	}
	if o.Name == "" || runes(o.Name) > MaxOrganisationName {
		v.Add("name", "名称须为 1–%d 个字符 / name must be 1–%d characters", MaxOrganisationName, MaxOrganisationName)
	}
	if o.Status != StatusActive && o.Status != StatusInactive {
		v.Add("status", `状态只能是 "active"（在用）或 "inactive"（停用） / status must be "active" or "inactive"`)
	}
	streetOK := false
	switch {
	case o.StreetCode == "" && (o.Kind == KindVillageCommittee || o.Kind == KindStreetCommittee):
		ex := exampleStreet(tenantCode)
		v.Add("street_code", "村居和街道调委会须填写所在街道（乡镇）的 9 位代码，如 %s / street_code is required for village and street committees: the 9-digit code of the street or town, e.g. %s", ex, ex)
	case o.StreetCode != "":
		if msg := checkStreet(tenantCode, o.StreetCode); msg != "" {
			v.Add("street_code", "%s", msg)
		} else {
			streetOK = true
		}
	}
	if o.VillageCode != "" {
		lvl, err := division.LevelOf(o.VillageCode)
		switch {
		case err != nil || lvl != division.LevelVillage:
			v.Add("village_code", "村居代码须为 12 位数字 / village_code must be 12 digits")
		case o.StreetCode == "":
			v.Add("village_code", "填写村居代码时须同时填写所在街道代码 street_code / a village_code needs the street_code of its street")
		case streetOK && !strings.HasPrefix(o.VillageCode, o.StreetCode):
			v.Add("village_code", "村居 %s 不在街道 %s 内（村居代码须以街道代码开头） / village %s is not in street %s: a village code starts with its street's code", o.VillageCode, o.StreetCode, o.VillageCode, o.StreetCode)
		}
	}
	switch {
	case o.Kind == KindIndustryCommittee && !slices.Contains(industries, o.Industry):
		v.Add("industry", "行业性专业性调委会须注明行业：%s / industry committees need an industry, one of: %s", joinStrings(industries), joinStrings(industries))
	case o.Kind != KindIndustryCommittee && o.Industry != "" && known:
		v.Add("industry", "industry 只适用于行业性专业性调委会（industry_committee） / industry applies to industry_committee only")
	}
	switch {
	case o.Kind == KindDispatchedCommittee && !slices.Contains(stations, o.StationedAt):
		v.Add("stationed_at", "派驻调委会须注明派驻单位：court（法院）、police（公安）、petition（信访）或 other / dispatched committees need stationed_at: court, police, petition or other")
	case o.Kind != KindDispatchedCommittee && o.StationedAt != "" && known:
		v.Add("stationed_at", "stationed_at 只适用于派驻调委会（dispatched_committee） / stationed_at applies to dispatched_committee only")
	}
	switch {
	case o.Kind == KindBrandStudio && (o.MediatorName == "" || runes(o.MediatorName) > MaxPersonName):
		v.Add("mediator_name", "品牌调解室须填写其命名的调解员姓名（1–%d 字） / brand studios need mediator_name, the mediator they are named after (1–%d characters)", MaxPersonName, MaxPersonName)
	case o.Kind != KindBrandStudio && o.MediatorName != "" && known:
		v.Add("mediator_name", "mediator_name 只适用于品牌调解室（brand_studio） / mediator_name applies to brand_studio only")
	}
	if runes(o.Contact.Name) > MaxContactName {
		v.Add("contact.name", "联系人最多 %d 个字符 / contact.name must be at most %d characters", MaxContactName, MaxContactName)
	}
	if o.Contact.Phone != "" {
		if err := pii.ValidatePhone(o.Contact.Phone); err != nil {
			v.Add("contact.phone", "%s", err.Error())
		}
	}
	if runes(o.Contact.Address) > MaxAddress {
		v.Add("contact.address", "地址最多 %d 个字符 / contact.address must be at most %d characters", MaxAddress, MaxAddress)
	}
	if o.WebhookURL != "" {
		switch {
		case known && !IsAgency(o.Kind):
			v.Add("webhook_url", "webhook_url 只适用于成员单位（court、police_station、procuratorate、petition_office、department） / webhook_url applies to partner agencies only: court, police_station, procuratorate, petition_office, department")
		case len(o.WebhookURL) > MaxWebhookURL:
			v.Add("webhook_url", "webhook_url 最多 %d 个字符 / webhook_url must be at most %d characters", MaxWebhookURL, MaxWebhookURL)
		case !webhookOK(o.WebhookURL):
			v.Add("webhook_url", "webhook_url 须为 https:// 地址（测试可用 http://127.0.0.1），不含用户名密码 / webhook_url must be an https:// URL (http://127.0.0.1 for tests) without credentials")
		}
	}
	return v.Err()
}

// webhookOK accepts https URLs with a host, and plain http to the loopback address (tests).
func webhookOK(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.User != nil || u.Host == "" || u.Opaque != "" {
		return false
	}
	switch u.Scheme {
	case "https":
		return u.Hostname() != ""
	case "http":
		return u.Hostname() == "127.0.0.1"
	}
	return false
}

// checkStreet returns why code is not a street of the tenant, or "".
func checkStreet(tenantCode, code string) string {
	ex := exampleStreet(tenantCode)
	lvl, err := division.LevelOf(code)
	if err != nil || lvl != division.LevelStreet {
		return "街道（乡镇）代码须为 9 位数字，如 " + ex + " / street_code must be 9 digits, e.g. " + ex
	}
	if _, err := division.Lookup(code); err != nil {
		return "街道代码 " + code + " 不存在 / street code " + code + " does not exist"
	}
	if !division.Contains(tenantCode, code) {
		return "街道 " + code + " 不在本辖区内，如 " + ex + " / street " + code + " is not within this tenant's area; e.g. " + ex
	}
	return ""
}

// exampleStreet names a real street of the tenant for error messages.
func exampleStreet(tenantCode string) string {
	if ss, err := division.Streets(tenantCode); err == nil && len(ss) > 0 {
		return ss[0].Code
	}
	return tenantCode + "001"
}

// checkStatus checks a status given in a request.
func checkStatus(v *errs, field string, s Status) {
	if s != StatusActive && s != StatusInactive {
		v.Add(field, `状态只能是 "active"（在用）或 "inactive"（停用） / status must be "active" or "inactive"`)
	}
}

// normalizePhone trims an optional phone and normalizes it; "" stays "".
func normalizePhone(p string) string {
	if strings.TrimSpace(p) == "" {
		return ""
	}
	return pii.NormalizePhone(p)
}

func checkPhone(v *errs, field, phone string) {
	if phone == "" {
		return
	}
	if err := pii.ValidatePhone(phone); err != nil {
		v.Add(field, "%s", err.Error())
	}
}

// validateMediator normalizes m and checks it as a whole, except its specialities (checked
// against the catalogue when given) and its organisation (checked in the store's transaction).
func validateMediator(m *Mediator) error {
	m.Name = strings.TrimSpace(m.Name)
	m.CertificateNumber = strings.TrimSpace(m.CertificateNumber)
	m.Phone = normalizePhone(m.Phone)
	var v errs
	if m.Name == "" || runes(m.Name) > MaxPersonName {
		v.Add("name", "姓名须为 1–%d 个字符 / name must be 1–%d characters", MaxPersonName, MaxPersonName)
	}
	if m.Kind != FullTime && m.Kind != PartTime {
		v.Add("kind", `调解员类型须为 full_time（专职）或 part_time（兼职） / kind must be "full_time" or "part_time"`)
	}
	if runes(m.CertificateNumber) > MaxCertificate {
		v.Add("certificate_number", "证书编号最多 %d 个字符 / certificate_number must be at most %d characters", MaxCertificate, MaxCertificate)
	}
	if m.Grade != "" && !slices.Contains(grades, m.Grade) {
		v.Add("grade", `等级须为 junior（初级）、intermediate（中级）、senior（高级），或留空 / grade must be "junior", "intermediate", "senior" or empty`)
	}
	if uuid.Validate(m.OrganisationID) != nil || len(m.OrganisationID) != 36 {
		v.Add("organisation_id", "请填写所属调委会或品牌调解室的 id（UUID） / organisation_id must be the id (a UUID) of the mediator's committee or brand studio")
	}
	checkPhone(&v, "phone", m.Phone)
	checkStatus(&v, "status", m.Status)
	m.UserID = strings.TrimSpace(m.UserID)
	if m.UserID != "" && !isUUID(m.UserID) {
		v.Add("user_id", "请填写本租户用户账号的 id（UUID），或留空 / user_id must be the id (a UUID) of a user of this tenant, or empty")
	}
	if m.CreditScore < 0 || m.CreditScore > 100 {
		v.Add("credit_score", "信用分须为 0–100 的整数 / credit_score must be an integer from 0 to 100")
	}
	return v.Err()
}

// UserError says the user account a mediator is linked to is not an active user of the
// mediator's tenant.
func UserError() error {
	return invalid("user_id", "不是本租户在用的用户账号 / user_id names no active user of this tenant")
}

// checkHost checks the organisation a mediator joins (nil: the tenant has none with that id).
func checkHost(org *Organisation) error {
	switch {
	case org == nil:
		return invalid("organisation_id", "本租户没有此调解组织 / organisation_id names no organisation of this tenant")
	case !HostsMediators(org.Kind):
		return invalid("organisation_id", "调解员只能属于调委会或品牌调解室，「%s」的类型是 %s / a mediator belongs to a mediation committee or a brand studio; %q is a %s", org.Name, org.Kind, org.Name, org.Kind)
	case org.Status != StatusActive:
		return invalid("organisation_id", "调解组织「%s」已停用 / organisation %q is inactive", org.Name, org.Name)
	}
	return nil
}

// validateExpert normalizes e and checks it as a whole, except its specialities.
func validateExpert(e *Expert) error {
	e.Name = strings.TrimSpace(e.Name)
	e.Organisation = strings.TrimSpace(e.Organisation)
	e.Note = strings.TrimSpace(e.Note)
	e.Phone = normalizePhone(e.Phone)
	var v errs
	if e.Name == "" || runes(e.Name) > MaxPersonName {
		v.Add("name", "姓名须为 1–%d 个字符 / name must be 1–%d characters", MaxPersonName, MaxPersonName)
	}
	if !slices.Contains(fields, e.Field) {
		v.Add("field", "专业领域须为：%s / field must be one of: %s", joinStrings(fields), joinStrings(fields))
	}
	if runes(e.Organisation) > MaxEmployer {
		v.Add("organisation", "工作单位最多 %d 个字符 / organisation must be at most %d characters", MaxEmployer, MaxEmployer)
	}
	checkPhone(&v, "phone", e.Phone)
	if runes(e.Note) > MaxNote {
		v.Add("note", "备注最多 %d 个字符 / note must be at most %d characters", MaxNote, MaxNote)
	}
	checkStatus(&v, "status", e.Status)
	return v.Err()
}

// checkSpecialities checks dispute-type codes against the tenant's catalogue and returns them
// without duplicates, in the given order.
func checkSpecialities(v *errs, given []string, known []string) []string {
	out := []string{}
	if len(given) > MaxSpecialities {
		v.Add("specialities", "擅长领域最多 %d 项 / at most %d specialities", MaxSpecialities, MaxSpecialities)
		return out
	}
	for i, s := range given {
		if !slices.Contains(known, s) {
			v.Add("specialities", "第 %d 项 %q 不是纠纷类型代码；可选：%s / specialities[%d] %q is not a dispute-type code; one of: %s", i+1, s, joinStrings(known), i, s, joinStrings(known))
			continue
		}
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}
