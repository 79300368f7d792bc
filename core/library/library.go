// Package library owns full-text search over a tenant's cases (智能检索) and the case library
// (案例库): mediators submit concluded cases as exemplary, anonymised on submission; a reviewer
// publishes or rejects them; a case being mediated is offered the most similar published
// entries with the reasons they match (智能推送). Entries are visible within their tenant only.
// It knows neither HTTP nor SQL; the words come from core/search.
package library

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/fengqiao/fengqiao/core/access"
	"github.com/fengqiao/fengqiao/core/kind"

	"github.com/fengqiao/fengqiao/core/cases"
	"github.com/fengqiao/fengqiao/core/search"
	"github.com/fengqiao/fengqiao/core/valid"
	"github.com/google/uuid"
)

// Status is where a library entry is in its review.
type Status string

const (
	StatusSubmitted Status = "submitted" // 待审核
	StatusPublished Status = "published" // 已发布
	StatusRejected  Status = "rejected"  // 已退回
)

// Statuses lists every status.
func Statuses() []Status { return []Status{StatusSubmitted, StatusPublished, StatusRejected} }

// Decisions of a review.
const (
	DecisionPublish = "publish"
	DecisionReject  = "reject"
)

// Entry is one case of the library, anonymised.
type Entry struct {
	ID           string
	TenantCode   string
	CaseID       string
	CaseNumber   string // the source case's number, for the tenant's own staff
	Title        string
	Summary      string
	DisputeType  string
	Outcome      cases.Status
	Tags         []string
	Status       Status
	SubmittedBy  string
	SubmittedAt  time.Time
	ReviewedBy   string
	ReviewedAt   *time.Time
	ReviewReason string
	Rank         float64 // relevance in a search, similarity in a push
}

// Text is what an entry is searched and compared by.
func (e Entry) Text() string { return e.Title + "\n" + strings.Join(e.Tags, " ") + "\n" + e.Summary }

// Document is the tsvector literal of an entry: title A, tags B, summary C.
func (e Entry) Document() string {
	var tags []string
	for _, t := range e.Tags {
		tags = append(tags, search.NameTokens(t)...)
	}
	return search.Vector(search.Field{Tokens: search.Tokens(e.Title), Weight: 'A'}, search.Field{Tokens: tags, Weight: 'B'},
		search.Field{Tokens: search.Tokens(e.Summary), Weight: 'C'})
}

// Filter selects library entries: by status (published when empty) and, with a query, by
// relevance; else newest first. Offset and Limit page through the result.
type Filter struct {
	Status Status
	Query  *search.Query
	Offset int
	Limit  int
}

// CaseSearch is a search over a tenant's cases.
type CaseSearch struct {
	Query search.Query
	// Names: also match the parties' names (only for callers allowed to see personal data).
	Names  bool
	Offset int
	Limit  int
	// Access, when set, keeps the cases the principal may see.
	Access *access.Scope
}

// CaseHit is a case found by a search: the case with its parties (names, roles), its
// relevance, and whether it was found only through a party's name.
type CaseHit struct {
	Case   cases.Case
	Rank   float64
	ByName bool
}

// Similar is a published entry offered for a case, with why.
type Similar struct {
	Entry           Entry
	SharedTerms     []string
	SameDisputeType bool
}

// Repo is the storage the library needs.
type Repo interface {
	SearchCases(ctx context.Context, tenantCode string, q CaseSearch) ([]CaseHit, error)
	RecordPIISearch(ctx context.Context, tenantCode string, terms []string, caseIDs []string) error
	CaseDetail(ctx context.Context, tenantCode, id string, now time.Time) (cases.Case, error)
	CreateLibraryEntry(ctx context.Context, e Entry, doc string) (Entry, error)
	LibraryEntry(ctx context.Context, tenantCode, id string) (Entry, error)
	LibraryEntries(ctx context.Context, tenantCode string, f Filter) ([]Entry, error)
	ReviewLibraryEntry(ctx context.Context, tenantCode, id string, to Status, reviewer, reason string, at time.Time) (Entry, error)
	SimilarEntries(ctx context.Context, tenantCode, caseID, anyTerms, disputeType string, limit int) ([]Entry, error)
}

// CaseReader opens a case with its parties' personal data (cases.Service): anonymisation must
// know the addresses it removes.
type CaseReader interface {
	Get(ctx context.Context, tenantCode, id string, reveal bool) (cases.Case, error)
}

// Sentinel errors.
var (
	ErrNotFound         = kind.New(kind.NotFound, "library entry not found")
	ErrNotConcluded     = kind.New(kind.Conflict, "only a concluded case may be submitted to the library")
	ErrAlreadyInLibrary = kind.New(kind.Conflict, "the case is in the library already")
	ErrAlreadyReviewed  = kind.New(kind.Conflict, "the entry was reviewed already")
	ErrOwnSubmission    = kind.New(kind.Forbidden, "a submission is reviewed by someone else")
	ErrInvalid          = valid.ErrInvalid
)

// Limits.
const (
	MaxTitle     = 200
	MaxSummary   = 10_000
	MaxTags      = 10
	MaxTagRunes  = 20
	MaxReason    = 500
	MaxOffset    = 1000
	SimilarCount = 5
	// similarTerms is how many salient terms of a case are matched against the library.
	similarTerms = 12
)

// Service runs the search and library use cases.
type Service struct {
	repo  Repo
	cases CaseReader
	now   func() time.Time
}

// NewService returns a library service.
func NewService(repo Repo, cs CaseReader) *Service {
	return &Service{repo: repo, cases: cs, now: time.Now}
}

// ParseQuery reads a user's query; its error names the field "q".
func ParseQuery(raw string) (search.Query, error) {
	q, err := search.ParseQuery(raw)
	var v valid.List
	switch {
	case errors.Is(err, search.ErrQueryTooLong):
		v.Add("q", "检索词不得超过 %d 个字 / the query must not exceed %d characters", search.MaxQueryRunes, search.MaxQueryRunes)
	case err != nil:
		v.Add("q", "检索词中没有可检索的词语（标点和“的、了”等虚词不计） / the query has no searchable word (punctuation and function words do not count)")
	}
	return q, v.Err()
}

// SearchCases finds a tenant's cases whose title or description (and, with names, parties'
// names) hold every word of the query, best first. A search that found cases through the
// parties' names is recorded in the audit trail: the terms and those cases.
func (s *Service) SearchCases(ctx context.Context, tenantCode string, q CaseSearch) ([]CaseHit, error) {
	hits, err := s.repo.SearchCases(ctx, tenantCode, q)
	if err != nil {
		return nil, err
	}
	var byName []string
	for i := range hits {
		if hits[i].ByName {
			byName = append(byName, hits[i].Case.ID)
		}
	}
	if len(byName) > 0 {
		if err := s.repo.RecordPIISearch(ctx, tenantCode, q.Query.Strings(), byName); err != nil {
			return nil, err
		}
	}
	return hits, nil
}

// Submission is a mediator's proposal of a concluded case for the library. Title and summary
// default to the case's title and description (with the agreement's terms); whatever is given
// is anonymised.
type Submission struct {
	CaseID      string
	Title       string
	Summary     string
	Tags        []string
	SubmittedBy string
}

func checkText(v *valid.List, field, s string, max int) {
	if utf8.RuneCountInString(s) > max || !utf8.ValidString(s) {
		v.Add(field, "%s 不得超过 %d 个字 / %s must not exceed %d characters", field, max, field, max)
	}
}

// Submit anonymises a concluded case and adds it to the library, waiting for review.
func (s *Service) Submit(ctx context.Context, tenantCode string, in Submission) (Entry, error) {
	var v valid.List
	if in.CaseID == "" {
		v.Add("case_id", "请给出要入库的案件 id / give the id of the case to submit")
	} else if _, err := uuid.Parse(in.CaseID); err != nil {
		v.Add("case_id", "case_id 须为案件的 id（UUID） / case_id must be the id (a UUID) of a case")
	}
	checkText(&v, "title", in.Title, MaxTitle)
	checkText(&v, "summary", in.Summary, MaxSummary)
	if len(in.Tags) > MaxTags {
		v.Add("tags", "标签最多 %d 个 / at most %d tags", MaxTags, MaxTags)
	}
	var tags []string
	for i, t := range in.Tags {
		t = strings.TrimSpace(t)
		if n := utf8.RuneCountInString(t); n == 0 || n > MaxTagRunes || !utf8.ValidString(t) {
			v.Add("tags["+itoa(i)+"]", "标签须为 1–%d 个字 / a tag must be 1–%d characters", MaxTagRunes, MaxTagRunes)
			continue
		}
		tags = append(tags, t)
	}
	if err := v.Err(); err != nil {
		return Entry{}, err
	}
	c, err := s.cases.Get(ctx, tenantCode, in.CaseID, false)
	if err != nil {
		return Entry{}, err
	}
	if !cases.Concluded(c.Status) {
		return Entry{}, ErrNotConcluded
	}
	title, summary := in.Title, in.Summary
	if strings.TrimSpace(title) == "" {
		title = c.Title
	}
	if strings.TrimSpace(summary) == "" {
		summary = defaultSummary(c)
	}
	for i := range tags {
		tags[i] = Anonymise(tags[i], c.Parties)
	}
	e := Entry{ID: uuid.NewString(), TenantCode: tenantCode, CaseID: c.ID, CaseNumber: c.Number,
		Title: Anonymise(title, c.Parties), Summary: Anonymise(summary, c.Parties), DisputeType: c.DisputeType,
		Outcome: outcome(c), Tags: tags, Status: StatusSubmitted, SubmittedBy: in.SubmittedBy}
	if e.Tags == nil {
		e.Tags = []string{}
	}
	return s.repo.CreateLibraryEntry(ctx, e, e.Document())
}

// outcome is what became of the case: a closed case reports how it ended when it knows.
func outcome(c cases.Case) cases.Status {
	if c.Status == cases.StatusClosed && c.Agreement != nil {
		return cases.StatusSucceeded
	}
	return c.Status
}

var outcomeZH = map[cases.Status]string{cases.StatusSucceeded: "调解成功", cases.StatusFailed: "调解不成", cases.StatusGuided: "不宜调解，已引导至其他途径", cases.StatusClosed: "已结案"}

// defaultSummary is the case's description followed by its outcome and the agreement's terms.
func defaultSummary(c cases.Case) string {
	var b strings.Builder
	b.WriteString(strings.TrimSpace(c.Description))
	b.WriteString("\n调解结果：")
	b.WriteString(outcomeZH[outcome(c)])
	if a := c.Agreement; a != nil {
		for i, t := range a.Terms {
			b.WriteString("\n" + itoa(i+1) + ". " + t.Text)
		}
	}
	if channel, _ := c.Outcome["channel"].(string); channel != "" {
		b.WriteString("\n引导途径：" + channel)
	}
	return b.String()
}

// Get returns one entry of the tenant's library.
func (s *Service) Get(ctx context.Context, tenantCode, id string) (Entry, error) {
	if _, err := uuid.Parse(id); err != nil {
		return Entry{}, ErrNotFound
	}
	return s.repo.LibraryEntry(ctx, tenantCode, id)
}

// List returns the tenant's entries of a status (published by default), by relevance to the
// query or newest first.
func (s *Service) List(ctx context.Context, tenantCode string, f Filter) ([]Entry, error) {
	if f.Status == "" {
		f.Status = StatusPublished
	}
	return s.repo.LibraryEntries(ctx, tenantCode, f)
}

// Review publishes or rejects a submitted entry (a rejection needs a reason). The submitter
// cannot review their own submission.
func (s *Service) Review(ctx context.Context, tenantCode, id, decision, reason, reviewer string) (Entry, error) {
	var v valid.List
	to := StatusPublished
	switch decision {
	case DecisionPublish:
	case DecisionReject:
		to = StatusRejected
		if strings.TrimSpace(reason) == "" {
			v.Add("reason", "退回须说明理由 / a rejection needs a reason")
		}
	default:
		v.Add("decision", `decision 须为 "publish"（发布）或 "reject"（退回） / decision must be "publish" or "reject"`)
	}
	checkText(&v, "reason", reason, MaxReason)
	if err := v.Err(); err != nil {
		return Entry{}, err
	}
	e, err := s.Get(ctx, tenantCode, id)
	if err != nil {
		return Entry{}, err
	}
	if e.Status != StatusSubmitted {
		return Entry{}, ErrAlreadyReviewed
	}
	if e.SubmittedBy == reviewer {
		return Entry{}, ErrOwnSubmission
	}
	return s.repo.ReviewLibraryEntry(ctx, tenantCode, id, to, reviewer, strings.TrimSpace(reason), s.now())
}

// CaseTerms are the salient terms of a case a push is matched by: those of its title first.
func CaseTerms(c cases.Case) []string {
	terms := search.TopTerms(c.Title, similarTerms)
	for _, t := range search.TopTerms(c.Description, similarTerms) {
		if len(terms) == similarTerms {
			break
		}
		if !contains(terms, t) {
			terms = append(terms, t)
		}
	}
	return terms
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// Similar offers the published entries most similar to a case (智能推送): those sharing the
// most of its salient terms, an entry of the same dispute type ranking higher; never the
// case's own entry. Each comes with the shared terms and whether the type is the same; terms
// are the case's salient terms it was matched by.
func (s *Service) Similar(ctx context.Context, tenantCode, caseID string) (out []Similar, terms []string, err error) {
	if _, err := uuid.Parse(caseID); err != nil {
		return nil, nil, cases.ErrNotFound
	}
	c, err := s.repo.CaseDetail(ctx, tenantCode, caseID, s.now())
	if err != nil {
		return nil, nil, err
	}
	terms = CaseTerms(c)
	entries, err := s.repo.SimilarEntries(ctx, tenantCode, c.ID, search.AnyOf(terms), c.DisputeType, SimilarCount)
	if err != nil {
		return nil, nil, err
	}
	out = make([]Similar, 0, len(entries))
	for _, e := range entries {
		shared := search.Shared(terms, e.Text())
		if shared == nil {
			shared = []string{}
		}
		out = append(out, Similar{Entry: e, SharedTerms: shared, SameDisputeType: e.DisputeType == c.DisputeType})
	}
	if terms == nil {
		terms = []string{}
	}
	return out, terms, nil
}
