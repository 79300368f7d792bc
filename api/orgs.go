package api

import (
	"encoding/base64"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/fengqiao/fengqiao/core/orgs"
	"github.com/fengqiao/fengqiao/core/pii"
	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
)

// The district's registry (core/orgs): organisations, mediators and the expert pool.

type orgContactDTO struct {
	Name    string `json:"name"`
	Phone   string `json:"phone"`
	Address string `json:"address"`
}

type createOrganisationRequest struct {
	Kind         string         `json:"kind"`
	Name         string         `json:"name"`
	StreetCode   string         `json:"street_code,omitempty"`
	VillageCode  string         `json:"village_code,omitempty"`
	Industry     string         `json:"industry,omitempty"`
	StationedAt  string         `json:"stationed_at,omitempty"`
	MediatorName string         `json:"mediator_name,omitempty"`
	Contact      *orgContactDTO `json:"contact,omitempty"`
	WebhookURL   string         `json:"webhook_url,omitempty"`
}

type updateOrganisationRequest struct {
	Kind         *string        `json:"kind,omitempty"`
	Name         *string        `json:"name,omitempty"`
	StreetCode   *string        `json:"street_code,omitempty"`
	VillageCode  *string        `json:"village_code,omitempty"`
	Industry     *string        `json:"industry,omitempty"`
	StationedAt  *string        `json:"stationed_at,omitempty"`
	MediatorName *string        `json:"mediator_name,omitempty"`
	Contact      *orgContactDTO `json:"contact,omitempty"`
	WebhookURL   *string        `json:"webhook_url,omitempty"`
	Status       *string        `json:"status,omitempty"`
}

type organisationDTO struct {
	ID           string        `json:"id"`
	TenantCode   string        `json:"tenant_code"`
	Kind         string        `json:"kind"`
	Name         string        `json:"name"`
	StreetCode   string        `json:"street_code"`
	VillageCode  string        `json:"village_code"`
	Industry     string        `json:"industry"`
	StationedAt  string        `json:"stationed_at"`
	MediatorName string        `json:"mediator_name"`
	Contact      orgContactDTO `json:"contact"`
	WebhookURL   string        `json:"webhook_url"`
	Status       string        `json:"status"`
	CreatedAt    time.Time     `json:"created_at"`
	UpdatedAt    time.Time     `json:"updated_at"`
}

func toOrganisationDTO(o orgs.Organisation) organisationDTO {
	return organisationDTO{ID: o.ID, TenantCode: o.TenantCode, Kind: string(o.Kind), Name: o.Name, StreetCode: o.StreetCode,
		VillageCode: o.VillageCode, Industry: o.Industry, StationedAt: o.StationedAt, MediatorName: o.MediatorName,
		Contact: orgContactDTO(o.Contact), WebhookURL: o.WebhookURL, Status: string(o.Status), CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt}
}

type organisationList struct {
	Items     []organisationDTO `json:"items"`
	NextAfter string            `json:"next_after,omitempty"`
}

type createMediatorRequest struct {
	Name              string   `json:"name"`
	Kind              string   `json:"kind"`
	CertificateNumber string   `json:"certificate_number,omitempty"`
	Grade             string   `json:"grade,omitempty"`
	Chief             bool     `json:"chief,omitempty"`
	Specialities      []string `json:"specialities,omitempty"`
	OrganisationID    string   `json:"organisation_id"`
	Phone             string   `json:"phone,omitempty"`
	CreditScore       *int     `json:"credit_score,omitempty"`
	UserID            string   `json:"user_id,omitempty"`
}

type updateMediatorRequest struct {
	Name              *string   `json:"name,omitempty"`
	Kind              *string   `json:"kind,omitempty"`
	CertificateNumber *string   `json:"certificate_number,omitempty"`
	Grade             *string   `json:"grade,omitempty"`
	Chief             *bool     `json:"chief,omitempty"`
	Specialities      *[]string `json:"specialities,omitempty"`
	OrganisationID    *string   `json:"organisation_id,omitempty"`
	Phone             *string   `json:"phone,omitempty"`
	Status            *string   `json:"status,omitempty"`
	CreditScore       *int      `json:"credit_score,omitempty"`
	UserID            *string   `json:"user_id,omitempty"`
}

type mediatorDTO struct {
	ID                string   `json:"id"`
	TenantCode        string   `json:"tenant_code"`
	Name              string   `json:"name"`
	Kind              string   `json:"kind"`
	CertificateNumber string   `json:"certificate_number"`
	Grade             string   `json:"grade"`
	Chief             bool     `json:"chief"`
	Specialities      []string `json:"specialities"`
	OrganisationID    string   `json:"organisation_id"`
	Phone             string   `json:"phone"`
	Status            string   `json:"status"`
	CreditScore       int      `json:"credit_score"`
	UserID            string   `json:"user_id,omitempty"`
	// Masked: read from a bureau above the mediator's district, which sees the phone and the
	// certificate number masked and not the user account.
	Masked    bool      `json:"masked"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func toMediatorDTO(m orgs.Mediator) mediatorDTO {
	return mediatorDTO{ID: m.ID, TenantCode: m.TenantCode, Name: m.Name, Kind: string(m.Kind), CertificateNumber: m.CertificateNumber,
		Grade: m.Grade, Chief: m.Chief, Specialities: strs(m.Specialities), OrganisationID: m.OrganisationID, Phone: m.Phone,
		Status: string(m.Status), CreditScore: m.CreditScore, UserID: m.UserID, CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt}
}

// mediatorView is how a caller sees a mediator: in full by the staff of the mediator's own
// district; masked (phone, certificate number, no user account) by the bureaus above it,
// which read the registry for counts and names, not to call people.
func mediatorView(c echo.Context) func(orgs.Mediator) mediatorDTO {
	home := principal(c).TenantCode
	return func(m orgs.Mediator) mediatorDTO {
		d := toMediatorDTO(m)
		if m.TenantCode != home {
			d.Masked, d.Phone, d.UserID = true, pii.MaskPhone(m.Phone), ""
			d.CertificateNumber = maskTail(m.CertificateNumber)
		}
		return d
	}
}

// maskTail keeps the last 4 characters of an identifier ("****1234").
func maskTail(s string) string {
	r := []rune(s)
	if len(r) <= 4 {
		return strings.Repeat("*", len(r))
	}
	return "****" + string(r[len(r)-4:])
}

// boolParam reads an optional true/false query parameter.
func boolParam(c echo.Context, name string) (*bool, error) {
	v := c.QueryParam(name)
	if v == "" {
		return nil, nil
	}
	switch v {
	case "true":
		b := true
		return &b, nil
	case "false":
		b := false
		return &b, nil
	}
	return nil, invalid(name, name+" 须为 true 或 false / "+name+" must be true or false")
}

// subtreeParam reads ?subtree=true|false.
func subtreeParam(c echo.Context) (bool, error) {
	b, err := boolParam(c, "subtree")
	return b != nil && *b, err
}

// organisationView is how a caller sees an organisation: a bureau above its district does not
// see the agency's webhook address (where the outcome is pushed).
func organisationView(c echo.Context) func(orgs.Organisation) organisationDTO {
	home := principal(c).TenantCode
	return func(o orgs.Organisation) organisationDTO {
		d := toOrganisationDTO(o)
		if o.TenantCode != home {
			d.WebhookURL = ""
		}
		return d
	}
}

type mediatorCountDTO struct {
	TenantCode string `json:"tenant_code"`
	TenantName string `json:"tenant_name"`
	Total      int    `json:"total"`
	Chief      int    `json:"chief"`
	FullTime   int    `json:"full_time"`
	PartTime   int    `json:"part_time"`
	Linked     int    `json:"linked"` // with a user account
}

type mediatorCounts struct {
	Items []mediatorCountDTO `json:"items"`
	Total mediatorCountDTO   `json:"total"`
}

func (s *Server) countMediators(c echo.Context) error {
	chief, err := boolParam(c, "chief")
	if err != nil {
		return err
	}
	f := orgs.Filter{Kind: c.QueryParam("kind"), Status: orgs.Status(c.QueryParam("status")), Chief: chief}
	counts, err := s.deps.Orgs.MediatorCounts(c.Request().Context(), c.Param("code"), f)
	if err != nil {
		return err
	}
	out := mediatorCounts{Items: []mediatorCountDTO{}, Total: mediatorCountDTO{TenantCode: c.Param("code")}}
	for _, n := range counts {
		out.Items = append(out.Items, mediatorCountDTO(n))
		out.Total.Total += n.Total
		out.Total.Chief += n.Chief
		out.Total.FullTime += n.FullTime
		out.Total.PartTime += n.PartTime
		out.Total.Linked += n.Linked
	}
	return c.JSON(http.StatusOK, out)
}

type mediatorList struct {
	Items     []mediatorDTO `json:"items"`
	NextAfter string        `json:"next_after,omitempty"`
}

type createExpertRequest struct {
	Name         string   `json:"name"`
	Field        string   `json:"field"`
	Specialities []string `json:"specialities,omitempty"`
	Organisation string   `json:"organisation,omitempty"`
	Phone        string   `json:"phone,omitempty"`
	Note         string   `json:"note,omitempty"`
}

type updateExpertRequest struct {
	Name         *string   `json:"name,omitempty"`
	Field        *string   `json:"field,omitempty"`
	Specialities *[]string `json:"specialities,omitempty"`
	Organisation *string   `json:"organisation,omitempty"`
	Phone        *string   `json:"phone,omitempty"`
	Note         *string   `json:"note,omitempty"`
	Status       *string   `json:"status,omitempty"`
}

type expertDTO struct {
	ID           string    `json:"id"`
	TenantCode   string    `json:"tenant_code"`
	Name         string    `json:"name"`
	Field        string    `json:"field"`
	Specialities []string  `json:"specialities"`
	Organisation string    `json:"organisation"`
	Phone        string    `json:"phone"`
	Note         string    `json:"note"`
	Status       string    `json:"status"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

func toExpertDTO(e orgs.Expert) expertDTO {
	return expertDTO{ID: e.ID, TenantCode: e.TenantCode, Name: e.Name, Field: e.Field, Specialities: strs(e.Specialities),
		Organisation: e.Organisation, Phone: e.Phone, Note: e.Note, Status: string(e.Status), CreatedAt: e.CreatedAt, UpdatedAt: e.UpdatedAt}
}

type expertList struct {
	Items     []expertDTO `json:"items"`
	NextAfter string      `json:"next_after,omitempty"`
}

func strs(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}

// nameCursor encodes the position after a record in the by-name order: base64url("name|id").
func nameCursor(name, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(name + "|" + id))
}

func parseNameCursor(s string) (name, id string, err error) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		if i := strings.LastIndexByte(string(raw), '|'); i >= 0 {
			name, id = string(raw[:i]), string(raw[i+1:])
			if len(id) == 36 && uuid.Validate(id) == nil && utf8.ValidString(name) && !strings.ContainsRune(name, 0) {
				return name, id, nil
			}
		}
	}
	return "", "", invalid("after", "after 须为上一页返回的 next_after / after must be the next_after of the previous page")
}

// registryFilter reads the listing parameters shared by the registry: kind (under the name
// kindParam), status, q, speciality, after and limit. The filter asks for one record more than
// the page, to tell whether another page follows.
func registryFilter(c echo.Context, kindParam string) (orgs.Filter, int, error) {
	limit, err := pageLimit(c)
	if err != nil {
		return orgs.Filter{}, 0, err
	}
	f := orgs.Filter{Limit: limit + 1, Kind: c.QueryParam(kindParam), Status: orgs.Status(c.QueryParam("status")),
		Query: c.QueryParam("q"), Speciality: c.QueryParam("speciality")}
	if v := c.QueryParam("after"); v != "" {
		if f.AfterName, f.AfterID, err = parseNameCursor(v); err != nil {
			return orgs.Filter{}, 0, err
		}
	}
	return f, limit, nil
}

// namePage turns the records of a listing into a page of DTOs and the cursor of the next one.
func namePage[T, D any](rows []T, limit int, key func(T) (string, string), dto func(T) D) ([]D, string) {
	out := make([]D, 0, min(len(rows), limit))
	for i, r := range rows {
		if i == limit {
			name, id := key(rows[i-1])
			return out, nameCursor(name, id)
		}
		out = append(out, dto(r))
	}
	return out, ""
}

func (s *Server) createOrganisation(c echo.Context) error {
	svc := s.deps.Orgs
	var req createOrganisationRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	in := orgs.NewOrganisation{Kind: req.Kind, Name: req.Name, StreetCode: req.StreetCode, VillageCode: req.VillageCode,
		Industry: req.Industry, StationedAt: req.StationedAt, MediatorName: req.MediatorName, WebhookURL: req.WebhookURL}
	if req.Contact != nil {
		in.Contact = orgs.Contact(*req.Contact)
	}
	o, err := svc.CreateOrganisation(c.Request().Context(), c.Param("code"), in)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/tenants/"+o.TenantCode+"/organisations/"+o.ID)
	return c.JSON(http.StatusCreated, toOrganisationDTO(o))
}

func (s *Server) listOrganisations(c echo.Context) error {
	svc := s.deps.Orgs
	f, limit, err := registryFilter(c, "kind")
	if err != nil {
		return err
	}
	f.Speciality = "" // organisations have none
	if f.Subtree, err = subtreeParam(c); err != nil {
		return err
	}
	os, err := svc.Organisations(c.Request().Context(), c.Param("code"), f)
	if err != nil {
		return err
	}
	var out organisationList
	out.Items, out.NextAfter = namePage(os, limit, func(o orgs.Organisation) (string, string) { return o.Name, o.ID }, organisationView(c))
	return c.JSON(http.StatusOK, out)
}

func (s *Server) getOrganisation(c echo.Context) error {
	svc := s.deps.Orgs
	o, err := svc.Organisation(c.Request().Context(), c.Param("code"), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, organisationView(c)(o))
}

func (s *Server) updateOrganisation(c echo.Context) error {
	svc := s.deps.Orgs
	var req updateOrganisationRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	in := orgs.OrganisationUpdate{Kind: req.Kind, Name: req.Name, StreetCode: req.StreetCode, VillageCode: req.VillageCode,
		Industry: req.Industry, StationedAt: req.StationedAt, MediatorName: req.MediatorName, WebhookURL: req.WebhookURL, Status: req.Status}
	if req.Contact != nil {
		ct := orgs.Contact(*req.Contact)
		in.Contact = &ct
	}
	o, err := svc.UpdateOrganisation(c.Request().Context(), c.Param("code"), c.Param("id"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toOrganisationDTO(o))
}

func (s *Server) createMediator(c echo.Context) error {
	svc := s.deps.Orgs
	var req createMediatorRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	m, err := svc.CreateMediator(c.Request().Context(), c.Param("code"), orgs.NewMediator{Name: req.Name, Kind: req.Kind,
		CertificateNumber: req.CertificateNumber, Grade: req.Grade, Chief: req.Chief, Specialities: req.Specialities,
		OrganisationID: req.OrganisationID, Phone: req.Phone, CreditScore: req.CreditScore, UserID: req.UserID})
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/tenants/"+m.TenantCode+"/mediators/"+m.ID)
	return c.JSON(http.StatusCreated, toMediatorDTO(m))
}

func (s *Server) listMediators(c echo.Context) error {
	svc := s.deps.Orgs
	f, limit, err := registryFilter(c, "kind")
	if err != nil {
		return err
	}
	f.OrganisationID = c.QueryParam("organisation_id")
	if f.Chief, err = boolParam(c, "chief"); err != nil {
		return err
	}
	if f.Subtree, err = subtreeParam(c); err != nil {
		return err
	}
	ms, err := svc.Mediators(c.Request().Context(), c.Param("code"), f)
	if err != nil {
		return err
	}
	var out mediatorList
	out.Items, out.NextAfter = namePage(ms, limit, func(m orgs.Mediator) (string, string) { return m.Name, m.ID }, mediatorView(c))
	return c.JSON(http.StatusOK, out)
}

func (s *Server) getMediator(c echo.Context) error {
	svc := s.deps.Orgs
	m, err := svc.Mediator(c.Request().Context(), c.Param("code"), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, mediatorView(c)(m))
}

func (s *Server) updateMediator(c echo.Context) error {
	svc := s.deps.Orgs
	var req updateMediatorRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	m, err := svc.UpdateMediator(c.Request().Context(), c.Param("code"), c.Param("id"), orgs.MediatorUpdate{Name: req.Name,
		Kind: req.Kind, CertificateNumber: req.CertificateNumber, Grade: req.Grade, Chief: req.Chief, Specialities: req.Specialities,
		OrganisationID: req.OrganisationID, Phone: req.Phone, Status: req.Status, CreditScore: req.CreditScore, UserID: req.UserID})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toMediatorDTO(m))
}

func (s *Server) createExpert(c echo.Context) error {
	svc := s.deps.Orgs
	var req createExpertRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	e, err := svc.CreateExpert(c.Request().Context(), c.Param("code"), orgs.NewExpert{Name: req.Name, Field: req.Field,
		Specialities: req.Specialities, Organisation: req.Organisation, Phone: req.Phone, Note: req.Note})
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/tenants/"+e.TenantCode+"/experts/"+e.ID)
	return c.JSON(http.StatusCreated, toExpertDTO(e))
}

func (s *Server) listExperts(c echo.Context) error {
	svc := s.deps.Orgs
	f, limit, err := registryFilter(c, "field")
	if err != nil {
		return err
	}
	es, err := svc.Experts(c.Request().Context(), c.Param("code"), f)
	if err != nil {
		return err
	}
	var out expertList
	out.Items, out.NextAfter = namePage(es, limit, func(e orgs.Expert) (string, string) { return e.Name, e.ID }, toExpertDTO)
	return c.JSON(http.StatusOK, out)
}

func (s *Server) getExpert(c echo.Context) error {
	svc := s.deps.Orgs
	e, err := svc.Expert(c.Request().Context(), c.Param("code"), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toExpertDTO(e))
}

func (s *Server) updateExpert(c echo.Context) error {
	svc := s.deps.Orgs
	var req updateExpertRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	e, err := svc.UpdateExpert(c.Request().Context(), c.Param("code"), c.Param("id"), orgs.ExpertUpdate{Name: req.Name,
		Field: req.Field, Specialities: req.Specialities, Organisation: req.Organisation, Phone: req.Phone, Note: req.Note, Status: req.Status})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toExpertDTO(e))
}

func orgRoutes() []route {
	listQ := func(kind, kindDoc string, extra ...queryParam) []queryParam {
		q := []queryParam{
			{kind, kindDoc, "string"},
			{"status", "active | inactive", "string"},
			{"q", "名称/姓名包含 / name contains", "string"},
		}
		q = append(q, extra...)
		return append(q, []queryParam{
			{"after", "游标：上一页的 next_after / cursor: next_after of the previous page", "string"},
			{"limit", "1–500，默认 100 / 1–500, default 100", "integer"},
		}...)
	}
	speciality := queryParam{"speciality", "擅长的纠纷类型代码 / dispute-type code of a speciality", "string"}
	subtree := queryParam{"subtree", "true：含下辖各区县的名册（市、省司法局只读） / true: include the registries of the tenants below (read only, for city and provincial bureaus)", "boolean"}
	const base = "/api/v1/tenants/:code/"
	return []route{
		{method: http.MethodPost, path: base + "organisations", operationID: "createOrganisation", summary: "登记调解组织或成员单位 / Register an organisation: committee, studio, judicial office or partner agency", tag: "organisations", tenantScoped: true, requireActive: true, obj: "organisations", act: "create", request: createOrganisationRequest{}, response: organisationDTO{}, status: 201, handler: (*Server).createOrganisation},
		{method: http.MethodGet, path: base + "organisations", operationID: "listOrganisations", summary: "调解组织和成员单位（按名称，游标分页） / Organisations by name, cursor-paginated", tag: "organisations", tenantScoped: true, requireActive: true, obj: "organisations", act: "read", response: organisationList{}, status: 200, handler: (*Server).listOrganisations,
			query: listQ("kind", "village_committee | street_committee | enterprise_committee | industry_committee | dispatched_committee | judicial_office | brand_studio | court | police_station | procuratorate | petition_office | department", subtree)},
		{method: http.MethodGet, path: base + "organisations/:id", operationID: "getOrganisation", summary: "调解组织或成员单位 / An organisation", tag: "organisations", tenantScoped: true, requireActive: true, obj: "organisations", act: "read", response: organisationDTO{}, status: 200, handler: (*Server).getOrganisation},
		{method: http.MethodPatch, path: base + "organisations/:id", operationID: "updateOrganisation", summary: "修改调解组织（status: inactive 停用；不可删除） / Update an organisation; status inactive deactivates it (no deletion)", tag: "organisations", tenantScoped: true, requireActive: true, obj: "organisations", act: "update", request: updateOrganisationRequest{}, response: organisationDTO{}, status: 200, handler: (*Server).updateOrganisation},

		{method: http.MethodPost, path: base + "mediators", operationID: "createMediator", summary: "登记人民调解员 / Register a people's mediator", tag: "mediators", tenantScoped: true, requireActive: true, obj: "mediators", act: "create", request: createMediatorRequest{}, response: mediatorDTO{}, status: 201, handler: (*Server).createMediator},
		{method: http.MethodGet, path: base + "mediators", operationID: "listMediators", summary: "人民调解员（按姓名，游标分页） / Mediators by name, cursor-paginated", tag: "mediators", tenantScoped: true, requireActive: true, obj: "mediators", act: "read", response: mediatorList{}, status: 200, handler: (*Server).listMediators,
			query: listQ("kind", "full_time | part_time", queryParam{"organisation_id", "所属调解组织 id / id of the mediator's organisation", "string"}, speciality,
				queryParam{"chief", "true：只列首席调解员；false：不含首席调解员 / true: chief mediators only; false: all but them", "boolean"}, subtree)},
		{method: http.MethodGet, path: base + "mediator-counts", operationID: "countMediators", summary: "本级及下辖各区县的调解员人数（首席、专职、兼职、已关联账号） / Mediators of this tenant and each tenant below it: chief, full-time, part-time, with a user account", tag: "mediators", tenantScoped: true, requireActive: true, obj: "mediators", act: "read", response: mediatorCounts{}, status: 200, handler: (*Server).countMediators,
			query: []queryParam{{"kind", "full_time | part_time", "string"}, {"status", "active | inactive", "string"}, {"chief", "true | false", "boolean"}}},
		{method: http.MethodGet, path: base + "mediators/:id", operationID: "getMediator", summary: "人民调解员 / A mediator", tag: "mediators", tenantScoped: true, requireActive: true, obj: "mediators", act: "read", response: mediatorDTO{}, status: 200, handler: (*Server).getMediator},
		{method: http.MethodPatch, path: base + "mediators/:id", operationID: "updateMediator", summary: "修改调解员（含信用分；status: inactive 停用） / Update a mediator, credit score included; status inactive deactivates", tag: "mediators", tenantScoped: true, requireActive: true, obj: "mediators", act: "update", request: updateMediatorRequest{}, response: mediatorDTO{}, status: 200, handler: (*Server).updateMediator},

		{method: http.MethodPost, path: base + "experts", operationID: "createExpert", summary: "加入专家库 / Add an expert to the pool", tag: "experts", tenantScoped: true, requireActive: true, obj: "experts", act: "create", request: createExpertRequest{}, response: expertDTO{}, status: 201, handler: (*Server).createExpert},
		{method: http.MethodGet, path: base + "experts", operationID: "listExperts", summary: "专家库（按姓名，游标分页） / Expert pool by name, cursor-paginated", tag: "experts", tenantScoped: true, requireActive: true, obj: "experts", act: "read", response: expertList{}, status: 200, handler: (*Server).listExperts,
			query: listQ("field", "lawyer | doctor | psychologist | engineer | accountant | other", speciality)},
		{method: http.MethodGet, path: base + "experts/:id", operationID: "getExpert", summary: "专家 / An expert", tag: "experts", tenantScoped: true, requireActive: true, obj: "experts", act: "read", response: expertDTO{}, status: 200, handler: (*Server).getExpert},
		{method: http.MethodPatch, path: base + "experts/:id", operationID: "updateExpert", summary: "修改专家信息（status: inactive 停用） / Update an expert; status inactive deactivates", tag: "experts", tenantScoped: true, requireActive: true, obj: "experts", act: "update", request: updateExpertRequest{}, response: expertDTO{}, status: 200, handler: (*Server).updateExpert},
	}
}
