package api

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/fengqiao/fengqiao/core/cases"
	"github.com/fengqiao/fengqiao/core/library"
	"github.com/fengqiao/fengqiao/core/pii"
	"github.com/fengqiao/fengqiao/core/search"
	"github.com/labstack/echo/v4"
)

// Full-text search over cases (智能检索) and the case library (案例库) with similar-case push
// (智能推送). Matches are highlighted in plain text with 【】 (search.MarkOpen/MarkClose).

type searchPartyDTO struct {
	Role   string `json:"role"`
	Kind   string `json:"kind"`
	Name   string `json:"name"`
	Masked bool   `json:"masked"`
}

type caseHitDTO struct {
	ID             string           `json:"id"`
	Number         string           `json:"number"`
	Title          string           `json:"title"`
	TitleHighlight string           `json:"title_highlight"`
	Snippet        string           `json:"snippet"`
	DisputeType    string           `json:"dispute_type"`
	Status         string           `json:"status"`
	ReceivedAt     time.Time        `json:"received_at"`
	Rank           float64          `json:"rank"`
	MatchedByName  bool             `json:"matched_by_name"`
	Parties        []searchPartyDTO `json:"parties"`
}

type caseSearchResult struct {
	Terms     []string     `json:"terms"`
	Items     []caseHitDTO `json:"items"`
	NextAfter string       `json:"next_after,omitempty"`
}

type libraryEntryDTO struct {
	ID             string     `json:"id"`
	CaseID         string     `json:"case_id"`
	CaseNumber     string     `json:"case_number"`
	Title          string     `json:"title"`
	Summary        string     `json:"summary"`
	DisputeType    string     `json:"dispute_type"`
	Outcome        string     `json:"outcome"`
	Tags           []string   `json:"tags"`
	Status         string     `json:"status"`
	SubmittedBy    string     `json:"submitted_by"`
	SubmittedAt    time.Time  `json:"submitted_at"`
	ReviewedBy     string     `json:"reviewed_by,omitempty"`
	ReviewedAt     *time.Time `json:"reviewed_at,omitempty"`
	ReviewReason   string     `json:"review_reason,omitempty"`
	Rank           float64    `json:"rank,omitempty"`
	TitleHighlight string     `json:"title_highlight,omitempty"`
	Snippet        string     `json:"snippet,omitempty"`
}

type libraryList struct {
	Items     []libraryEntryDTO `json:"items"`
	NextAfter string            `json:"next_after,omitempty"`
}

type submitLibraryRequest struct {
	CaseID  string   `json:"case_id"`
	Title   string   `json:"title,omitempty"`
	Summary string   `json:"summary,omitempty"`
	Tags    []string `json:"tags,omitempty"`
}

type reviewLibraryRequest struct {
	Decision string `json:"decision"`
	Reason   string `json:"reason,omitempty"`
}

type similarReasons struct {
	SharedTerms     []string `json:"shared_terms"`
	SameDisputeType bool     `json:"same_dispute_type"`
}

type similarItem struct {
	Entry   libraryEntryDTO `json:"entry"`
	Score   float64         `json:"score"`
	Reasons similarReasons  `json:"reasons"`
}

type similarResult struct {
	Terms []string      `json:"terms"`
	Items []similarItem `json:"items"`
}

const snippetRunes = 80

func toEntryDTO(e library.Entry) libraryEntryDTO {
	tags := e.Tags
	if tags == nil {
		tags = []string{}
	}
	return libraryEntryDTO{ID: e.ID, CaseID: e.CaseID, CaseNumber: e.CaseNumber, Title: e.Title, Summary: e.Summary, DisputeType: e.DisputeType,
		Outcome: string(e.Outcome), Tags: tags, Status: string(e.Status), SubmittedBy: e.SubmittedBy, SubmittedAt: e.SubmittedAt,
		ReviewedBy: e.ReviewedBy, ReviewedAt: e.ReviewedAt, ReviewReason: e.ReviewReason, Rank: e.Rank}
}

// offsetCursor pages ranked results: an opaque encoding of how many were already returned.
func offsetCursor(n int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("o:" + strconv.Itoa(n)))
}

func parseOffsetCursor(s string) (int, error) {
	if s == "" {
		return 0, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		if v, ok := strings.CutPrefix(string(raw), "o:"); ok {
			if n, err := strconv.Atoi(v); err == nil && n >= 0 && n <= library.MaxOffset {
				return n, nil
			}
		}
	}
	return 0, invalid("after", "after 须为上一页返回的 next_after（最多翻到第 1000 条） / after must be the next_after of the previous page (up to the 1,000th result)")
}

// searchLimit reads limit for ranked results: 1–100, default 20.
func searchLimit(c echo.Context) (int, error) {
	raw := c.QueryParam("limit")
	if raw == "" {
		return 20, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 1 || n > 100 {
		return 0, invalid("limit", "limit 须为 1–100 的整数 / limit must be an integer from 1 to 100")
	}
	return n, nil
}

func (s *Server) searchCases(c echo.Context) error {
	raw := c.QueryParam("q")
	if strings.TrimSpace(raw) == "" {
		return invalid("q", "请输入检索词 / give a query in q")
	}
	q, err := library.ParseQuery(raw)
	if err != nil {
		return err
	}
	limit, err := searchLimit(c)
	if err != nil {
		return err
	}
	offset, err := parseOffsetCursor(c.QueryParam("after"))
	if err != nil {
		return err
	}
	code := c.Param("code")
	// Parties' names are searched and shown only to callers allowed to see personal data.
	names, err := s.allowedHere(c, "cases.pii", "read")
	if err != nil {
		return err
	}
	hits, err := s.deps.Library.SearchCases(c.Request().Context(), code, library.CaseSearch{Query: q, Names: names, Offset: offset, Limit: limit + 1, Access: listScope(c)})
	if err != nil {
		return err
	}
	words := q.Words()
	out := caseSearchResult{Terms: q.Strings(), Items: []caseHitDTO{}}
	found := make([]cases.Case, 0, len(hits))
	for _, h := range hits[:min(len(hits), limit)] {
		found = append(found, h.Case)
	}
	summaries, err := s.summariesIn(c, found)
	if err != nil {
		return err
	}
	for i, h := range hits {
		if i == limit {
			out.NextAfter = offsetCursor(offset + limit)
			break
		}
		if summaries[i] {
			h.Case = h.Case.Summary()
		}
		d := caseHitDTO{ID: h.Case.ID, Number: h.Case.Number, Title: h.Case.Title, TitleHighlight: search.Highlight(h.Case.Title, words),
			Snippet: search.Snippet(h.Case.Description, words, snippetRunes), DisputeType: h.Case.DisputeType, Status: string(h.Case.Status),
			ReceivedAt: h.Case.ReceivedAt, Rank: h.Rank, MatchedByName: h.ByName, Parties: []searchPartyDTO{}}
		for _, p := range h.Case.Parties {
			pd := searchPartyDTO{Role: string(p.Role), Kind: string(p.Kind), Name: p.Name}
			if !names {
				pd.Name, pd.Masked = pii.MaskName(p.Name), true
			}
			d.Parties = append(d.Parties, pd)
		}
		out.Items = append(out.Items, d)
	}
	if names {
		c.Response().Header().Set("Cache-Control", "no-store")
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) submitLibraryCase(c echo.Context) error {
	var req submitLibraryRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	e, err := s.deps.Library.Submit(c.Request().Context(), c.Param("code"), library.Submission{CaseID: req.CaseID, Title: req.Title,
		Summary: req.Summary, Tags: req.Tags, SubmittedBy: principal(c).Subject})
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/tenants/"+e.TenantCode+"/library/"+e.ID)
	return c.JSON(http.StatusCreated, toEntryDTO(e))
}

func (s *Server) listLibrary(c echo.Context) error {
	limit, err := searchLimit(c)
	if err != nil {
		return err
	}
	offset, err := parseOffsetCursor(c.QueryParam("after"))
	if err != nil {
		return err
	}
	f := library.Filter{Status: library.Status(c.QueryParam("status")), Offset: offset, Limit: limit + 1}
	if f.Status != "" {
		ok := false
		for _, st := range library.Statuses() {
			ok = ok || st == f.Status
		}
		if !ok {
			return invalid("status", "status 须为 submitted（待审核）、published（已发布）或 rejected（已退回） / status must be submitted, published or rejected")
		}
	}
	var words []string
	if raw := c.QueryParam("q"); strings.TrimSpace(raw) != "" {
		q, err := library.ParseQuery(raw)
		if err != nil {
			return err
		}
		f.Query, words = &q, q.Words()
	}
	es, err := s.deps.Library.List(c.Request().Context(), c.Param("code"), f)
	if err != nil {
		return err
	}
	out := libraryList{Items: []libraryEntryDTO{}}
	for i, e := range es {
		if i == limit {
			out.NextAfter = offsetCursor(offset + limit)
			break
		}
		d := toEntryDTO(e)
		if words != nil {
			d.TitleHighlight, d.Snippet = search.Highlight(e.Title, words), search.Snippet(e.Summary, words, snippetRunes)
		}
		out.Items = append(out.Items, d)
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) getLibraryCase(c echo.Context) error {
	e, err := s.deps.Library.Get(c.Request().Context(), c.Param("code"), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toEntryDTO(e))
}

func (s *Server) reviewLibraryCase(c echo.Context) error {
	var req reviewLibraryRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	e, err := s.deps.Library.Review(c.Request().Context(), c.Param("code"), c.Param("id"), req.Decision, req.Reason, principal(c).Subject)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toEntryDTO(e))
}

func (s *Server) similarCases(c echo.Context) error {
	code := c.Param("code")
	if err := s.allow(principal(c), code, "library", "read"); err != nil {
		return err
	}
	sim, terms, err := s.deps.Library.Similar(c.Request().Context(), code, c.Param("id"))
	if err != nil {
		return err
	}
	out := similarResult{Terms: terms, Items: []similarItem{}}
	for _, x := range sim {
		d := toEntryDTO(x.Entry)
		d.Rank = 0
		d.TitleHighlight, d.Snippet = search.Highlight(x.Entry.Title, x.SharedTerms), search.Snippet(x.Entry.Summary, x.SharedTerms, snippetRunes)
		out.Items = append(out.Items, similarItem{Entry: d, Score: x.Entry.Rank, Reasons: similarReasons{SharedTerms: x.SharedTerms, SameDisputeType: x.SameDisputeType}})
	}
	return c.JSON(http.StatusOK, out)
}

func libraryRoutes() []route {
	page := []queryParam{
		{"after", "游标：上一页的 next_after / cursor: next_after of the previous page", "string"},
		{"limit", "1–100，默认 20 / 1–100, default 20", "integer"},
	}
	return []route{
		{method: http.MethodGet, path: "/api/v1/tenants/:code/cases/search", operationID: "searchCases", summary: "案件全文检索（中文分词，按相关度排序，命中词以【】标出）；当事人姓名仅对有个人信息权限者可检索、可见，并审计 / Full-text search of cases in Chinese, ranked, matches marked 【】; parties' names searched and shown only to callers allowed to see personal data (audited)", tag: "search", tenantScoped: true, requireActive: true, obj: "cases", act: "read", caseList: true, response: caseSearchResult{}, status: 200, handler: (*Server).searchCases,
			query: append([]queryParam{{"q", "检索词（必填，最多 100 字；所有词都须命中） / the query (required, up to 100 characters; every word must match)", "string"}}, page...)},
		{method: http.MethodGet, path: "/api/v1/tenants/:code/cases/:id/similar", operationID: "similarCases", summary: "智能推送：与本案最相似的已发布案例（最多 5 个），附匹配理由 / The published library entries most similar to this case (up to 5), with why they match", tag: "library", tenantScoped: true, requireActive: true, obj: "cases", act: "read", caseScoped: caseParam, response: similarResult{}, status: 200, handler: (*Server).similarCases},
		{method: http.MethodPost, path: "/api/v1/tenants/:code/library", operationID: "submitLibraryCase", summary: "提交已办结案件入案例库（自动匿名化：当事人以甲、乙…代替，删除证件号、电话、银行卡、车牌、案号和地址），待审核 / Submit a concluded case to the library, anonymised; waits for review", tag: "library", tenantScoped: true, requireActive: true, obj: "library", act: "create", request: submitLibraryRequest{}, response: libraryEntryDTO{}, status: 201, handler: (*Server).submitLibraryCase},
		{method: http.MethodGet, path: "/api/v1/tenants/:code/library", operationID: "listLibrary", summary: "案例库（本租户内；默认已发布；q 全文检索） / The tenant's case library: published by default; q searches", tag: "library", tenantScoped: true, requireActive: true, obj: "library", act: "read", response: libraryList{}, status: 200, handler: (*Server).listLibrary,
			query: append([]queryParam{
				{"q", "检索词（可选） / query (optional)", "string"},
				{"status", "submitted | published | rejected（默认 \"published\" 已发布）", "string"},
			}, page...)},
		{method: http.MethodGet, path: "/api/v1/tenants/:code/library/:id", operationID: "getLibraryCase", summary: "案例详情 / A library entry", tag: "library", tenantScoped: true, requireActive: true, obj: "library", act: "read", response: libraryEntryDTO{}, status: 200, handler: (*Server).getLibraryCase},
		{method: http.MethodPost, path: "/api/v1/tenants/:code/library/:id/review", operationID: "reviewLibraryCase", summary: "审核案例：\"publish\" 发布或 \"reject\" 退回（须说明理由；不能审核自己提交的） / Review a submission: publish, or reject with a reason; not your own", tag: "library", tenantScoped: true, requireActive: true, obj: "library", act: "review", request: reviewLibraryRequest{}, response: libraryEntryDTO{}, status: 200, handler: (*Server).reviewLibraryCase},
	}
}
