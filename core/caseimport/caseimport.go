// Package caseimport reads the files of historical cases that `fengqiao case import` and the
// import upload take — CSV (UTF-8, with or without a BOM, a header row of English or Chinese
// column names), NDJSON (one JSON object per line) or an Excel workbook (.xlsx: its first
// sheet, read like CSV) — into cases.ImportRow values, one row at a time, and writes the rows
// rejected with their errors. It checks only what the file's shape decides (encoding, columns,
// JSON); the meaning of the values — codes or their Chinese names — is checked by core/cases.
// The input is untrusted: no file makes it panic; a CSV or NDJSON file is held one row at a
// time, a workbook within the limits of xlsx.go.
package caseimport

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/fengqiao/fengqiao/core/cases"
)

// Format is the kind of file.
type Format string

const (
	CSV    Format = "csv"
	NDJSON Format = "ndjson"
	// XLSX is an Excel workbook: its first sheet, a header row then one case per row, as CSV.
	XLSX Format = "xlsx"
)

// ParseFormat reads a format's name: csv, ndjson (or jsonl), xlsx.
func ParseFormat(s string) (Format, bool) {
	switch strings.ToLower(s) {
	case "csv":
		return CSV, true
	case "ndjson", "jsonl":
		return NDJSON, true
	case "xlsx":
		return XLSX, true
	}
	return "", false
}

// FormatOf guesses the format from a file name's extension (.csv, .ndjson, .jsonl, .xlsx).
func FormatOf(name string) (Format, bool) {
	return ParseFormat(strings.TrimPrefix(filepath.Ext(name), "."))
}

// MaxRowBytes bounds one row (a CSV record or an NDJSON line).
const MaxRowBytes = 1 << 20

// column is a scalar column of the file.
type column struct {
	name string   // canonical (English) name
	zh   []string // Chinese header names accepted
	set  func(r *cases.ImportRow, v string)
}

var scalarColumns = []column{
	{"tenant", []string{"租户", "租户代码", "区县代码"}, func(r *cases.ImportRow, v string) { r.Tenant = v }},
	{"number", []string{"案件编号", "案号", "编号"}, func(r *cases.ImportRow, v string) { r.Number = v }},
	{"title", []string{"标题", "案件标题", "案由"}, func(r *cases.ImportRow, v string) { r.Title = v }},
	{"description", []string{"纠纷描述", "描述", "案情", "简要案情"}, func(r *cases.ImportRow, v string) { r.Description = v }},
	{"dispute_type", []string{"纠纷类型", "类型"}, func(r *cases.ImportRow, v string) { r.DisputeType = v }},
	{"source", []string{"来源", "受理来源", "案件来源"}, func(r *cases.ImportRow, v string) { r.Source = v }},
	{"received_at", []string{"受理时间", "受理日期"}, func(r *cases.ImportRow, v string) { r.ReceivedAt = v }},
	{"due_at", []string{"办理期限", "期限"}, func(r *cases.ImportRow, v string) { r.DueAt = v }},
	{"status", []string{"状态", "案件状态"}, func(r *cases.ImportRow, v string) { r.Status = v }},
	{"concluded_at", []string{"办结时间", "办结日期", "结案时间"}, func(r *cases.ImportRow, v string) { r.ConcludedAt = v }},
	{"outcome_channel", []string{"引导渠道", "导入渠道"}, func(r *cases.ImportRow, v string) { r.OutcomeChannel = v }},
	{"outcome_reason", []string{"不成原因", "引导原因"}, func(r *cases.ImportRow, v string) { r.OutcomeReason = v }},
	{"performance", []string{"履行情况"}, func(r *cases.ImportRow, v string) { r.Performance = v }},
	{"place_code", []string{"发生地代码", "纠纷发生地", "发生地"}, func(r *cases.ImportRow, v string) { r.PlaceCode = v }},
	{"amount_yuan", []string{"标的额", "标的额（元）", "涉及金额", "争议金额", "争议金额（元）"}, func(r *cases.ImportRow, v string) { r.AmountYuan = v }},
	{"committee", []string{"调委会", "调解组织", "调委会编号"}, func(r *cases.ImportRow, v string) { r.Committee = v }},
	{"risk_level", []string{"预警等级", "风险等级"}, func(r *cases.ImportRow, v string) { r.RiskLevel = v }},
}

// partyRoles are the roles that have their own columns (applicant_name…), with Chinese prefixes.
var partyRoles = []struct {
	prefix string
	zh     string
	role   cases.PartyRole
}{
	{"applicant_", "申请人", cases.RoleApplicant},
	{"respondent_", "被申请人", cases.RoleRespondent},
	{"third_party_", "第三人", cases.RoleThird},
}

// partyFields are the columns of one party, with their Chinese names.
var partyFields = []struct {
	name string
	zh   []string
}{
	{"name", []string{"姓名", "名称"}},
	{"kind", []string{"类型"}},
	{"id_number", []string{"身份证号", "证件号码", "身份证号码", "证件号"}},
	{"id_type", []string{"证件类型"}},
	{"phone", []string{"电话", "联系电话", "手机"}},
	{"address", []string{"地址", "住址"}},
	{"gender", []string{"性别"}},
	{"birth_year", []string{"出生年份"}},
	{"occupation", []string{"职业"}},
}

// partiesColumn holds extra parties as a JSON array (CSV) or is the array itself (NDJSON).
const partiesColumn = "parties"

// Columns lists the canonical column names, in the documented order.
func Columns() []string {
	var out []string
	for _, c := range scalarColumns {
		out = append(out, c.name)
	}
	for _, r := range partyRoles {
		for _, f := range partyFields {
			out = append(out, r.prefix+f.name)
		}
	}
	return append(out, partiesColumn)
}

// required columns of a CSV header (tenant may come from the import's options).
var required = []string{"title", "dispute_type", "source", "received_at", "status"}

// canonical maps every accepted header name (lower-cased English, Chinese) to its canonical name.
var canonical = func() map[string]string {
	m := map[string]string{partiesColumn: partiesColumn, "当事人": partiesColumn}
	for _, c := range scalarColumns {
		m[c.name] = c.name
		for _, z := range c.zh {
			m[z] = c.name
		}
	}
	for _, r := range partyRoles {
		for _, f := range partyFields {
			m[r.prefix+f.name] = r.prefix + f.name
			for _, z := range f.zh {
				m[r.zh+z] = r.prefix + f.name
			}
		}
	}
	return m
}()

var setters = func() map[string]func(*cases.ImportRow, string) {
	m := map[string]func(*cases.ImportRow, string){}
	for _, c := range scalarColumns {
		m[c.name] = c.set
	}
	return m
}()

// jsonParty is a party of a parties array.
type jsonParty struct {
	Name       string          `json:"name"`
	Role       string          `json:"role"`
	Kind       string          `json:"kind"`
	IDNumber   string          `json:"id_number"`
	IDType     string          `json:"id_type"`
	Phone      string          `json:"phone"`
	Address    string          `json:"address"`
	Occupation string          `json:"occupation"`
	Gender     string          `json:"gender"`
	BirthYear  json.RawMessage `json:"birth_year"`
}

// build makes a row from its values by canonical column name.
func build(line int, values map[string]string, parties json.RawMessage, raw []string, header []string) cases.ImportRow {
	row := cases.ImportRow{Line: line, Raw: raw, RawHeader: header}
	for name, v := range values {
		if set, ok := setters[name]; ok {
			set(&row, v)
		}
	}
	for _, r := range partyRoles {
		p := cases.ImportParty{NewParty: cases.NewParty{Role: string(r.role)}, Prefix: r.prefix}
		given := false
		for _, f := range partyFields {
			v := values[r.prefix+f.name]
			given = given || strings.TrimSpace(v) != ""
			switch f.name {
			case "name":
				p.Name = v
			case "kind":
				p.Kind = v
			case "id_number":
				p.IDNumber = v
			case "id_type":
				p.IDType = v
			case "phone":
				p.Phone = v
			case "address":
				p.Address = v
			case "gender":
				p.Gender = v
			case "birth_year":
				p.BirthYear = v
			case "occupation":
				p.Occupation = v
			}
		}
		if given {
			row.Parties = append(row.Parties, p)
		}
	}
	if len(bytes.TrimSpace(parties)) > 0 && !bytes.Equal(bytes.TrimSpace(parties), []byte("null")) {
		var list []json.RawMessage
		if err := json.Unmarshal(parties, &list); err != nil {
			row.Errors = append(row.Errors, cases.FieldError{Field: partiesColumn,
				Message: `当事人须为 JSON 数组，如 [{"name":"张三","role":"applicant"}] / parties must be a JSON array, e.g. [{"name":"张三","role":"applicant"}]`})
			return row
		}
		if len(list) > cases.MaxParties {
			list = list[:cases.MaxParties+1] // the intake's rule reports it
		}
		for i, raw := range list {
			prefix := fmt.Sprintf("parties[%d].", i)
			var jp jsonParty
			dec := json.NewDecoder(bytes.NewReader(raw))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&jp); err != nil {
				row.Errors = append(row.Errors, cases.FieldError{Field: strings.TrimSuffix(prefix, "."),
					Message: "当事人须为对象，字段见导入说明 / a party must be an object of name, role, kind, id_type, id_number, phone, address, occupation, gender, birth_year: " + jsonMessage(err)})
				continue
			}
			by, ok := scalar(jp.BirthYear)
			if !ok {
				row.Errors = append(row.Errors, cases.FieldError{Field: prefix + "birth_year", Message: "出生年份须为数字 / birth_year must be a number"})
			}
			row.Parties = append(row.Parties, cases.ImportParty{NewParty: cases.NewParty{Role: jp.Role, Kind: jp.Kind, Name: jp.Name,
				IDNumber: jp.IDNumber, IDType: jp.IDType, Phone: jp.Phone, Address: jp.Address, Occupation: jp.Occupation}, Gender: jp.Gender, BirthYear: by, Prefix: prefix})
		}
	}
	return row
}

func jsonMessage(err error) string {
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		return "JSON 格式错误 / malformed JSON"
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

// scalar reads a JSON string, number or null as text.
func scalar(raw json.RawMessage) (string, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return "", true
	}
	switch raw[0] {
	case '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", false
		}
		return s, true
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		var n json.Number
		if err := json.Unmarshal(raw, &n); err != nil {
			return "", false
		}
		return n.String(), true
	}
	return "", false
}

// textError says what is wrong with a value's text: invalid UTF-8 or a NUL character.
func textError(v string) string {
	switch {
	case !utf8.ValidString(v):
		return "不是有效的 UTF-8 文本，请以 UTF-8 保存文件 / not valid UTF-8 text: save the file as UTF-8"
	case strings.ContainsRune(v, 0):
		return "含有空字符（NUL） / contains a NUL character"
	}
	return ""
}

// NewReader reads rows of the format from r.
func NewReader(r io.Reader, f Format) (cases.ImportReader, error) {
	if f == XLSX {
		return newXLSXReader(r), nil
	}
	br := bufio.NewReaderSize(r, 64<<10)
	if bom, err := br.Peek(3); err == nil && bytes.Equal(bom, []byte{0xEF, 0xBB, 0xBF}) {
		_, _ = br.Discard(3)
	}
	switch f {
	case CSV:
		cr := csv.NewReader(br)
		cr.FieldsPerRecord = -1
		cr.LazyQuotes = true
		c := &csvReader{}
		c.read = func() ([]string, int, error) {
			rec, err := cr.Read()
			if err != nil {
				line := 0
				var pe *csv.ParseError
				if errors.As(err, &pe) {
					line = pe.StartLine
					err = errors.New(csvMessage(err))
				}
				return nil, line, err
			}
			line, _ := cr.FieldPos(0)
			return rec, line, nil
		}
		return c, nil
	case NDJSON:
		return &ndjsonReader{r: br}, nil
	}
	return nil, fmt.Errorf("caseimport: unknown format %q", f)
}

// csvReader reads a table of records — a CSV file, an Excel sheet — whose first record is the
// header.
type csvReader struct {
	// read returns the next record and the line (row) it starts on; io.EOF after the last.
	read   func() (rec []string, line int, err error)
	header []string // as in the file
	names  []string // canonical, per column
	done   bool
}

func fileError(line int, field, msg string) error {
	return &cases.ImportFileError{Line: line, Field: field, Message: msg}
}

func (c *csvReader) readHeader() error {
	rec, _, err := c.read()
	if errors.Is(err, io.EOF) {
		return fileError(1, "header", "文件为空：第 1 行应为表头 / the file is empty: line 1 must be the header row")
	}
	var fe *cases.ImportFileError
	if errors.As(err, &fe) {
		return err
	}
	if err != nil {
		return fileError(1, "header", "表头无法读取 / the header row cannot be read: "+err.Error())
	}
	c.header = rec
	seen := map[string]bool{}
	for _, h := range rec {
		if msg := textError(h); msg != "" {
			return fileError(1, "header", msg)
		}
		key := strings.TrimSpace(h)
		name, ok := canonical[key]
		if !ok {
			name, ok = canonical[strings.ToLower(key)]
		}
		field := h
		if key == "" {
			field = "header"
		}
		if !ok {
			return fileError(1, field, fmt.Sprintf("未知列 %q；列名见 docs/import.md / unknown column %q; see docs/import.md for the columns", h, h))
		}
		if seen[name] {
			return fileError(1, field, fmt.Sprintf("列 %s 重复 / column %s appears twice", name, name))
		}
		seen[name] = true
		c.names = append(c.names, name)
	}
	for _, r := range required {
		if !seen[r] {
			return fileError(1, r, fmt.Sprintf("表头缺少必填列 %s / the header lacks the required column %s", r, r))
		}
	}
	return nil
}

func csvMessage(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	switch {
	case errors.Is(err, csv.ErrQuote):
		return "引号不匹配 / unmatched quote"
	case errors.Is(err, csv.ErrBareQuote):
		return "字段中有未转义的引号 / a quote inside an unquoted field"
	}
	return err.Error()
}

func (c *csvReader) Next() (cases.ImportRow, error) {
	if c.done {
		return cases.ImportRow{}, io.EOF
	}
	if c.names == nil {
		if err := c.readHeader(); err != nil {
			c.done = true
			return cases.ImportRow{}, err
		}
	}
	for {
		rec, line, err := c.read()
		if errors.Is(err, io.EOF) {
			c.done = true
			return cases.ImportRow{}, io.EOF
		}
		var fe *cases.ImportFileError
		if errors.As(err, &fe) {
			c.done = true
			return cases.ImportRow{}, err
		}
		if err != nil {
			c.done = true
			return cases.ImportRow{}, fileError(line, "-", "文件无法继续读取 / the file cannot be read from here: "+err.Error())
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" && len(c.names) > 1 {
			continue // a blank line
		}
		size := 0
		for _, f := range rec {
			size += len(f)
		}
		values := make(map[string]string, len(rec))
		var parties json.RawMessage
		var errs []cases.FieldError
		if len(rec) != len(c.names) {
			errs = append(errs, cases.FieldError{Field: "columns", Message: fmt.Sprintf("此行有 %d 列，表头有 %d 列 / the row has %d columns, the header %d", len(rec), len(c.names), len(rec), len(c.names))})
		} else if size > MaxRowBytes {
			errs = append(errs, cases.FieldError{Field: "columns", Message: fmt.Sprintf("此行超过 %d 字节 / the row exceeds %d bytes", MaxRowBytes, MaxRowBytes)})
		} else {
			for i, v := range rec {
				if msg := textError(v); msg != "" {
					errs = append(errs, cases.FieldError{Field: c.names[i], Message: msg})
					continue
				}
				if c.names[i] == partiesColumn {
					parties = json.RawMessage(v)
					continue
				}
				values[c.names[i]] = v
			}
		}
		row := build(line, values, parties, rec, c.header)
		row.Errors = append(errs, row.Errors...)
		return row, nil
	}
}

type ndjsonReader struct {
	r    *bufio.Reader
	line int
	done bool
}

// readLine returns the next line without its end; too is true when it exceeded MaxRowBytes
// (the rest was skipped).
func (n *ndjsonReader) readLine() (line []byte, tooLong bool, err error) {
	var buf []byte
	for {
		chunk, err := n.r.ReadSlice('\n')
		if len(buf)+len(chunk) > MaxRowBytes {
			tooLong = true
		} else {
			buf = append(buf, chunk...)
		}
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF):
			if len(buf) == 0 && !tooLong {
				return nil, false, io.EOF
			}
			return bytes.TrimRight(buf, "\r\n"), tooLong, nil
		case err != nil:
			return nil, false, err
		}
		return bytes.TrimRight(buf, "\r\n"), tooLong, nil
	}
}

func (n *ndjsonReader) Next() (cases.ImportRow, error) {
	if n.done {
		return cases.ImportRow{}, io.EOF
	}
	for {
		raw, tooLong, err := n.readLine()
		if errors.Is(err, io.EOF) {
			n.done = true
			return cases.ImportRow{}, io.EOF
		}
		if err != nil {
			return cases.ImportRow{}, err
		}
		n.line++
		if tooLong {
			return cases.ImportRow{Line: n.line, Raw: []string{""}, Errors: []cases.FieldError{{Field: "-",
				Message: fmt.Sprintf("此行超过 %d 字节 / the line exceeds %d bytes", MaxRowBytes, MaxRowBytes)}}}, nil
		}
		if len(bytes.TrimSpace(raw)) == 0 {
			continue
		}
		return n.parse(raw), nil
	}
}

func (n *ndjsonReader) parse(raw []byte) cases.ImportRow {
	text := string(raw)
	bad := func(field, msg string) cases.ImportRow {
		return cases.ImportRow{Line: n.line, Raw: []string{text}, Errors: []cases.FieldError{{Field: field, Message: msg}}}
	}
	if msg := textError(text); msg != "" {
		return bad("-", msg)
	}
	var obj map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&obj); err != nil || obj == nil {
		return bad("-", "每行须为一个 JSON 对象 {…} / each line must be one JSON object {…}")
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return bad("-", "每行只能有一个 JSON 对象 / each line must hold exactly one JSON object")
	}
	values := make(map[string]string, len(obj))
	var errs []cases.FieldError
	var parties json.RawMessage
	for k, v := range obj {
		name, ok := canonical[k]
		if !ok {
			field := strings.ToValidUTF8(strings.ReplaceAll(k, "\x00", ""), "?")
			if field == "" {
				field = "-"
			}
			errs = append(errs, cases.FieldError{Field: field, Message: fmt.Sprintf("未知字段 %q；字段见 docs/import.md / unknown field %q; see docs/import.md", k, k)})
			continue
		}
		if name == partiesColumn {
			parties = v
			continue
		}
		s, ok := scalar(v)
		if !ok {
			errs = append(errs, cases.FieldError{Field: name, Message: "须为字符串或数字 / must be a string or a number"})
			continue
		}
		if msg := textError(s); msg != "" {
			errs = append(errs, cases.FieldError{Field: name, Message: msg})
			continue
		}
		values[name] = s
	}
	row := build(n.line, values, parties, []string{text}, nil)
	row.Errors = append(errs, row.Errors...)
	return row
}

// FileSource reads an import file from disk, once per pass.
type FileSource struct {
	Path   string
	Format Format
	// Count, when set, is told the bytes read (a progress bar).
	Count func(n int)
}

// Open implements cases.ImportSource.
func (s FileSource) Open() (cases.ImportReader, io.Closer, error) {
	f, err := os.Open(s.Path)
	if err != nil {
		return nil, nil, err
	}
	var r io.Reader = f
	if s.Count != nil {
		r = countingReader{f, s.Count}
	}
	rd, err := NewReader(r, s.Format)
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return rd, f, nil
}

type countingReader struct {
	r     io.Reader
	count func(int)
}

func (c countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.count(n)
	return n, err
}

// BytesSource reads an import file held in memory (an upload).
type BytesSource struct {
	Data   []byte
	Format Format
}

// Open implements cases.ImportSource.
func (s BytesSource) Open() (cases.ImportReader, io.Closer, error) {
	rd, err := NewReader(bytes.NewReader(s.Data), s.Format)
	return rd, io.NopCloser(nil), err
}

// RejectWriter writes rejected rows with their errors: for CSV the file's header and each
// record with an added errors column; for NDJSON each line's object with an added errors
// field (a line that is no JSON object is kept as text under raw).
type RejectWriter struct {
	format Format
	w      io.Writer
	csv    *csv.Writer
	header bool
}

// NewRejectWriter writes rejected rows of the format to w.
func NewRejectWriter(w io.Writer, f Format) *RejectWriter {
	if f == XLSX {
		f = CSV // the rows of a sheet, as text
	}
	rw := &RejectWriter{format: f, w: w}
	if f == CSV {
		rw.csv = csv.NewWriter(w)
	}
	return rw
}

// Reject writes one row; it has the signature of cases.ImportOptions.Reject.
func (rw *RejectWriter) Reject(row cases.ImportRow, errs []cases.RowError) error {
	if rw.format == CSV {
		if !rw.header && row.RawHeader != nil {
			rw.header = true
			if err := rw.csv.Write(append(append([]string{}, row.RawHeader...), "errors")); err != nil {
				return err
			}
		}
		parts := make([]string, len(errs))
		for i, e := range errs {
			parts[i] = e.Field + ": " + e.Message
		}
		rec := append(append([]string{}, row.Raw...), "第 "+strconv.Itoa(row.Line)+" 行 / line "+strconv.Itoa(row.Line)+": "+strings.Join(parts, " | "))
		if err := rw.csv.Write(rec); err != nil {
			return err
		}
		rw.csv.Flush()
		return rw.csv.Error()
	}
	list, err := json.Marshal(errs)
	if err != nil {
		return err
	}
	raw := ""
	if len(row.Raw) > 0 {
		raw = row.Raw[0]
	}
	var out []byte
	trimmed := strings.TrimSpace(raw)
	var probe map[string]json.RawMessage
	if json.Unmarshal([]byte(trimmed), &probe) == nil && probe != nil && strings.HasSuffix(trimmed, "}") {
		body := strings.TrimSpace(strings.TrimSuffix(trimmed, "}"))
		sep := ","
		if strings.HasSuffix(body, "{") {
			sep = ""
		}
		out = []byte(body + sep + `"errors":` + string(list) + "}")
	} else {
		out, err = json.Marshal(struct {
			Line   int              `json:"line"`
			Raw    string           `json:"raw"`
			Errors []cases.RowError `json:"errors"`
		}{row.Line, strings.ToValidUTF8(raw, "\uFFFD"), errs})
		if err != nil {
			return err
		}
	}
	_, err = rw.w.Write(append(out, '\n'))
	return err
}
