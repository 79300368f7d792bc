package api

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/fengqiao/fengqiao/core/access"
	"github.com/fengqiao/fengqiao/core/authz"
	"github.com/fengqiao/fengqiao/core/cases"
	"github.com/fengqiao/fengqiao/core/codes"
	"github.com/fengqiao/fengqiao/core/identity"
	"github.com/fengqiao/fengqiao/core/orgs"
	"github.com/fengqiao/fengqiao/core/pii"
	"github.com/labstack/echo/v4"
)

// Intake: taking in a case, with live validation, the proposed routing and the warning level.
// Every check and the creation itself are the API's operations (checkIntake, createCase,
// actOnCase assign): the page only lays out their answers.
func consoleIntakePages() []page {
	return []page{
		{method: http.MethodGet, path: "/intake", handler: (*Server).intakePage},
		{method: http.MethodPost, path: "/intake", handler: (*Server).intakeSubmit},
		{method: http.MethodPost, path: "/intake/check", handler: (*Server).intakeCheck},
		{method: http.MethodPost, path: "/intake/parties", handler: (*Server).intakeParties},
	}
}

// option is one choice of a select.
type option struct{ Value, Label string }

// intakeField is one input of the form: its API field name (the problem's field), its element
// id, label, value, choices (a select when set) and current message.
type intakeField struct {
	Name, ID, Label, Value, Error, Hint string
	Group                               string // the party row, in the summary
	Type, InputMode, Autocomplete       string
	Required, Textarea, Wide            bool
	Focus                               bool // focused after its row was added
	Options                             []option
}

// intakeParty is one party row of the form.
type intakeParty struct {
	Index  int
	Fields []intakeField
}

// intakeData is what the intake templates show.
type intakeData struct {
	Main      []intakeField
	Referral  []intakeField
	Parties   []intakeParty
	PartyErr  intakeField // the parties group's own message (at least one applicant…)
	IdemKey   string
	Draft     *intakeDraft
	Checked   bool          // a check ran (Draft nil: the form is not complete yet)
	Other     []string      // messages of the problem for no field of the form
	Summary   []intakeField // the fields at fault, for the summary linking to them
	MaxReach  bool          // the party rows reached the API's maximum
	FocusAdd  bool          // focus the add button after the parties' block is swapped
	FieldsAll []intakeField
}

// intakeDraft is the check's answer as the page shows it.
type intakeDraft struct {
	Level, LevelName, LevelClass string
	Score                        int
	Signals                      []intakeSignal
	Negated                      []intakeSignal
	Complexity                   string
	Why                          []string
	Proposals                    []intakeProposal
	DueAt                        string
	CanRoute                     bool
}

type intakeSignal struct {
	Label, Detail, Clause string
	Weight                int
	Words                 string
}

type intakeProposal struct {
	CommitteeID, Name string
	Score             int
	Reasons           []string
}

// intakeForm is the form as posted.
type intakeForm struct {
	values  url.Values
	parties []map[string]string
}

// readIntakeForm reads the posted form; party rows are parties[i].field, renumbered in order.
func readIntakeForm(c echo.Context) (intakeForm, error) {
	vals, err := c.FormParams()
	if err != nil {
		return intakeForm{}, err
	}
	f := intakeForm{values: vals}
	rows := map[int]map[string]string{}
	for k, vs := range vals {
		if !strings.HasPrefix(k, "parties[") || len(vs) == 0 {
			continue
		}
		idx, field, ok := strings.Cut(strings.TrimPrefix(k, "parties["), "].")
		i, err := strconv.Atoi(idx)
		if !ok || err != nil || i < 0 || i > 10*cases.MaxParties {
			continue
		}
		if rows[i] == nil {
			rows[i] = map[string]string{}
		}
		rows[i][field] = vs[0]
	}
	idx := make([]int, 0, len(rows))
	for i := range rows {
		idx = append(idx, i)
	}
	sort.Ints(idx)
	for _, i := range idx {
		f.parties = append(f.parties, rows[i])
	}
	return f, nil
}

// request is the API's create request of the form, and the problem of an amount that is not a
// number (the API takes a number).
func (f intakeForm) request() (createCaseRequest, *Problem) {
	g := f.values.Get
	req := createCaseRequest{Title: g("title"), Description: g("description"), DisputeType: g("dispute_type"), Source: g("source"),
		PlaceCode: strings.TrimSpace(g("place_code")), Parties: []partyInput{}}
	var bad *Problem
	if a := strings.NewReplacer(",", "", "，", "", " ", "", "元", "").Replace(g("amount")); a != "" {
		v, err := strconv.ParseFloat(a, 64)
		if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
			bad = invalid("amount", "标的额须为数字（元），如 3500.50 / amount must be a number of yuan, e.g. 3500.50")
		} else {
			req.Amount = v
		}
	}
	if ag, id, ref, kind := strings.TrimSpace(g("referral.agency")), g("referral.agency_id"), strings.TrimSpace(g("referral.reference")), g("referral.kind"); ag != "" || id != "" || ref != "" || kind != "" {
		req.Referral = &referralDTO{Agency: ag, AgencyID: id, Reference: ref, Kind: kind}
	}
	for _, p := range f.parties {
		req.Parties = append(req.Parties, partyInput{Role: p["role"], Kind: p["kind"], Name: p["name"], IDType: p["id_type"],
			IDNumber: p["id_number"], Phone: p["phone"], Address: p["address"], Occupation: p["occupation"]})
	}
	return req, bad
}

// withProblem merges the console's own problem of a field (the amount) into the API's.
func withProblem(p, own *Problem) *Problem {
	if own == nil {
		return p
	}
	if p == nil {
		return own
	}
	if len(p.Errors) == 0 && p.Field != "" {
		p.Errors = append(p.Errors, FieldProblem{Field: p.Field, Detail: p.Detail})
	}
	p.Errors = append(p.Errors, FieldProblem{Field: own.Field, Detail: own.Detail})
	return p
}

func fieldID(name string) string {
	return "f-" + strings.NewReplacer("[", "-", "]", "", ".", "-", "_", "-").Replace(name)
}

func setOptions(v *view, set codes.Set, blank string) []option {
	out := []option{}
	if blank != "" {
		out = append(out, option{"", blank})
	}
	for _, n := range set {
		out = append(out, option{n.Code, v.T(n.ZH, n.EN)})
	}
	return out
}

// intakeData lays the form out with its values and the problem's messages.
func (s *Server) intakeData(v *view, f intakeForm, withLists bool) (*intakeData, error) {
	code := v.User.TenantCode
	g := f.values.Get
	d := &intakeData{IdemKey: g("idem")}
	if d.IdemKey == "" {
		b := make([]byte, 18)
		if _, err := rand.Read(b); err != nil {
			return nil, err
		}
		d.IdemKey = base64.RawURLEncoding.EncodeToString(b)
	}
	var types, streets []option
	if withLists {
		dt, err := opValue[disputeTypeList](s, v.c, v.principal(), opCall{method: http.MethodGet, path: "/api/v1/tenants/:code/dispute-types", params: map[string]string{"code": code}})
		if err != nil {
			return nil, err
		}
		types = []option{{"", v.T("请选择", "Choose")}}
		for _, t := range dt.Items {
			types = append(types, option{t.Code, v.T(t.NameZH, t.NameEN)})
		}
		// The district's streets where the user may list them; otherwise a code is typed.
		if offices, err := opValue[officeList](s, v.c, v.principal(), opCall{method: http.MethodGet, path: "/api/v1/tenants/:code/offices", params: map[string]string{"code": code}}); err == nil && len(offices.Items) > 0 {
			streets = []option{{"", v.T("未填写", "Not given")}}
			for _, o := range offices.Items {
				streets = append(streets, option{o.StreetCode, o.StreetName})
			}
			if pc := g("place_code"); pc != "" && !containsOption(streets, pc) {
				streets = append(streets, option{pc, pc})
			}
		}
	}
	var agencies []option
	if withLists {
		agencies = s.intakeAgencies(v, g("referral.agency_id"))
	}
	field := func(name, zh, en string) intakeField {
		return intakeField{Name: name, ID: fieldID(name), Label: v.T(zh, en), Value: g(name), Error: fieldMessage(v, name)}
	}
	title := field("title", "标题", "Title")
	title.Required, title.Wide, title.Hint = true, true, v.T("如：张某与李某邻里漏水纠纷", "e.g. a neighbours' dispute over a leak")
	desc := field("description", "纠纷描述", "Description")
	desc.Textarea, desc.Hint = true, v.T("经过、诉求；系统据此评估预警等级", "what happened and what is asked; the warning level is assessed from it")
	typ := field("dispute_type", "纠纷类型", "Dispute type")
	typ.Required, typ.Options = true, types
	src := field("source", "来源", "Source")
	src.Required, src.Options = true, setOptions(v, cases.SourceNames(), v.T("请选择", "Choose"))
	place := field("place_code", "纠纷发生地（街道）", "Place (street)")
	if streets != nil {
		place.Options = streets
	} else {
		place.InputMode, place.Hint = "numeric", v.T("本区县街道（9 位）或村居（12 位）区划代码", "the street (9 digits) or village (12 digits) code")
	}
	amount := field("amount", "标的额（元）", "Amount (yuan)")
	amount.InputMode, amount.Hint = "decimal", v.T("不涉及金额可不填", "leave empty when no money is at stake")
	d.Main = []intakeField{title, desc, typ, src, place, amount}

	agency := field("referral.agency", "移交单位", "Referring agency")
	agency.Hint = v.T("法院、派出所等移交的案件填写", "for cases a court, police station or other agency referred")
	agency.Autocomplete = "organization"
	ref := field("referral.reference", "移交文号", "Referral reference")
	kind := field("referral.kind", "法院委派/委托类型", "Court referral kind")
	kind.Options, kind.Hint = setOptions(v, cases.CourtKindNames(), v.T("非法院移交", "Not a court referral")), v.T("仅来源为法院时选择", "only when the source is a court")
	d.Referral = []intakeField{agency, ref, kind}
	if len(agencies) > 1 {
		agencyID := field("referral.agency_id", "移交的协作单位", "Referring partner agency")
		agencyID.Options = agencies
		agencyID.Hint = v.T("本区县登记的法院、派出所等；选择后该单位可查看其移交的案件及结果", "a court, police station… of this district: it then follows the case it referred and its outcome")
		agency.Hint = v.T("未选择协作单位时填写；选择后可不填", "when no partner agency is chosen; may be left empty when one is")
		d.Referral = []intakeField{agencyID, agency, ref, kind}
	}

	rows := f.parties
	if len(rows) == 0 {
		rows = []map[string]string{{"role": string(cases.RoleApplicant)}, {"role": string(cases.RoleRespondent)}}
	}
	docTypes := setOptions(v, cases.DocTypeChoices(), "")
	for i, r := range rows {
		pf := func(name, zh, en string) intakeField {
			full := "parties[" + strconv.Itoa(i) + "]." + name
			return intakeField{Name: full, ID: fieldID(full), Label: v.T(zh, en), Value: r[name], Error: fieldMessage(v, full),
				Group: v.T("当事人 ", "Party ") + strconv.Itoa(i+1)}
		}
		role := pf("role", "角色", "Side")
		role.Options = setOptions(v, cases.PartyRoleNames(), "")
		pk := pf("kind", "类别", "Kind")
		pk.Options = setOptions(v, cases.PartyKindNames(), "")
		name := pf("name", "姓名或名称", "Name")
		name.Required, name.Autocomplete = true, "off"
		idType := pf("id_type", "证件类型（单位不填）", "Identity document (none for an organisation)")
		idType.Options = append([]option{{"", v.T("居民身份证（默认）", "Resident ID card (default)")}}, docTypes...)
		if idType.Value == string(pii.DefaultDocType) {
			idType.Value = ""
		}
		idNo := pf("id_number", "证件号码或统一社会信用代码", "Document number or credit code")
		idNo.Autocomplete = "off"
		phone := pf("phone", "联系电话", "Phone")
		phone.Type, phone.InputMode, phone.Autocomplete = "tel", "tel", "off"
		addr := pf("address", "住址", "Address")
		addr.Autocomplete = "off"
		occ := pf("occupation", "职业", "Occupation")
		d.Parties = append(d.Parties, intakeParty{Index: i, Fields: []intakeField{role, pk, name, idType, idNo, phone, addr, occ}})
	}
	d.MaxReach = len(d.Parties) >= cases.MaxParties
	d.PartyErr = intakeField{Name: "parties", ID: fieldID("parties"), Label: v.T("当事人", "Parties"), Error: fieldMessage(v, "parties")}

	// A required choice left empty: the API lists the codes it takes, the user chooses a name.
	for i := range d.Main {
		if fl := &d.Main[i]; fl.Required && fl.Error != "" && fl.Value == "" && (fl.Options != nil || fl.Name == "dispute_type" || fl.Name == "source") {
			fl.Error = v.T("请选择"+fl.Label, "Choose the "+strings.ToLower(fl.Label))
		}
	}
	// Messages for no field of the form: shown with the check's answer.
	known := map[string]bool{"parties": true}
	d.FieldsAll = append(append([]intakeField{}, d.Main...), d.Referral...)
	for _, p := range d.Parties {
		d.FieldsAll = append(d.FieldsAll, p.Fields...)
	}
	for _, fl := range d.FieldsAll {
		known[fl.Name] = true
		if fl.Error != "" {
			d.Summary = append(d.Summary, fl)
		}
	}
	if d.PartyErr.Error != "" {
		d.Summary = append(d.Summary, d.PartyErr)
	}
	if p := v.Problem; p != nil {
		if len(p.Errors) == 0 && !known[p.Field] {
			d.Other = append(d.Other, v.pick(p.Detail))
		}
		for _, e := range p.Errors {
			if !known[e.Field] {
				d.Other = append(d.Other, v.pick(e.Detail))
			}
		}
	}
	return d, nil
}

// onlyTouched keeps the messages of the fields the user has filled in or left (the live check
// does not fault the fields it has not reached yet); the submit shows them all.
func (d *intakeData) onlyTouched(touched map[string]bool) {
	d.Summary = nil
	anyParty := false
	for i := range d.FieldsAll {
		fl := &d.FieldsAll[i]
		if !touched[fl.Name] {
			fl.Error = ""
		} else if strings.HasPrefix(fl.Name, "parties[") {
			anyParty = true
		}
		if fl.Error != "" {
			d.Summary = append(d.Summary, *fl)
		}
	}
	if !anyParty {
		d.PartyErr.Error = ""
	}
	if d.PartyErr.Error != "" {
		d.Summary = append(d.Summary, d.PartyErr)
	}
}

// touchedFields reads the names the page's script lists as the user reaches each field.
func touchedFields(c echo.Context) map[string]bool {
	out := map[string]bool{}
	for _, n := range strings.Split(c.FormValue("touched"), ",") {
		if n != "" && len(out) < 200 {
			out[n] = true
		}
	}
	return out
}

var fieldPrefix = regexp.MustCompile(`^[a-z_]+: `)

// fieldMessage is the problem's message for one field, in the user's language.
func fieldMessage(v *view, field string) string {
	if v.Problem == nil {
		return ""
	}
	var msgs []string
	if v.Problem.Field == field && len(v.Problem.Errors) == 0 {
		msgs = append(msgs, v.pick(v.Problem.Detail))
	}
	for _, e := range v.Problem.Errors {
		if e.Field == field {
			msgs = append(msgs, v.pick(e.Detail))
		}
	}
	for i, m := range msgs { // "phone: 手机号…": the field is beside it already
		msgs[i] = fieldPrefix.ReplaceAllString(m, "")
	}
	return strings.Join(msgs, "；")
}

// intakeAgencies are the district's active partner agencies the user may list, by kind, to
// choose the referring one (nil when it may list none).
func (s *Server) intakeAgencies(v *view, chosen string) []option {
	out := []option{{"", v.T("无（非协作单位移交）", "None")}}
	for _, k := range orgs.AgencyKinds() {
		list, err := opValue[organisationList](s, v.c, v.principal(), opCall{method: http.MethodGet, path: "/api/v1/tenants/:code/organisations",
			params: map[string]string{"code": v.User.TenantCode}, query: url.Values{"kind": {string(k)}, "status": {"active"}, "limit": {"200"}}})
		if err != nil {
			return nil
		}
		kind := v.T(orgs.KindNames().ZH(string(k)), string(k))
		if n, ok := orgs.KindNames().Lookup(string(k)); ok {
			kind = v.T(n.ZH, n.EN)
		}
		for _, o := range list.Items {
			out = append(out, option{o.ID, o.Name + "（" + kind + "）"})
		}
	}
	if chosen != "" && !containsOption(out, chosen) {
		out = append(out, option{chosen, chosen})
	}
	return out
}

// referringName fills the referral's agency name from the chosen partner agency when the user
// gave none (the API wants the name as the referral letter writes it).
func (s *Server) referringName(v *view, req *createCaseRequest) {
	r := req.Referral
	if r == nil || r.AgencyID == "" || r.Agency != "" {
		return
	}
	if o, err := opValue[organisationDTO](s, v.c, v.principal(), opCall{method: http.MethodGet, path: "/api/v1/tenants/:code/organisations/:id",
		params: map[string]string{"code": v.User.TenantCode, "id": r.AgencyID}}); err == nil {
		r.Agency = o.Name
	}
}

func containsOption(opts []option, v string) bool {
	for _, o := range opts {
		if o.Value == v {
			return true
		}
	}
	return false
}

// pick is the user's half of a "中文 / English" text of the domain.
func (v *view) pick(s string) string {
	zh, en, ok := strings.Cut(s, " / ")
	if !ok {
		return s
	}
	return v.T(zh, en)
}

// canRoute tells whether the user may assign the case it takes in (as its creator), to offer
// "take in and route"; the assign operation decides again when it runs.
func (s *Server) canRoute(v *view) bool {
	code := v.User.TenantCode
	ok, err := s.deps.Authz.Decide(authz.Request{Sub: v.User.Principal.Subject, RoleTenant: code, Tenant: code,
		Obj: authz.ObjCases, Act: "update", Rel: access.Owner})
	return err == nil && ok
}

func riskClass(l cases.RiskLevel) string {
	switch l {
	case cases.RiskRed, cases.RiskOrange, cases.RiskYellow, cases.RiskBlue:
		return "badge-" + string(l)
	}
	return "badge-grey"
}

func (s *Server) toIntakeDraft(v *view, dr cases.Draft) *intakeDraft {
	out := &intakeDraft{Level: string(dr.Risk.Level), LevelName: v.T(cases.RiskLevelNames().ZH(string(dr.Risk.Level)), ""), LevelClass: riskClass(dr.Risk.Level),
		Score: dr.Risk.Score, Complexity: v.T("简（一般纠纷）", "Simple"), DueAt: dr.DueAt.In(chinaTime).Format("2006-01-02"), CanRoute: s.canRoute(v)}
	if n, ok := cases.RiskLevelNames().Lookup(string(dr.Risk.Level)); ok {
		out.LevelName = v.T(n.ZH, n.EN)
	}
	if dr.Routing.Complexity == "complex" {
		out.Complexity = v.T("繁（重大疑难复杂）", "Complex")
	}
	sig := func(list []cases.Signal) []intakeSignal {
		var o []intakeSignal
		for _, g := range list {
			o = append(o, intakeSignal{Label: v.pick(g.Label), Detail: v.pick(g.Detail), Clause: g.Clause, Weight: g.Weight, Words: strings.Join(g.Words, "、")})
		}
		return o
	}
	out.Signals, out.Negated = sig(dr.Risk.Signals), sig(dr.Risk.Negated)
	for _, w := range dr.Routing.Why {
		out.Why = append(out.Why, v.pick(w))
	}
	for _, p := range dr.Routing.Proposals {
		ip := intakeProposal{CommitteeID: p.Committee.ID, Name: p.Committee.Name, Score: p.Score}
		for _, r := range p.Reasons {
			ip.Reasons = append(ip.Reasons, v.pick(r))
		}
		out.Proposals = append(out.Proposals, ip)
	}
	return out
}

// intakeAllowed asks the create operation's authorization whether the user may take in a case
// in its own district (the case is created there, nowhere else).
func (s *Server) intakeAllowed(v *view) error {
	if v.User == nil {
		return identity.ErrUnauthenticated
	}
	_, err := v.op(opCall{method: http.MethodPost, path: "/api/v1/tenants/:code/cases", params: map[string]string{"code": v.User.TenantCode}, authorizeOnly: true})
	return err
}

func (s *Server) intakePage(c echo.Context, v *view) error {
	if err := s.intakeAllowed(v); err != nil {
		return err
	}
	v.Title = v.T("受理登记", "Intake")
	d, err := s.intakeData(v, intakeForm{values: url.Values{}}, true)
	if err != nil {
		return err
	}
	v.Data = d
	return s.render(c, v, http.StatusOK, "intake")
}

// formProblem: a problem of the user's input (shown beside the fields, 422) or an error.
func formProblem(err error) (*Problem, bool) {
	p := toProblem(err)
	if p.Status == http.StatusBadRequest || p.Status == http.StatusUnprocessableEntity || p.Status == http.StatusConflict {
		return p, true
	}
	return nil, false
}

// intakeCheck answers the live validation: the check operation's problems beside the fields
// (out-of-band), and the draft's warning and routing.
func (s *Server) intakeCheck(c echo.Context, v *view) error {
	if err := s.intakeAllowed(v); err != nil {
		return err
	}
	f, err := readIntakeForm(c)
	if err != nil {
		return err
	}
	req, own := f.request()
	s.referringName(v, &req)
	status := http.StatusOK
	res, err := v.op(opCall{method: http.MethodPost, path: "/api/v1/tenants/:code/cases/check", params: map[string]string{"code": v.User.TenantCode}, body: req})
	var draft *intakeDraft
	switch p, ok := formProblem(err); {
	case err == nil && own == nil:
		dr, _ := res.Value.(cases.Draft)
		draft = s.toIntakeDraft(v, dr)
	case err == nil || ok:
		v.Problem = withProblem(p, own)
		status = http.StatusUnprocessableEntity
	default:
		return err
	}
	d, err := s.intakeData(v, f, false)
	if err != nil {
		return err
	}
	d.onlyTouched(touchedFields(c))
	d.Draft, d.Checked = draft, true
	v.Data = d
	return s.renderBlock(c, v, status, "intake", "intake_check")
}

// intakeParties adds or removes a party row (the "op" button: add_party, remove:N) and answers
// the parties' block; without script the same buttons post the whole form to /intake.
func (s *Server) intakeParties(c echo.Context, v *view) error {
	if err := s.intakeAllowed(v); err != nil {
		return err
	}
	f, err := readIntakeForm(c)
	if err != nil {
		return err
	}
	op := c.FormValue("op")
	f.applyPartyOp(op)
	d, err := s.intakeData(v, f, false)
	if err != nil {
		return err
	}
	// Keyboard users continue where they were: in the row added, or at the add button.
	if n := len(d.Parties); op == "add_party" && n > 0 {
		d.Parties[n-1].Fields[0].Focus = true
	} else {
		d.FocusAdd = true
	}
	v.Data = d
	return s.renderBlock(c, v, http.StatusOK, "intake", "intake_parties")
}

// applyPartyOp adds a row (add_party) or removes row N (remove:N); false when op is neither.
func (f *intakeForm) applyPartyOp(op string) bool {
	switch {
	case op == "add_party":
		if len(f.parties) < cases.MaxParties {
			f.parties = append(f.parties, map[string]string{"role": string(cases.RoleRespondent)})
		}
		return true
	case strings.HasPrefix(op, "remove:"):
		if i, err := strconv.Atoi(strings.TrimPrefix(op, "remove:")); err == nil && i >= 0 && i < len(f.parties) {
			f.parties = append(f.parties[:i], f.parties[i+1:]...)
		}
		return true
	}
	return false
}

// intakeSubmit takes the case in (the create operation, with the form's idempotency key: a
// second submit of the same form finds the first case), routes it when the user chose a
// proposed committee, and goes to the case's page.
func (s *Server) intakeSubmit(c echo.Context, v *view) error {
	if err := s.intakeAllowed(v); err != nil {
		return err
	}
	v.Title = v.T("受理登记", "Intake")
	f, err := readIntakeForm(c)
	if err != nil {
		return err
	}
	if f.applyPartyOp(c.FormValue("op")) { // without script: add or remove a row, nothing saved
		d, err := s.intakeData(v, f, true)
		if err != nil {
			return err
		}
		v.Data = d
		return s.render(c, v, http.StatusOK, "intake")
	}
	code := v.User.TenantCode
	req, own := f.request()
	s.referringName(v, &req)
	var res opResult
	if own == nil {
		res, err = v.op(opCall{method: http.MethodPost, path: "/api/v1/tenants/:code/cases", params: map[string]string{"code": code}, body: req,
			header: http.Header{"Idempotency-Key": {c.FormValue("idem")}}})
	}
	if own != nil || err != nil {
		p, ok := formProblem(err)
		if err != nil && !ok {
			return err
		}
		if own != nil { // the amount is not a number: the check tells the rest
			_, cerr := v.op(opCall{method: http.MethodPost, path: "/api/v1/tenants/:code/cases/check", params: map[string]string{"code": code}, body: req})
			if p, ok = formProblem(cerr); cerr != nil && !ok {
				return cerr
			}
		}
		v.Problem = withProblem(p, own)
		if p != nil && p.Type == ProblemBase+"idempotency-key-reused" {
			// This form was taken in already and then changed: a new key lets the user take
			// the changed case in as another one, deliberately.
			v.Problem = &Problem{Type: p.Type, Title: v.T("此表单已受理过", "This form was already taken in"), Status: p.Status,
				Detail: v.T("此表单此前已提交并受理，修改后未再登记。如确需另行受理一件新案件，请核对后再次提交。",
					"This form was submitted and taken in before; the changed form was not saved. To take it in as another case, check it and submit again.")}
			f.values.Del("idem")
		}
		d, err := s.intakeData(v, f, true)
		if err != nil {
			return err
		}
		v.Data = d
		return s.render(c, v, http.StatusUnprocessableEntity, "intake")
	}
	created, ok := res.Value.(caseDTO)
	if !ok {
		return fmt.Errorf("console: create case answered %T", res.Value)
	}
	flash := v.T("已受理，案号 ", "Taken in as ") + created.Number
	if res.Header.Get("Idempotent-Replayed") == "true" {
		flash = v.T("该表单已提交过，未重复登记：案号 ", "This form was already submitted; no second case: ") + created.Number
	} else if to := c.FormValue("route_to"); to != "" {
		routed, err := v.op(opCall{method: http.MethodPost, path: "/api/v1/tenants/:code/cases/:id/actions/:action",
			params: map[string]string{"code": code, "id": created.ID, "action": string(cases.ActionAssign)},
			body:   caseActionRequest{Version: created.Version, CommitteeID: to}})
		if err != nil {
			p := toProblem(err)
			if p.Status >= 500 {
				return err
			}
			flash += v.T("；未能分流：", "; not routed: ") + v.pick(p.Detail)
		} else if rc, ok := routed.Value.(caseDTO); ok && rc.CommitteeID != "" {
			flash += v.T("，已分流至", ", routed to ") + c.FormValue("route_name_"+rc.CommitteeID)
		}
	}
	s.setFlash(c, flash)
	return c.Redirect(http.StatusSeeOther, "/cases/"+url.PathEscape(created.TenantCode)+"/"+url.PathEscape(created.ID))
}

// flashCookie carries a one-line confirmation to the page a form redirects to.
const flashCookie = "fq_flash"

func (s *Server) setFlash(c echo.Context, msg string) {
	s.setCookie(c, flashCookie, base64.RawURLEncoding.EncodeToString([]byte(msg)), 60)
}

// takeFlash reads and forgets the flash of the previous request.
func (s *Server) takeFlash(c echo.Context) string {
	ck, err := c.Cookie(flashCookie)
	if err != nil || ck.Value == "" {
		return ""
	}
	s.setCookie(c, flashCookie, "", -1)
	b, err := base64.RawURLEncoding.DecodeString(ck.Value)
	if err != nil || len(b) > 500 {
		return ""
	}
	return string(b)
}
