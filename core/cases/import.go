package cases

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/google/uuid"

	"github.com/fengqiao/fengqiao/core/division"
	"github.com/fengqiao/fengqiao/core/kind"
	"github.com/fengqiao/fengqiao/core/tenant"
)

// ImportRow is one row of an import file (a legacy system's cases), as read: text not yet
// checked. Line is the file's line the row starts on (the header is line 1).
type ImportRow struct {
	Line           int
	Tenant         string
	Number         string // legacy case number, kept when given
	Title          string
	Description    string
	DisputeType    string
	Source         string
	ReceivedAt     string
	DueAt          string
	Status         string
	ConcludedAt    string
	OutcomeChannel string
	OutcomeReason  string
	Performance    string
	PlaceCode      string
	AmountYuan     string
	Committee      string // organisation id or name
	RiskLevel      string
	Parties        []ImportParty
	// Errors are the reader's: values it could not read (bad JSON, a number where text was
	// expected…). The row is invalid whatever the rest says.
	Errors []FieldError
	// Raw is the row as read, for the file of rejected rows: the CSV record's fields, or the
	// NDJSON line as the one element.
	Raw       []string
	RawHeader []string // CSV: the file's header row
}

// ImportParty is a party as given in an import file. Prefix is how its columns are named in
// the file ("applicant_", "parties[2].") so that errors name the file's own columns.
type ImportParty struct {
	NewParty
	Gender    string // male/female (男/女); checked against the ID number when both are given
	BirthYear string
	Prefix    string
}

// ImportReader reads rows one at a time: io.EOF after the last one. A *ImportFileError means
// the file cannot be read further (header, encoding, an unterminated quote).
type ImportReader interface {
	Next() (ImportRow, error)
}

// ImportSource opens the file for a pass from its first row (an import reads it twice: to
// validate, then to import).
type ImportSource interface {
	Open() (ImportReader, io.Closer, error)
}

// ImportFileError says the file cannot be read from a line on; nothing is imported.
type ImportFileError struct {
	Line    int
	Field   string
	Message string
}

func (e *ImportFileError) Error() string {
	return fmt.Sprintf("line %d: %s: %s", e.Line, e.Field, e.Message)
}

// RowError is one invalid field of one row.
type RowError struct {
	Line    int    `json:"line"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

// ImportOptions steer an import.
type ImportOptions struct {
	// Scope is the caller's tenant: rows may only name tenants of its subtree (000000: all).
	Scope string
	// Tenant, when set, is the only tenant rows may name; rows without one get it.
	Tenant string
	// SkipInvalid imports the valid rows and rejects the others; otherwise one invalid row
	// stops the whole import.
	SkipInvalid bool
	File        string // recorded in the audit trail
	Actor       string // created_by of the imported cases
	MaxErrors   int    // errors listed in the report (default 1,000); the rest are counted
	BatchSize   int    // rows per batch of the import pass (default 5,000)
	// Reject receives every invalid row with its errors during validation (skip-invalid mode).
	Reject func(row ImportRow, errs []RowError) error
	// Progress is told, in the validation pass, the rows validated so far (total -1: not
	// known yet); in the import pass, the cases stored so far of the total to store.
	Progress func(pass string, done, total int)
}

// TenantImport counts one tenant's rows.
type TenantImport struct {
	Validated int `json:"validated"`
	Imported  int `json:"imported"`
	Rejected  int `json:"rejected"`
}

// ImportReport is what an import did.
type ImportReport struct {
	Validated  int                      // rows read and checked
	Imported   int                      // cases created
	Rejected   int                      // invalid rows
	Errors     []RowError               // the first MaxErrors errors, in file order
	MoreErrors int                      // errors found beyond those listed
	PerTenant  map[string]*TenantImport // by tenant code
}

// ImportMeta describes an import to the store (audit entries).
type ImportMeta struct {
	File        string
	SkipInvalid bool
	PerTenant   map[string]*TenantImport // validated and rejected counts; the store adds imported
}

// ImportRules are what rows of one tenant are checked against.
type ImportRules struct {
	Types      []DisputeType
	Settings   Settings
	Committees []Committee
}

// ImportRepo is the storage an import needs.
type ImportRepo interface {
	// ImportRules returns the tenant's rules, or the tenant package's errors when the tenant is
	// not onboarded or not usable.
	ImportRules(ctx context.Context, tenantCode string) (ImportRules, error)
	// ExistingNumbers returns which of the numbers the tenant's cases have already.
	ExistingNumbers(ctx context.Context, tenantCode string, numbers []string) ([]string, error)
	// ImportCases stores in one transaction every batch next returns (nil: no more), numbering
	// the cases without a legacy number, and returns the cases stored per tenant.
	ImportCases(ctx context.Context, meta ImportMeta, next func() ([]Case, error)) (map[string]int, error)
}

// Sentinel errors of imports.
var (
	// ErrImportInvalid: rows are invalid and the import was atomic, so nothing was imported.
	ErrImportInvalid = errors.New("import file has invalid rows: nothing imported")
	// ErrNumberTaken: a legacy case number is already used in its tenant.
	ErrNumberTaken = kind.New(kind.Conflict, "case number already used in the tenant")
)

// ImportError carries the report of an import refused for invalid rows (ErrImportInvalid).
type ImportError struct{ Report ImportReport }

func (e *ImportError) Error() string {
	return fmt.Sprintf("%d of %d rows invalid: nothing imported", e.Report.Rejected, e.Report.Validated)
}
func (e *ImportError) Unwrap() error { return ErrImportInvalid }

const (
	defaultMaxErrors   = 1000
	defaultImportBatch = 5000
	maxLegacyNumber    = 60
)

// earliestImport: no case of a legacy system is older than this.
var earliestImport = time.Date(1980, 1, 1, 0, 0, 0, 0, chinaTime)

var chinaTime = time.FixedZone("CST", 8*3600)

// importer is one run of an import.
type importer struct {
	s      *Service
	repo   ImportRepo
	opt    ImportOptions
	now    time.Time
	mu     sync.Mutex // guards rules
	rules  map[string]*tenantRules
	seen   map[uint64]int // hash of tenant+legacy number → line of its first valid row
	report ImportReport
}

type tenantRules struct {
	ImportRules
	types *Vocabulary // the tenant's dispute types, by code or name
	err   error
}

// importVocabularies read the coded columns of an import file by code or Chinese name: one per
// field, built from the domain's catalogues.
var importVocabularies = struct {
	source, status, channel, performance, risk, role, kind, gender, idType *Vocabulary
}{
	source:      NewVocabulary("source", "案件来源", SourceChoices()),
	status:      NewVocabulary("status", "案件状态", StatusChoices()),
	channel:     NewVocabulary("outcome_channel", "引导渠道", ChannelChoices()),
	performance: NewVocabulary("performance", "履行情况", PerformanceChoices()),
	risk:        NewVocabulary("risk_level", "预警等级", RiskChoices()),
	role:        NewVocabulary("role", "当事人角色", RoleChoices()),
	kind:        NewVocabulary("kind", "当事人类型", KindChoices()),
	gender:      NewVocabulary("gender", "性别", GenderChoices()),
	idType:      NewVocabulary("id_type", "证件类型", DocTypeChoices()),
}

// Import loads historical cases from a file in two passes: every row is validated first
// (errors by line and field); then, when all rows are valid or SkipInvalid is set, the valid
// rows are sealed (parties' personal data, as at intake) and stored in one transaction, in
// batches. Memory stays bounded by one batch whatever the size of the file.
func (s *Service) Import(ctx context.Context, src ImportSource, opt ImportOptions) (ImportReport, error) {
	if opt.MaxErrors <= 0 {
		opt.MaxErrors = defaultMaxErrors
	}
	if opt.BatchSize <= 0 {
		opt.BatchSize = defaultImportBatch
	}
	if opt.Progress == nil {
		opt.Progress = func(string, int, int) {}
	}
	im := &importer{s: s, repo: s.repo, opt: opt, now: s.now(), rules: map[string]*tenantRules{}, seen: map[uint64]int{},
		report: ImportReport{PerTenant: map[string]*TenantImport{}}}
	invalid, err := im.validate(ctx, src)
	if err != nil {
		return im.report, err
	}
	if im.report.Rejected > 0 && !opt.SkipInvalid {
		return im.report, &ImportError{Report: im.report}
	}
	if im.report.Validated == im.report.Rejected {
		return im.report, nil
	}
	counts, err := im.load(ctx, src, invalid)
	if err != nil {
		return im.report, err
	}
	for code, n := range counts {
		im.tenant(code).Imported = n
		im.report.Imported += n
	}
	return im.report, nil
}

func (im *importer) tenant(code string) *TenantImport {
	t := im.report.PerTenant[code]
	if t == nil {
		t = &TenantImport{}
		im.report.PerTenant[code] = t
	}
	return t
}

// checked is a row after validation.
type checked struct {
	row  ImportRow
	c    Case
	errs []RowError
}

// validate is the first pass: it returns the ordinals of the invalid rows.
func (im *importer) validate(ctx context.Context, src ImportSource) (bitset, error) {
	r, closer, err := src.Open()
	if err != nil {
		return nil, err
	}
	defer closer.Close()
	var (
		invalid bitset
		pending []ImportRow
		batch   []checked
		ordinal int
	)
	flush := func() error {
		batch = im.checkAll(ctx, pending, batch[:0])
		pending = pending[:0]
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := im.checkNumbers(ctx, batch); err != nil {
			return err
		}
		for i, ch := range batch {
			code := ch.c.TenantCode
			if code == "" {
				code = "-"
			}
			t := im.tenant(code)
			t.Validated++
			if len(ch.errs) == 0 {
				continue
			}
			t.Rejected++
			im.report.Rejected++
			invalid.set(ordinal - len(batch) + i)
			for _, e := range ch.errs {
				if len(im.report.Errors) < im.opt.MaxErrors {
					im.report.Errors = append(im.report.Errors, e)
				} else {
					im.report.MoreErrors++
				}
			}
			if im.opt.Reject != nil && im.opt.SkipInvalid {
				if err := im.opt.Reject(ch.row, ch.errs); err != nil {
					return err
				}
			}
		}
		batch = batch[:0]
		im.opt.Progress("validate", ordinal, -1)
		return ctx.Err()
	}
	for {
		row, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		var fe *ImportFileError
		if errors.As(err, &fe) {
			if err := flush(); err != nil {
				return nil, err
			}
			im.report.Rejected++
			im.report.Errors = append(im.report.Errors, RowError{Line: fe.Line, Field: fe.Field, Message: fe.Message})
			// The rest of the file cannot be read: nothing is imported, whatever the mode.
			im.opt.SkipInvalid = false
			return invalid, nil
		}
		if err != nil {
			return nil, err
		}
		im.report.Validated++
		pending = append(pending, row)
		ordinal++
		if len(pending) == im.opt.BatchSize {
			if err := flush(); err != nil {
				return nil, err
			}
		}
	}
	return invalid, flush()
}

// checkAll checks rows on every core (the rules cache is shared under a lock), then, in file
// order, finds legacy numbers repeating an earlier valid row's. out is reused.
func (im *importer) checkAll(ctx context.Context, rows []ImportRow, out []checked) []checked {
	out = slices.Grow(out[:0], len(rows))[:len(rows)]
	workers := min(runtime.GOMAXPROCS(0), (len(rows)+255)/256)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(rows); i += workers {
				c, errs := im.check(ctx, rows[i])
				out[i] = checked{row: rows[i], c: c, errs: errs}
			}
		}()
	}
	wg.Wait()
	for i := range out {
		im.repeated(&out[i])
	}
	return out
}

// repeated marks a row whose legacy number an earlier valid row of its tenant has. Within the
// file the first valid row keeps a number; only a 64-bit hash per number is kept.
func (im *importer) repeated(ch *checked) {
	if ch.c.Number == "" {
		return
	}
	h := fnv.New64a()
	_, _ = h.Write([]byte(ch.c.TenantCode + "\x00" + ch.c.Number))
	if first, dup := im.seen[h.Sum64()]; dup {
		ch.errs = append(ch.errs, RowError{Line: ch.row.Line, Field: "number",
			Message: fmt.Sprintf("案件编号 %s 与第 %d 行重复 / case number %s repeats line %d", ch.c.Number, first, ch.c.Number, first)})
	} else if len(ch.errs) == 0 {
		im.seen[h.Sum64()] = ch.row.Line
	}
}

// checkNumbers finds legacy numbers already used by the tenants' stored cases.
func (im *importer) checkNumbers(ctx context.Context, batch []checked) error {
	byTenant := map[string][]int{}
	for i, ch := range batch {
		if len(ch.errs) == 0 && ch.c.Number != "" {
			byTenant[ch.c.TenantCode] = append(byTenant[ch.c.TenantCode], i)
		}
	}
	for code, idx := range byTenant {
		numbers := make([]string, len(idx))
		for j, i := range idx {
			numbers[j] = batch[i].c.Number
		}
		taken, err := im.repo.ExistingNumbers(ctx, code, numbers)
		if err != nil {
			return err
		}
		used := map[string]bool{}
		for _, n := range taken {
			used[n] = true
		}
		for _, i := range idx {
			if used[batch[i].c.Number] {
				batch[i].errs = append(batch[i].errs, RowError{Line: batch[i].row.Line, Field: "number",
					Message: fmt.Sprintf("案件编号 %s 在本租户已存在 / case number %s already exists in the tenant", batch[i].c.Number, batch[i].c.Number)})
			}
		}
	}
	return nil
}

// rulesOf loads a tenant's rules once per import.
func (im *importer) rulesOf(ctx context.Context, code string) *tenantRules {
	im.mu.Lock()
	defer im.mu.Unlock()
	if r, ok := im.rules[code]; ok {
		return r
	}
	r := &tenantRules{}
	r.ImportRules, r.err = im.repo.ImportRules(ctx, code)
	if r.err == nil {
		r.Types = append(BuiltInTypes(), r.Types...)
		r.Settings = r.Settings.Merged()
		r.types = NewVocabulary("dispute_type", "纠纷类型", TypeChoices(r.Types))
	}
	if ctx.Err() == nil {
		im.rules[code] = r
	}
	return r
}

// check validates one row into the case it describes (parties not yet sealed).
func (im *importer) check(ctx context.Context, row ImportRow) (Case, []RowError) {
	var out []RowError
	add := func(field, format string, args ...any) {
		out = append(out, RowError{Line: row.Line, Field: field, Message: fmt.Sprintf(format, args...)})
	}
	for _, e := range row.Errors {
		add(e.Field, "%s", e.Message)
	}
	code := strings.TrimSpace(row.Tenant)
	if code == "" {
		code = im.opt.Tenant
	}
	c := Case{TenantCode: code}
	switch {
	case code == "":
		add("tenant", "请填写租户（区县 6 位代码） / tenant is required (the district's 6-digit code)")
		return c, out
	case !isDigits(code, 6):
		add("tenant", "租户须为 6 位区县代码，如 310107 / tenant must be a 6-digit district code, e.g. 310107")
		return c, out
	case !isDistrict(code):
		add("tenant", "案件属于区县：%s 不是区县代码 / cases belong to districts: %s is no district code", code, code)
		return c, out
	case im.opt.Tenant != "" && code != im.opt.Tenant:
		add("tenant", "本次只能导入租户 %s 的案件，此行为 %s / this import is for tenant %s only; the row names %s", im.opt.Tenant, code, im.opt.Tenant, code)
		return c, out
	case !division.Contains(im.opt.Scope, code):
		add("tenant", "租户 %s 不在您的管辖范围内 / tenant %s is outside your jurisdiction", code, code)
		return c, out
	}
	rules := im.rulesOf(ctx, code)
	if rules.err != nil {
		switch {
		case errors.Is(rules.err, tenant.ErrNotFound):
			add("tenant", "租户 %s 未开通 / tenant %s is not onboarded", code, code)
		case errors.Is(rules.err, tenant.ErrSuspended), errors.Is(rules.err, tenant.ErrArchived):
			add("tenant", "租户 %s 已暂停或归档，不能导入 / tenant %s is suspended or archived: no import", code, code)
		default:
			add("tenant", "无法读取租户 %s 的规则 / cannot read the rules of tenant %s", code, code)
		}
		return c, out
	}

	// Coded fields are given by code or Chinese name; a value that names nothing (or two
	// things) is an error of its column, listing the accepted values, and the intake's own
	// error of that column is not repeated.
	failed := map[string]bool{}
	resolve := func(field string, voc *Vocabulary, s string) string {
		if strings.TrimSpace(s) == "" {
			return ""
		}
		code, msg, ok := voc.Resolve(s)
		if !ok {
			add(field, "%s", msg)
			failed[field] = true
			return strings.TrimSpace(s)
		}
		return code
	}
	row.DisputeType = resolve("dispute_type", rules.types, row.DisputeType)
	row.Source = resolve("source", importVocabularies.source, row.Source)
	row.Status = resolve("status", importVocabularies.status, row.Status)
	row.OutcomeChannel = resolve("outcome_channel", importVocabularies.channel, row.OutcomeChannel)
	row.Performance = resolve("performance", importVocabularies.performance, row.Performance)
	row.RiskLevel = resolve("risk_level", importVocabularies.risk, row.RiskLevel)
	row.Parties = slices.Clone(row.Parties)
	for i := range row.Parties {
		p := &row.Parties[i]
		p.Role = resolve(p.Prefix+"role", importVocabularies.role, p.Role)
		p.Kind = resolve(p.Prefix+"kind", importVocabularies.kind, p.Kind)
		p.IDType = resolve(p.Prefix+"id_type", importVocabularies.idType, p.IDType)
		p.Gender = resolve(p.Prefix+"gender", importVocabularies.gender, p.Gender)
	}

	received, ok := parseImportTime(row.ReceivedAt)
	switch {
	case strings.TrimSpace(row.ReceivedAt) == "":
		add("received_at", "请填写受理时间（YYYY-MM-DD 或 RFC 3339） / received_at is required (YYYY-MM-DD or RFC 3339)")
	case !ok:
		add("received_at", "受理时间格式须为 YYYY-MM-DD 或 RFC 3339，如 2024-03-15 或 2024-03-15T09:30:00+08:00 / received_at must be YYYY-MM-DD or RFC 3339, e.g. 2024-03-15 or 2024-03-15T09:30:00+08:00")
	case received.Before(earliestImport) || received.After(im.now):
		add("received_at", "受理时间须在 1980 年至今之间 / received_at must lie between 1980 and now")
		ok = false
	}
	if !ok {
		received = im.now
	}

	form := NewCase{Title: row.Title, Description: row.Description, DisputeType: strings.TrimSpace(row.DisputeType),
		Source: strings.TrimSpace(row.Source), PlaceCode: strings.TrimSpace(row.PlaceCode), CreatedBy: im.opt.Actor}
	if a := strings.TrimSpace(row.AmountYuan); a != "" {
		v, err := strconv.ParseFloat(strings.ReplaceAll(a, ",", ""), 64)
		if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
			add("amount_yuan", "标的额须为数字（元），如 3500.50 / amount_yuan must be a number of yuan, e.g. 3500.50")
		} else {
			form.Amount = v
		}
	}
	for _, p := range row.Parties {
		form.Parties = append(form.Parties, p.NewParty)
	}
	// The intake's own rules (title, type, source, place, amount, parties) at the time of receipt.
	validated, err := im.s.validate(code, form, rules.Types, rules.Settings, received)
	var ve *ValidationError
	if errors.As(err, &ve) {
		for _, e := range ve.Errors {
			if f := importField(e.Field, row.Parties); !failed[f] {
				add(f, "%s", e.Message)
			}
		}
	}
	c = validated
	// Time-ordered identifiers: a file's cases and parties go to the end of the primary-key
	// indexes instead of random pages (a large import then touches far fewer pages).
	c.ID = newID()
	for i := range c.Parties {
		c.Parties[i].ID = newID()
	}
	c.ReceivedAt, c.FirstContactDueAt, c.CreatedBy = received, nil, im.opt.Actor
	if src, ok := LookupSource(form.Source); ok {
		c.DueAt = received.Add(rules.Settings.TimeLimit(src.Code))
	}
	for i := range c.Parties {
		if i < len(row.Parties) {
			im.checkPartyExtras(&c.Parties[i], row.Parties[i], add)
		}
	}

	if due := strings.TrimSpace(row.DueAt); due != "" {
		t, ok := parseImportTime(due)
		switch {
		case !ok:
			add("due_at", "办理期限格式须为 YYYY-MM-DD 或 RFC 3339 / due_at must be YYYY-MM-DD or RFC 3339")
		case t.Before(received):
			add("due_at", "办理期限不能早于受理时间 / due_at must not be before received_at")
		default:
			c.DueAt = t
		}
	}

	c.Status = Status(strings.TrimSpace(row.Status))
	known := false
	for _, st := range Statuses() {
		known = known || st == c.Status
	}
	if !known && !failed["status"] {
		_, msg, _ := importVocabularies.status.Resolve(row.Status)
		add("status", "%s", msg)
	}
	if ca := strings.TrimSpace(row.ConcludedAt); ca != "" {
		t, ok := parseImportTime(ca)
		switch {
		case !ok:
			add("concluded_at", "办结时间格式须为 YYYY-MM-DD 或 RFC 3339 / concluded_at must be YYYY-MM-DD or RFC 3339")
		case known && !Concluded(c.Status):
			add("concluded_at", "未办结的案件（%s）不能有办结时间 / a case that is %s has no concluded_at", c.Status, c.Status)
		case t.Before(received):
			add("concluded_at", "办结时间不能早于受理时间 / concluded_at must not be before received_at")
		case t.After(im.now):
			add("concluded_at", "办结时间不能晚于现在 / concluded_at must not be in the future")
		default:
			c.ConcludedAt = &t
		}
	} else if known && Concluded(c.Status) {
		add("concluded_at", "已办结的案件（%s）须填写办结时间 / concluded_at is required for a case that is %s", c.Status, c.Status)
	}

	channel := strings.TrimSpace(row.OutcomeChannel)
	reason := strings.TrimSpace(row.OutcomeReason)
	switch {
	case c.Status == StatusFailed || c.Status == StatusGuided:
		if !oneOf(channel, channels) && !failed["outcome_channel"] {
			add("outcome_channel", "调解不成或不宜调解的案件须填写引导渠道：%s / outcome_channel is required for failed and guided cases: arbitration, administrative_reconsideration, administrative_ruling, litigation, petition or other_department",
				importVocabularies.channel.names())
		}
		if runes(reason) > 500 {
			add("outcome_reason", "原因最多 500 字 / outcome_reason must be at most 500 characters")
		}
		c.Outcome = map[string]any{"channel": channel, "reason": reason}
	case channel != "" || reason != "":
		add("outcome_channel", "只有调解不成（failed）或不宜调解（guided）的案件有引导渠道 / only failed and guided cases have an outcome channel")
	}

	switch c.Performance = strings.TrimSpace(row.Performance); c.Performance {
	case "":
	case "performed", "recanted":
		if known && c.Status != StatusSucceeded && c.Status != StatusClosed {
			add("performance", "只有调解成功或已结案的案件有履行情况 / only succeeded or closed cases have a performance")
		}
	}

	if ref := strings.TrimSpace(row.Committee); ref != "" {
		var found []Committee
		for _, m := range rules.Committees {
			if m.ID == ref || m.Name == ref {
				found = append(found, m)
			}
		}
		switch len(found) {
		case 1:
			c.CommitteeID = found[0].ID
		case 0:
			add("committee", "%q 不是本区县在用的调委会（填 id 或名称） / %q is not an active committee of the tenant (give its id or name)", ref, ref)
		default:
			add("committee", "有 %d 个调委会名为 %q，请填 id / %d committees are named %q: give the id", len(found), ref, len(found), ref)
		}
	} else if c.Status == StatusAssigned || c.Status == StatusMediating {
		add("committee", "已分流或调解中的案件须填写调委会 / committee is required for assigned and mediating cases")
	}

	c.Risk = Assess(RiskInput{Title: c.Title, Description: c.Description, Parties: len(c.Parties), AmountYuan: float64(c.AmountFen) / 100, Source: c.Source})
	if lvl := RiskLevel(strings.TrimSpace(row.RiskLevel)); lvl != "" {
		if lvl.Rank() < 0 {
			if !failed["risk_level"] {
				_, msg, _ := importVocabularies.risk.Resolve(string(lvl))
				add("risk_level", "%s", msg)
			}
		} else {
			// Kept as staff set it in the legacy system: a later re-assessment keeps it.
			c.Risk.Level = lvl
			c.Risk.Signals = append(c.Risk.Signals, Signal{Code: "manual", Label: "历史数据导入时给定 / given by the legacy system", Weight: 0, Detail: string(lvl)})
		}
	}

	if n := strings.TrimSpace(row.Number); n != "" {
		switch {
		case runes(n) > maxLegacyNumber || strings.IndexFunc(n, unicode.IsControl) >= 0:
			add("number", "案件编号最多 %d 个字符，且不含控制字符 / number must be at most %d characters without control characters", maxLegacyNumber, maxLegacyNumber)
		case platformNumber(code, n):
			// It would collide with a number the platform gives later (intake or import).
			add("number", "旧系统编号不能采用本平台的编号格式 %s…；留空则由平台编号 / a legacy number cannot have the platform's form %s…: leave it empty to have one given", NumberPrefix(code, received.In(chinaTime).Year()), NumberPrefix(code, received.In(chinaTime).Year()))
		default:
			c.Number = n // repeats within the file: see repeated
		}
	}
	return c, out
}

// checkPartyExtras checks the gender and birth year a file may give for a party without an ID
// number (statistics by party attributes); with one, they must agree with it.
func (im *importer) checkPartyExtras(p *Party, in ImportParty, add func(field, format string, args ...any)) {
	g := strings.TrimSpace(in.Gender) // male, female or an error already reported (check)
	if g != "male" && g != "female" {
		g = ""
	}
	if g != "" {
		if p.Gender != "" && p.Gender != g {
			add(in.Prefix+"gender", "性别与身份证号不符 / gender does not match the ID number")
		} else if p.Kind == KindPerson {
			p.Gender = g
		}
	}
	if y := strings.TrimSpace(in.BirthYear); y != "" {
		n, err := strconv.Atoi(y)
		switch {
		case err != nil || n < 1900 || n > im.now.In(chinaTime).Year():
			add(in.Prefix+"birth_year", "出生年份须为 1900 年至今的四位数字 / birth_year must be a year between 1900 and now")
		case p.BirthYear != 0 && p.BirthYear != n:
			add(in.Prefix+"birth_year", "出生年份与身份证号不符 / birth_year does not match the ID number")
		case p.Kind == KindPerson:
			p.BirthYear = n
		}
	}
}

// importField names a validation error's field as the file does: "parties[1].phone" becomes
// "respondent_phone" for a CSV column, "amount" becomes "amount_yuan".
func importField(field string, parties []ImportParty) string {
	if field == "amount" {
		return "amount_yuan"
	}
	rest, ok := strings.CutPrefix(field, "parties[")
	if !ok {
		return field
	}
	idx, name, ok := strings.Cut(rest, "].")
	if !ok {
		return field
	}
	i, err := strconv.Atoi(idx)
	if err != nil || i < 0 || i >= len(parties) || parties[i].Prefix == "" {
		return field
	}
	return parties[i].Prefix + name
}

// parseImportTime reads YYYY-MM-DD (midnight, China time), YYYY-MM-DD HH:MM[:SS] (China
// time) or RFC 3339.
func parseImportTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{"2006-01-02", "2006-01-02 15:04:05", "2006-01-02 15:04", "2006/01/02"} {
		if t, err := time.ParseInLocation(layout, s, chinaTime); err == nil {
			return t, true
		}
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, true
	}
	return time.Time{}, false
}

// platformNumber tells whether n has the form of the tenant's own numbers, (2024)沪0107调字第….
func platformNumber(code, n string) bool {
	if len(n) < 6 || n[0] != '(' || n[5] != ')' {
		return false
	}
	year, err := strconv.Atoi(n[1:5])
	return err == nil && strings.HasPrefix(n, NumberPrefix(code, year))
}

func isDistrict(code string) bool {
	lvl, err := division.LevelOf(code)
	return err == nil && lvl == division.LevelDistrict
}

func isDigits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < n; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// load is the second pass: the valid rows, sealed, to the store in batches of one transaction.
// Reading and sealing the next batch overlaps with storing the current one.
func (im *importer) load(ctx context.Context, src ImportSource, invalid bitset) (map[string]int, error) {
	r, closer, err := src.Open()
	if err != nil {
		return nil, err
	}
	defer closer.Close()
	type result struct {
		batch []Case
		err   error
	}
	// The second pass re-checks rows against the numbers of its own valid rows: start afresh.
	im.seen = map[uint64]int{}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan result, 2)
	go func() {
		defer close(batches)
		send := func(res result) bool {
			select {
			case batches <- res:
				return true
			case <-ctx.Done():
				return false
			}
		}
		var pending []ImportRow
		var checkedRows []checked
		// flush checks and seals the pending rows on every core and sends them as a batch.
		flush := func() bool {
			checkedRows = im.checkAll(ctx, pending, checkedRows)
			pending = pending[:0]
			batch := make([]Case, len(checkedRows))
			var failed error
			var mu sync.Mutex
			var wg sync.WaitGroup
			workers := min(runtime.GOMAXPROCS(0), (len(checkedRows)+255)/256)
			for w := range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := w; i < len(checkedRows); i += workers {
						ch := &checkedRows[i]
						if len(ch.errs) > 0 {
							// The rules changed between the passes (a committee removed…).
							mu.Lock()
							failed = fmt.Errorf("line %d changed between validation and import: %s: %s", ch.row.Line, ch.errs[0].Field, ch.errs[0].Message)
							mu.Unlock()
							return
						}
						c := ch.c
						for j := range c.Parties {
							if err := im.s.seal(&c, &c.Parties[j]); err != nil {
								mu.Lock()
								failed = err
								mu.Unlock()
								return
							}
						}
						batch[i] = c
					}
				}()
			}
			wg.Wait()
			if failed != nil {
				send(result{err: failed})
				return false
			}
			return send(result{batch: batch})
		}
		ordinal := 0
		for {
			row, err := r.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				send(result{err: err})
				return
			}
			skip := invalid.has(ordinal)
			ordinal++
			if skip {
				continue
			}
			pending = append(pending, row)
			if len(pending) == im.opt.BatchSize && !flush() {
				return
			}
		}
		if len(pending) > 0 {
			flush()
		}
	}()
	meta := ImportMeta{File: im.opt.File, SkipInvalid: im.opt.SkipInvalid, PerTenant: im.report.PerTenant}
	// The store asks for the next batch when it has stored the previous one.
	total, stored, last := im.report.Validated-im.report.Rejected, 0, 0
	counts, err := im.repo.ImportCases(ctx, meta, func() ([]Case, error) {
		stored += last
		im.opt.Progress("import", stored, total)
		res, ok := <-batches
		last = len(res.batch)
		if !ok {
			return nil, nil
		}
		return res.batch, res.err
	})
	cancel()
	for range batches { // let the reader finish
	}
	return counts, err
}

func newID() string {
	if id, err := uuid.NewV7(); err == nil {
		return id.String()
	}
	return uuid.NewString()
}

// bitset marks row ordinals.
type bitset []uint64

func (b *bitset) set(i int) {
	for len(*b) <= i/64 {
		*b = append(*b, 0)
	}
	(*b)[i/64] |= 1 << (i % 64)
}

func (b bitset) has(i int) bool { return i/64 < len(b) && b[i/64]&(1<<(i%64)) != 0 }
