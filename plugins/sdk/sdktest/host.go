// Package sdktest is the test kit of Fengqiao plugins: Host, an in-memory sdk.Host that
// enforces what the platform enforces (one tenant, the permissions granted, masked parties,
// document versions, the platform's validation rules), and Connect, which runs a plugin
// through the SDK's real gRPC adapter in-process against that Host served over go-plugin's
// broker — the wire path of a real host, without building a binary. HostContract is the
// host-API contract, one table run against Host here and against the platform's host in
// core/pluginhost, which keeps the two from drifting apart.
package sdktest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/fengqiao/fengqiao/plugins/sdk"
)

// The permissions a plugin may be granted (Manifest.Permissions). Documents need none.
const (
	PermCasesRead         = "cases.read"
	PermCasesParties      = "cases.parties"
	PermCasesNote         = "cases.note"
	PermCasesFields       = "cases.fields"
	PermCasesLink         = "cases.link"
	PermCasesShare        = "cases.share"
	PermCasesJoint        = "cases.joint"
	PermOrganisationsRead = "organisations.read"
	PermNotificationsSend = "notifications.send"
	PermStatsRead         = "stats.read"
)

// Host is an in-memory sdk.Host bound to one tenant and a set of granted permissions. It is
// safe for concurrent use. Seed it with AddCase, AddOrganisation, AddMediator and SetStats;
// read what the plugin did with Notes, Links, Shares and Notifications.
type Host struct {
	tenant string
	perms  map[string]bool
	// Now is the clock of document timestamps; tests may replace it before use.
	Now func() time.Time

	mu            sync.Mutex
	seq           int
	cases         map[string]sdk.Case
	orgs          []sdk.Organisation
	mediators     []sdk.Mediator
	stats         json.RawMessage
	statsQueries  []string
	notes         []Note
	links         []Link
	shares        []ShareRecord
	joints        map[string]sdk.Joint // by case
	active        []string             // the active tenants, if declared (SetActiveTenants)
	notifications []sdk.Notification
	docs          map[docKey]sdk.Document
}

// Note is a note a plugin added to a case.
type Note struct {
	EventID string
	CaseID  string
	Text    string
	Data    json.RawMessage
}

// Link is an agency a plugin linked to a case.
type Link struct {
	ID             string
	CaseID         string
	OrganisationID string
	Reason         string
}

// ShareRecord is a share a plugin made; Revoked once it revoked it.
type ShareRecord struct {
	ID string
	sdk.Share
	Revoked bool
}

type docKey struct{ kind, id string }

// NewHost is a Host of tenant with the given permissions granted.
func NewHost(tenant string, permissions ...string) *Host {
	h := &Host{
		tenant: tenant, perms: map[string]bool{}, Now: time.Now,
		cases: map[string]sdk.Case{}, docs: map[docKey]sdk.Document{}, joints: map[string]sdk.Joint{},
	}
	for _, p := range permissions {
		h.perms[p] = true
	}
	return h
}

// Tenant is the tenant the Host is bound to.
func (h *Host) Tenant() string { return h.tenant }

// Grant grants more permissions.
func (h *Host) Grant(permissions ...string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, p := range permissions {
		h.perms[p] = true
	}
}

// AddCase stores a case; an empty TenantCode is the Host's tenant. A case of another tenant
// is stored too, so that reaching for it can be seen to fail as on the platform: ErrNotFound.
func (h *Host) AddCase(c sdk.Case) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if c.TenantCode == "" {
		c.TenantCode = h.tenant
	}
	if c.Fields == nil {
		c.Fields = map[string]any{}
	}
	h.cases[c.ID] = c
}

// SetActiveTenants declares the platform's active tenants: SetJoint then refuses any other
// participant, as the platform does. Undeclared, any participant is taken for active.
func (h *Host) SetActiveTenants(codes ...string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.active = slices.Clone(codes)
}

// AddOrganisation stores an organisation of the tenant.
func (h *Host) AddOrganisation(o sdk.Organisation) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.orgs = append(h.orgs, o)
}

// AddMediator stores a mediator of one of the tenant's organisations.
func (h *Host) AddMediator(m sdk.Mediator) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.mediators = append(h.mediators, m)
}

// SetStats sets what Stats answers, whatever the query; StatsQueries lists the queries asked.
func (h *Host) SetStats(stats json.RawMessage) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.stats = append(json.RawMessage(nil), stats...)
}

// Notes are the notes the plugin added, in order.
func (h *Host) Notes() []Note { h.mu.Lock(); defer h.mu.Unlock(); return slices.Clone(h.notes) }

// Links are the agencies the plugin linked, in order.
func (h *Host) Links() []Link { h.mu.Lock(); defer h.mu.Unlock(); return slices.Clone(h.links) }

// Shares are the shares the plugin made, in order.
func (h *Host) Shares() []ShareRecord {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.shares)
}

// Notifications are the messages the plugin sent, in order.
func (h *Host) Notifications() []sdk.Notification {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.notifications)
}

// StatsQueries are the statistics queries the plugin asked, in order.
func (h *Host) StatsQueries() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.statsQueries)
}

// Case is the stored case, as the plugin left it (fields included).
func (h *Host) Case(id string) (sdk.Case, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	c, ok := h.cases[id]
	return c, ok
}

// Errors as the real host's client gives them: *sdk.HostError, which unwraps to sdk.ErrX.

func notFound(format string, args ...any) error {
	return &sdk.HostError{Code: "NotFound", Message: fmt.Sprintf(format, args...)}
}

func denied(format string, args ...any) error {
	return &sdk.HostError{Code: "PermissionDenied", Message: fmt.Sprintf(format, args...)}
}

func invalid(field, message string) error {
	return &sdk.HostError{Code: "InvalidArgument", Message: message, Problem: sdk.Reject(field, message)}
}

// need checks a permission; the caller holds h.mu.
func (h *Host) need(perm string) error {
	if !h.perms[perm] {
		return denied("permission %s not granted", perm)
	}
	return nil
}

// caseOf finds a case the tenant may reach; the caller holds h.mu.
func (h *Host) caseOf(id string) (sdk.Case, error) {
	c, ok := h.cases[id]
	if !ok {
		return sdk.Case{}, notFound("case %s not found", id)
	}
	if c.TenantCode != h.tenant {
		// The platform's row-level security hides it: to the plugin, it does not exist.
		return sdk.Case{}, notFound("case %s not found", id)
	}
	return c, nil
}

// view is the case as the plugin sees it: parties masked unless asked for and granted, Raw
// set as the host's JSON would be.
func (h *Host) view(c sdk.Case, parties bool) sdk.Case {
	c.Parties = slices.Clone(c.Parties)
	if !parties || !h.perms[PermCasesParties] {
		for i := range c.Parties {
			c.Parties[i] = maskParty(c.Parties[i])
		}
	}
	c.Fields = cloneMap(c.Fields)
	c.Raw = nil
	raw, _ := json.Marshal(c) // plain fields: cannot fail
	c.Raw = raw
	return c
}

func maskParty(p sdk.Party) sdk.Party {
	p.Name = maskKeep(p.Name, 1, 0)
	p.IDNumber = maskKeep(p.IDNumber, 3, 2)
	p.Phone = maskKeep(p.Phone, 3, 4)
	p.Address = maskKeep(p.Address, 3, 0)
	p.Masked = true
	return p
}

// maskKeep keeps the first head and last tail runes and stars the rest.
func maskKeep(s string, head, tail int) string {
	r := []rune(s)
	if len(r) == 0 {
		return s
	}
	if len(r) <= head+tail {
		return strings.Repeat("*", len(r))
	}
	return string(r[:head]) + strings.Repeat("*", len(r)-head-tail) + string(r[len(r)-tail:])
}

func cloneMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func (h *Host) next(prefix string) string {
	h.seq++
	return prefix + "-" + strconv.Itoa(h.seq)
}

// GetCase implements sdk.Host.
func (h *Host) GetCase(_ context.Context, id string, parties bool) (sdk.Case, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.need(PermCasesRead); err != nil {
		return sdk.Case{}, err
	}
	c, err := h.caseOf(id)
	if err != nil {
		return sdk.Case{}, err
	}
	if parties && !h.perms[PermCasesParties] {
		return sdk.Case{}, denied("插件未获授权 cases.parties / the plugin was not granted cases.parties")
	}
	return h.view(c, parties), nil
}

// ListCases implements sdk.Host: the tenant's cases, newest received first, parties masked.
func (h *Host) ListCases(_ context.Context, q sdk.CaseQuery) (sdk.CasePage, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.need(PermCasesRead); err != nil {
		return sdk.CasePage{}, err
	}
	limit := q.Limit
	switch {
	case limit <= 0:
		limit = 50
	case limit > 200:
		limit = 200
	}
	var all []sdk.Case
	for _, c := range h.cases {
		if c.TenantCode != h.tenant || (q.Status != "" && c.Status != q.Status) || (q.CommitteeID != "" && c.CommitteeID != q.CommitteeID) {
			continue
		}
		all = append(all, c)
	}
	sort.Slice(all, func(i, j int) bool {
		if !all[i].ReceivedAt.Equal(all[j].ReceivedAt) {
			return all[i].ReceivedAt.After(all[j].ReceivedAt)
		}
		return all[i].ID < all[j].ID
	})
	start := 0
	if q.After != "" {
		start = len(all)
		for i, c := range all {
			if c.ID == q.After {
				start = i + 1
				break
			}
		}
	}
	var page sdk.CasePage
	for i := start; i < len(all) && len(page.Cases) < limit; i++ {
		page.Cases = append(page.Cases, h.view(all[i], false))
	}
	if end := start + len(page.Cases); end < len(all) && len(page.Cases) > 0 {
		page.Next = page.Cases[len(page.Cases)-1].ID
	}
	return page, nil
}

// ListOrganisations implements sdk.Host.
func (h *Host) ListOrganisations(_ context.Context, kind string) ([]sdk.Organisation, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.need(PermOrganisationsRead); err != nil {
		return nil, err
	}
	var out []sdk.Organisation
	for _, o := range h.orgs {
		if kind == "" || o.Kind == kind {
			out = append(out, o)
		}
	}
	return out, nil
}

// ListMediators implements sdk.Host.
func (h *Host) ListMediators(_ context.Context, organisationID string) ([]sdk.Mediator, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.need(PermOrganisationsRead); err != nil {
		return nil, err
	}
	var out []sdk.Mediator
	for _, m := range h.mediators {
		if organisationID == "" || m.OrganisationID == organisationID {
			out = append(out, m)
		}
	}
	return out, nil
}

// AddCaseNote implements sdk.Host.
func (h *Host) AddCaseNote(_ context.Context, caseID, text string, data any) (string, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.need(PermCasesNote); err != nil {
		return "", err
	}
	var raw json.RawMessage
	if data != nil {
		b, err := json.Marshal(data)
		if err != nil {
			return "", invalid("data", "须为 JSON / must be JSON")
		}
		raw = b
	}
	if err := checkTexts("case_id", caseID, "text", text); err != nil {
		return "", err
	}
	if err := checkJSONText("data", raw); err != nil {
		return "", err
	}
	switch {
	case text == "" || utf8.RuneCountInString(text) > maxNote:
		return "", invalid("text", "记录须为 1–2000 字 / a note is 1–2000 characters")
	case len(raw) > maxNoteData:
		return "", invalid("data", "至多 64 KiB / at most 64 KiB")
	}
	if _, err := h.caseOf(caseID); err != nil {
		return "", err
	}
	n := Note{EventID: h.next("event"), CaseID: caseID, Text: text, Data: raw}
	h.notes = append(h.notes, n)
	return n.EventID, nil
}

// UpdateCaseFields implements sdk.Host: it merges into the case's plugin fields.
func (h *Host) UpdateCaseFields(_ context.Context, caseID string, fields map[string]any) (sdk.Case, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.need(PermCasesFields); err != nil {
		return sdk.Case{}, err
	}
	// Round-trip through JSON, as over the wire: the stored values are what JSON gives back.
	raw, err := json.Marshal(fields)
	if err != nil {
		return sdk.Case{}, invalid("fields", "字段不是 JSON / the fields are not JSON")
	}
	if err := checkTexts("case_id", caseID); err != nil {
		return sdk.Case{}, err
	}
	if err := checkJSONText("fields", raw); err != nil {
		return sdk.Case{}, err
	}
	if len(raw) > maxFieldsJSON || fields == nil || len(fields) > maxFields {
		return sdk.Case{}, invalid("fields", "须为 JSON 对象，至多 100 个字段、64 KiB / must be a JSON object of at most 100 fields and 64 KiB")
	}
	c, err := h.caseOf(caseID)
	if err != nil {
		return sdk.Case{}, err
	}
	var decoded map[string]any
	_ = json.Unmarshal(raw, &decoded)
	c.Fields = cloneMap(c.Fields)
	for k, v := range decoded {
		c.Fields[k] = v
	}
	h.cases[caseID] = c
	return h.view(c, false), nil
}

// LinkAgency implements sdk.Host.
func (h *Host) LinkAgency(_ context.Context, caseID, organisationID, reason string) (string, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.need(PermCasesLink); err != nil {
		return "", err
	}
	if err := checkTexts("case_id", caseID, "organisation_id", organisationID, "reason", reason); err != nil {
		return "", err
	}
	if _, err := h.caseOf(caseID); err != nil {
		return "", err
	}
	if !slices.ContainsFunc(h.orgs, func(o sdk.Organisation) bool { return o.ID == organisationID }) {
		return "", invalid("party_id", "不是本租户的在用组织或用户 / not an active organisation or user of the tenant")
	}
	l := Link{ID: h.next("link"), CaseID: caseID, OrganisationID: organisationID, Reason: reason}
	h.links = append(h.links, l)
	return l.ID, nil
}

// ShareCase implements sdk.Host.
func (h *Host) ShareCase(_ context.Context, s sdk.Share) (string, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.need(PermCasesShare); err != nil {
		return "", err
	}
	if err := checkTexts("case_id", s.CaseID, "grantee_tenant", s.GranteeTenant, "grantee_organisation_id", s.GranteeOrganisationID,
		"scope", s.Scope, "reason", s.Reason); err != nil {
		return "", err
	}
	if _, err := h.caseOf(s.CaseID); err != nil {
		return "", err
	}
	// The platform's rules of a share (core/access.CheckShare), re-stated.
	now := h.Now()
	switch {
	case len(s.GranteeTenant) != 6:
		return "", invalid("grantee_tenant", "请填写被共享的租户代码（6 位） / grantee_tenant must be a 6-digit tenant code")
	case s.GranteeTenant == h.tenant && s.GranteeOrganisationID == "":
		return "", invalid("grantee_organisation_id", "本租户工作人员已可查看本案；共享给本租户时须指定协作单位 / the tenant's own staff see the case already: name the agency to share it with")
	case s.Scope != "summary" && s.Scope != "parties":
		return "", invalid("scope", `scope 须为 "summary"（案情摘要）或 "parties"（摘要及当事人信息） / scope must be "summary" or "parties"`)
	case strings.TrimSpace(s.Reason) == "" || utf8.RuneCountInString(strings.TrimSpace(s.Reason)) > 500:
		return "", invalid("purpose", "请说明共享目的（1–500 字） / purpose must be 1–500 characters")
	case !s.ExpiresAt.After(now):
		return "", invalid("expires_at", "到期时间须晚于现在 / expires_at must be in the future")
	case s.ExpiresAt.After(now.AddDate(0, 0, maxShareDays)):
		return "", invalid("expires_at", "共享期限最长一年 / a share lasts at most one year")
	}
	r := ShareRecord{ID: h.next("share"), Share: s}
	h.shares = append(h.shares, r)
	return r.ID, nil
}

// RevokeShare implements sdk.Host.
func (h *Host) RevokeShare(_ context.Context, caseID, shareID string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.need(PermCasesShare); err != nil {
		return err
	}
	if err := checkTexts("case_id", caseID, "share_id", shareID); err != nil {
		return err
	}
	if _, err := h.caseOf(caseID); err != nil {
		return err
	}
	for i := range h.shares {
		if h.shares[i].ID == shareID && h.shares[i].CaseID == caseID {
			h.shares[i].Revoked = true
			return nil
		}
	}
	return notFound("share %s not found", shareID)
}

// SetJoint implements sdk.Host.
func (h *Host) SetJoint(_ context.Context, caseID string, j sdk.Joint) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.need(PermCasesJoint); err != nil {
		return err
	}
	if err := checkTexts("case_id", caseID, "joint_id", j.ID, "lead", j.Lead); err != nil {
		return err
	}
	for i, t := range j.Tenants {
		if err := checkTexts(fmt.Sprintf("tenants[%d]", i), t); err != nil {
			return err
		}
	}
	if _, err := h.caseOf(caseID); err != nil {
		return err
	}
	if j.ID == "" {
		delete(h.joints, caseID)
		return nil
	}
	if err := checkJoint(h.tenant, j); err != nil {
		return err
	}
	for _, t := range j.Tenants {
		if h.active != nil && !slices.Contains(h.active, t) {
			return invalid("tenants", "不是在用的租户："+t+" / not an active tenant: "+t)
		}
	}
	j.Tenants = slices.Clone(j.Tenants)
	h.joints[caseID] = j
	return nil
}

// Joints are the joint mediations the plugin set, by case.
func (h *Host) Joints() map[string]sdk.Joint {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := map[string]sdk.Joint{}
	for k, v := range h.joints {
		out[k] = v
	}
	return out
}

// Notify implements sdk.Host.
func (h *Host) Notify(_ context.Context, n sdk.Notification) (string, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.need(PermNotificationsSend); err != nil {
		return "", err
	}
	if err := checkTexts("recipient", n.Recipient, "title", n.Title, "body", n.Body, "case_id", n.CaseID, "kind", n.Kind); err != nil {
		return "", err
	}
	if n.Title == "" || utf8.RuneCountInString(n.Title) > maxTitle {
		return "", invalid("title", "标题须为 1–200 字 / a title is 1–200 characters")
	}
	if n.CaseID != "" {
		if _, err := h.caseOf(n.CaseID); err != nil {
			return "", err
		}
	}
	if n.Recipient != "tenant" && !strings.HasPrefix(n.Recipient, "org:") && !strings.HasPrefix(n.Recipient, "user:") {
		return "", invalid("recipient", "收件人须为 org:<组织编号>、user:<用户编号> 或 tenant / recipient must be org:<id>, user:<id> or tenant")
	}
	h.notifications = append(h.notifications, n)
	return h.next("message"), nil
}

// Stats implements sdk.Host: it answers what SetStats set ({} before).
func (h *Host) Stats(_ context.Context, query string) (json.RawMessage, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.need(PermStatsRead); err != nil {
		return nil, err
	}
	if err := checkTexts("query", query); err != nil {
		return nil, err
	}
	if _, err := url.ParseQuery(query); err != nil {
		return nil, invalid("query", "查询串无效 / invalid query string")
	}
	h.statsQueries = append(h.statsQueries, query)
	if h.stats == nil {
		return json.RawMessage(`{}`), nil
	}
	return append(json.RawMessage(nil), h.stats...), nil
}

// Documents implements sdk.Host.
func (h *Host) Documents() sdk.Documents { return documents{h} }

type documents struct{ h *Host }

// checkKey holds a document's kind and id to the platform's rules (the plugin_documents
// table's checks, migration 00018).
func checkKey(kind, id string) error {
	if !docKind.MatchString(kind) || id == "" || utf8.RuneCountInString(id) > maxDocID {
		return invalid("document", "种类须为小写字母开头（至多 64 位），编号 1–200 字符，数据为 JSON / kind must start with a lowercase letter (at most 64), id 1–200 characters, data JSON")
	}
	return nil
}

func (d documents) Put(_ context.Context, doc sdk.Document, ifVersion int64) (sdk.Document, error) {
	h := d.h
	if err := checkTexts("document.kind", doc.Kind, "document.id", doc.ID); err != nil {
		return sdk.Document{}, err
	}
	if err := checkJSONText("document.data", doc.Data); err != nil {
		return sdk.Document{}, err
	}
	if !json.Valid(doc.Data) {
		return sdk.Document{}, invalid("document.data", "须为 JSON / must be JSON")
	}
	if len(doc.Data) > maxDocument {
		return sdk.Document{}, invalid("document.data", "文档最大 1 MiB / a document is at most 1 MiB")
	}
	if err := checkKey(doc.Kind, doc.ID); err != nil {
		return sdk.Document{}, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	k := docKey{doc.Kind, doc.ID}
	old, exists := h.docs[k]
	if ifVersion > 0 && (!exists || old.Version != ifVersion) {
		return sdk.Document{}, &sdk.HostError{Code: "Aborted", Message: fmt.Sprintf("document %s/%s is not at version %d", doc.Kind, doc.ID, ifVersion)}
	}
	stored := sdk.Document{
		Kind: doc.Kind, ID: doc.ID, Data: append(json.RawMessage(nil), doc.Data...),
		Version: old.Version + 1, UpdatedAt: h.Now().UTC().Truncate(time.Millisecond),
	}
	h.docs[k] = stored
	return stored, nil
}

func (d documents) Create(ctx context.Context, doc sdk.Document) (sdk.Document, error) {
	h := d.h
	h.mu.Lock()
	_, exists := h.docs[docKey{doc.Kind, doc.ID}]
	h.mu.Unlock()
	if exists {
		return sdk.Document{}, &sdk.HostError{Code: "AlreadyExists", Message: fmt.Sprintf("document %s/%s exists", doc.Kind, doc.ID)}
	}
	return d.Put(ctx, doc, 0)
}

func (d documents) Get(_ context.Context, kind, id string) (sdk.Document, error) {
	h := d.h
	if err := checkTexts("kind", kind, "id", id); err != nil {
		return sdk.Document{}, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	doc, ok := h.docs[docKey{kind, id}]
	if !ok {
		return sdk.Document{}, notFound("document %s/%s not found", kind, id)
	}
	return doc, nil
}

func (d documents) List(_ context.Context, kind, after string, limit int) ([]sdk.Document, string, error) {
	h := d.h
	switch {
	case limit <= 0:
		limit = 100
	case limit > 1000:
		limit = 1000
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	var ids []string
	for k := range h.docs {
		if k.kind == kind && k.id > after {
			ids = append(ids, k.id)
		}
	}
	sort.Strings(ids)
	next := ""
	if len(ids) > limit {
		ids = ids[:limit]
		next = ids[limit-1]
	}
	docs := make([]sdk.Document, 0, len(ids))
	for _, id := range ids {
		docs = append(docs, h.docs[docKey{kind, id}])
	}
	return docs, next, nil
}

func (d documents) Delete(_ context.Context, kind, id string) (bool, error) {
	h := d.h
	if err := checkTexts("kind", kind, "id", id); err != nil {
		return false, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	k := docKey{kind, id}
	_, ok := h.docs[k]
	delete(h.docs, k)
	return ok, nil
}

// NewCall is the Call of a hook, event, route or job for tenant, with the given settings
// (JSON; "" is {}) and host, acting as a user of the tenant.
func NewCall(tenant, settingsJSON string, host sdk.Host) *sdk.Call {
	if settingsJSON == "" {
		settingsJSON = "{}"
	}
	return &sdk.Call{
		Tenant:    tenant,
		Principal: sdk.Principal{Subject: "user:sdktest", Kind: "user", ID: "sdktest", Tenant: tenant, Name: "sdktest"},
		Settings:  json.RawMessage(settingsJSON),
		RequestID: "sdktest",
		Host:      host,
	}
}

var _ sdk.Host = (*Host)(nil)
