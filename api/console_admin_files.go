package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"

	"github.com/fengqiao/fengqiao/core/authz"
	"github.com/fengqiao/fengqiao/core/codes"
	"github.com/labstack/echo/v4"
)

// Administration, continued: plugins with their settings forms, case import, exports.
func consoleAdminFilePages() []page {
	return []page{
		{method: http.MethodGet, path: "/admin/plugins", handler: (*Server).adminPlugins},
		{method: http.MethodGet, path: "/admin/plugins/:name", handler: (*Server).adminPlugin},
		{method: http.MethodPost, path: "/admin/plugins/:name", handler: (*Server).adminPluginSave},
		{method: http.MethodPost, path: "/admin/plugins/:name/disable", handler: (*Server).adminPluginDisable},
		{method: http.MethodGet, path: "/admin/import", handler: (*Server).adminImport},
		{method: http.MethodPost, path: adminImportPath, handler: (*Server).adminImportUpload},
		{method: http.MethodGet, path: "/admin/export", handler: (*Server).adminExport},
		{method: http.MethodGet, path: "/admin/export/cases", handler: (*Server).adminExportCases},
		{method: http.MethodGet, path: "/admin/export/monthly", handler: (*Server).adminExportMonthly},
	}
}

// adminImportPath takes the import's upload: the import operation's body limit and timeout
// apply to it, not the console's (server.go's limitBody and timeout ask consoleUpload).
const adminImportPath = "/admin/import"

// consoleUpload returns the body limit and timeout of a console route that uploads a file.
func consoleUpload(method, routePath string) (int64, bool) {
	if method == http.MethodPost && routePath == adminImportPath {
		return importBodyLimit + 1<<20, true // the file and its multipart envelope
	}
	return 0, false
}

// ---- plugins ----

func (s *Server) adminPlugins(c echo.Context, v *view) error {
	d := s.adminView(c, v, "plugins")
	v.Title = v.T("地区插件", "Plugins")
	list, err := opValue[tenantPluginList](s, c, v.principal(), opCall{method: http.MethodGet, path: "/api/v1/tenants/:code/plugins", params: tenantPath(d)})
	if err != nil {
		return err
	}
	d.Items = list.Items
	return s.render(c, v, http.StatusOK, "admin_plugins")
}

// settingField is one setting of a plugin's form, read from its JSON Schema: the subset the
// console renders (string, enum, number, integer, boolean, array of strings).
type settingField struct {
	Name, Type, Title, Description string
	Enum                           []string
	Required                       bool
	Min, Max                       *float64
	MinLength, MaxLength           *int
	Value                          string   // as typed, or the effective setting
	Values                         []string // array items
	Checked                        bool
	Unsupported                    bool // another type: kept as it is, shown read-only
}

// InputType is the HTML input type of a field.
func (f settingField) InputType() string {
	if f.Type == "number" || f.Type == "integer" {
		return "number"
	}
	return "text"
}

// Step of a number input.
func (f settingField) Step() string {
	if f.Type == "integer" {
		return "1"
	}
	return "any"
}

func num(f *float64) string {
	if f == nil {
		return ""
	}
	return strconv.FormatFloat(*f, 'f', -1, 64)
}

// MinText and MaxText are the bounds for the input's attributes.
func (f settingField) MinText() string { return num(f.Min) }
func (f settingField) MaxText() string { return num(f.Max) }

// settingFields reads the form of a settings schema, in the order of its properties, with the
// current settings as values.
func settingFields(schema, settings json.RawMessage) ([]settingField, error) {
	var top struct {
		Properties json.RawMessage `json:"properties"`
		Required   []string        `json:"required"`
	}
	if err := json.Unmarshal(schema, &top); err != nil {
		return nil, err
	}
	current := map[string]any{}
	_ = json.Unmarshal(settings, &current)
	if len(top.Properties) == 0 {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(top.Properties))
	if _, err := dec.Token(); err != nil { // {
		return nil, err
	}
	var out []settingField
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		name, _ := tok.(string)
		var p struct {
			Type        any      `json:"type"`
			Title       string   `json:"title"`
			Description string   `json:"description"`
			Enum        []any    `json:"enum"`
			Minimum     *float64 `json:"minimum"`
			Maximum     *float64 `json:"maximum"`
			MinLength   *int     `json:"minLength"`
			MaxLength   *int     `json:"maxLength"`
			Items       struct {
				Type any `json:"type"`
			} `json:"items"`
		}
		if err := dec.Decode(&p); err != nil {
			return nil, err
		}
		f := settingField{Name: name, Title: p.Title, Description: p.Description, Min: p.Minimum, Max: p.Maximum, MinLength: p.MinLength, MaxLength: p.MaxLength}
		f.Type, _ = p.Type.(string)
		for _, r := range top.Required {
			f.Required = f.Required || r == name
		}
		for _, e := range p.Enum {
			f.Enum = append(f.Enum, fmt.Sprint(e))
		}
		cur, has := current[name]
		switch f.Type {
		case "string", "number", "integer":
			if has && cur != nil {
				f.Value = fmt.Sprint(cur)
			}
		case "boolean":
			b, _ := cur.(bool)
			f.Checked = b
		case "array":
			if it, _ := p.Items.Type.(string); it != "string" {
				f.Unsupported = true
			}
			if xs, ok := cur.([]any); ok {
				for _, x := range xs {
					f.Values = append(f.Values, fmt.Sprint(x))
				}
			}
			f.Value = strings.Join(f.Values, "\n")
		default:
			f.Unsupported = true
		}
		if f.Unsupported && has {
			b, _ := json.Marshal(cur)
			f.Value = string(b)
		}
		out = append(out, f)
	}
	return out, nil
}

// settingsFromForm builds the settings JSON from the submitted form. A value that does not
// convert (a number typed wrong) is sent as typed: the API's schema validation then names the
// setting, and its message is shown beside it.
func settingsFromForm(fields []settingField, form url.Values) (json.RawMessage, []settingField) {
	out := map[string]any{}
	for i, f := range fields {
		raw, sent := form["s."+f.Name]
		val := ""
		if sent {
			val = raw[0]
		}
		switch {
		case f.Unsupported:
			var x any
			if f.Value != "" && json.Unmarshal([]byte(f.Value), &x) == nil {
				out[f.Name] = x
			}
		case f.Type == "boolean":
			fields[i].Checked = val == "true"
			out[f.Name] = val == "true"
		case f.Type == "array":
			fields[i].Value = val
			items := []string{}
			for _, line := range strings.Split(val, "\n") {
				if line = strings.TrimSpace(line); line != "" {
					items = append(items, line)
				}
			}
			out[f.Name] = items
		case f.Type == "number" || f.Type == "integer":
			fields[i].Value = val
			if strings.TrimSpace(val) == "" {
				continue
			}
			if n, err := strconv.ParseFloat(strings.TrimSpace(val), 64); err == nil {
				out[f.Name] = n
			} else {
				out[f.Name] = val
			}
		default: // strings and enums
			fields[i].Value = val
			if !sent || (val == "" && len(f.Enum) > 0) {
				continue
			}
			out[f.Name] = val
		}
	}
	b, _ := json.Marshal(out)
	return b, fields
}

func (s *Server) adminPlugin(c echo.Context, v *view) error {
	return s.adminPluginPage(c, v, s.adminView(c, v, "plugins"), http.StatusOK, nil)
}

func (s *Server) adminPluginPage(c echo.Context, v *view, d *adminData, status int, fields []settingField) error {
	res, err := v.op(opCall{method: http.MethodGet, path: "/api/v1/tenants/:code/plugins/:name", params: map[string]string{"code": d.Tenant, "name": c.Param("name")}})
	if err != nil {
		return err
	}
	p, _ := res.Value.(tenantPluginDTO)
	v.Title = v.T("地区插件", "Plugins") + " · " + p.Name
	if fields == nil {
		if fields, err = settingFields(p.Schema, p.Settings); err != nil {
			return fmt.Errorf("console: the settings schema of %s: %w", p.Name, err)
		}
	}
	d.Result = p
	d.Items = fields
	return s.render(c, v, status, "admin_plugin")
}

func (s *Server) adminPluginSave(c echo.Context, v *view) error {
	d := s.adminView(c, v, "plugins")
	params := map[string]string{"code": d.Tenant, "name": c.Param("name")}
	res, err := v.op(opCall{method: http.MethodGet, path: "/api/v1/tenants/:code/plugins/:name", params: params})
	if err != nil {
		return err
	}
	p, _ := res.Value.(tenantPluginDTO)
	fields, err := settingFields(p.Schema, p.Settings)
	if err != nil {
		return err
	}
	settings, fields := settingsFromForm(fields, d.Form)
	enabled := d.Form.Get("enabled") == "true"
	_, err = v.op(opCall{method: http.MethodPut, path: "/api/v1/tenants/:code/plugins/:name", params: params,
		body: enablePluginRequest{Enabled: &enabled, Subtree: d.Form.Get("subtree") == "true", Settings: settings}})
	if err == nil {
		return adminRedirect(c, d, "/admin/plugins/"+url.PathEscape(p.Name), "saved")
	}
	status, err := problemStatus(v, err)
	if err != nil {
		return err
	}
	return s.adminPluginPage(c, v, d, status, fields)
}

func (s *Server) adminPluginDisable(c echo.Context, v *view) error {
	d := s.adminView(c, v, "plugins")
	if _, err := v.op(opCall{method: http.MethodDelete, path: "/api/v1/tenants/:code/plugins/:name",
		params: map[string]string{"code": d.Tenant, "name": c.Param("name")}}); err != nil {
		return err
	}
	return adminRedirect(c, d, "/admin/plugins/"+url.PathEscape(c.Param("name")), "saved")
}

// ---- case import ----

// importTypes: the upload's content type by the file's extension.
var importTypes = map[string]string{".csv": "text/csv", ".ndjson": "application/x-ndjson", ".jsonl": "application/x-ndjson", ".xlsx": xlsxMediaType}

func (s *Server) adminImport(c echo.Context, v *view) error {
	s.adminView(c, v, "import")
	v.Title = v.T("案件导入", "Case import")
	return s.render(c, v, http.StatusOK, "admin_import")
}

// adminImportUpload reads the uploaded file and invokes the import operation with it as the
// body. The import is synchronous: the page shows a progress indicator while it runs, then
// the report, or the errors by line.
func (s *Server) adminImportUpload(c echo.Context, v *view) error {
	d := s.adminView(c, v, "import")
	d.Extra["ownProblem"] = true // the result shows the problem, by line
	v.Title = v.T("案件导入", "Case import")
	status, err := s.runImport(c, v, d)
	if err != nil {
		return err
	}
	if c.Request().Header.Get("HX-Request") == "true" {
		return s.renderBlock(c, v, status, "admin_import", "admin_import_result")
	}
	return s.render(c, v, status, "admin_import")
}

func (s *Server) runImport(c echo.Context, v *view, d *adminData) (int, error) {
	fh, err := c.FormFile("file")
	if err != nil {
		return problemStatus(v, invalid("file", "请选择要导入的文件（CSV、NDJSON 或 Excel） / choose the file to import: CSV, NDJSON or Excel"))
	}
	ctype, ok := importTypes[strings.ToLower(path.Ext(fh.Filename))]
	if !ok {
		return problemStatus(v, invalid("file", "文件须为 .csv、.ndjson 或 .xlsx / the file must be a .csv, .ndjson or .xlsx"))
	}
	f, err := fh.Open()
	if err != nil {
		return 0, err
	}
	defer f.Close()
	body, err := io.ReadAll(f)
	if err != nil {
		return 0, err
	}
	q := url.Values{"filename": {path.Base(fh.Filename)}}
	if c.FormValue("skip_invalid") == "true" {
		q.Set("skip_invalid", "true")
	}
	d.Form = url.Values{"skip_invalid": {c.FormValue("skip_invalid")}}
	res, err := v.op(opCall{method: http.MethodPost, path: "/api/v1/tenants/:code/cases/import", params: tenantPath(d), query: q, raw: body, contentType: ctype})
	if err != nil {
		status, err := problemStatus(v, err)
		if err == nil && v.Problem.Field != "" && len(v.Problem.Errors) == 0 && v.Problem.Field != "file" {
			v.Problem.Field = "file"
		}
		return status, err
	}
	d.Result = res.Value
	return http.StatusOK, nil
}

// ---- exports ----

func (s *Server) adminExport(c echo.Context, v *view) error {
	return s.adminExportPage(c, v, s.adminView(c, v, "export"), http.StatusOK)
}

func (s *Server) adminExportPage(c echo.Context, v *view, d *adminData, status int) error {
	v.Title = v.T("导出", "Exports")
	d.Extra["cases"] = v.canOwn(authz.ObjCases, authz.ActExport)
	d.Extra["report"] = v.Can(authz.ObjStats, authz.ActRead)
	if d.Form.Get("format") == "" {
		d.Form.Set("format", "xlsx")
	}
	for _, form := range []string{"cases", "report"} {
		errs := map[string]string{}
		if d.Extra["failed"] == form {
			for _, n := range []string{"format", "from", "to", "month", "status"} {
				errs[n] = v.FieldError(n)
			}
		}
		d.Extra["errs_"+form] = errs
	}
	d.Choices["format"] = codes.Set{{Code: "csv", ZH: "逗号分隔表格", EN: "CSV"}, {Code: "xlsx", ZH: "电子表格工作簿", EN: "Excel workbook"}}
	return s.render(c, v, status, "admin_export")
}

// adminDownload serves an export operation's file with its type and name.
func (s *Server) adminDownload(c echo.Context, v *view, call opCall, which string) error {
	d := s.adminView(c, v, "export")
	d.Form = c.QueryParams()
	d.Extra["failed"] = which
	res, err := v.op(call)
	if err != nil {
		status, err := problemStatus(v, err)
		if err != nil {
			return err
		}
		return s.adminExportPage(c, v, d, status)
	}
	if cd := res.Header.Get("Content-Disposition"); cd != "" {
		c.Response().Header().Set("Content-Disposition", cd)
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.Blob(http.StatusOK, res.ContentType, res.Blob)
}

func (s *Server) adminExportCases(c echo.Context, v *view) error {
	q := url.Values{}
	for _, n := range []string{"format", "status", "from", "to", "risk_level"} {
		if x := strings.TrimSpace(c.QueryParam(n)); x != "" {
			q.Set(n, x)
		}
	}
	if c.QueryParam("overdue") == "true" {
		q.Set("overdue", "true")
	}
	return s.adminDownload(c, v, opCall{method: http.MethodGet, path: "/api/v1/tenants/:code/cases/export", params: map[string]string{"code": v.User.TenantCode}, query: q}, "cases")
}

func (s *Server) adminExportMonthly(c echo.Context, v *view) error {
	q := url.Values{}
	for _, n := range []string{"format", "month"} {
		if x := strings.TrimSpace(c.QueryParam(n)); x != "" {
			q.Set(n, x)
		}
	}
	return s.adminDownload(c, v, opCall{method: http.MethodGet, path: "/api/v1/tenants/:code/reports/monthly", params: map[string]string{"code": v.User.TenantCode}, query: q}, "report")
}
