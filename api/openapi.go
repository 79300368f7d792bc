package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"sync"

	"github.com/fengqiao/fengqiao/core/plugins"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3gen"
	"github.com/labstack/echo/v4"
)

var pathParam = regexp.MustCompile(`:([a-z_]+)`)

// openAPIPath turns an Echo path (/tenants/:code) into an OpenAPI one (/tenants/{code}).
func openAPIPath(p string) string { return pathParam.ReplaceAllString(p, "{$1}") }

// Document builds the OpenAPI 3 document of the route table.
func (s *Server) Document() (*openapi3.T, error) { return s.document(&codeCheck{}) }

func (s *Server) document(cc *codeCheck) (*openapi3.T, error) {
	doc := &openapi3.T{
		OpenAPI: "3.0.3",
		Info: &openapi3.Info{
			Title:       "Fengqiao 枫桥 API",
			Version:     "v1",
			Description: "人民调解平台 / People's mediation platform. Errors are RFC 9457 application/problem+json.",
		},
		Paths:      openapi3.NewPaths(),
		Components: &openapi3.Components{Schemas: openapi3.Schemas{}, SecuritySchemes: openapi3.SecuritySchemes{}},
	}
	doc.Components.SecuritySchemes["bearer"] = &openapi3.SecuritySchemeRef{Value: openapi3.NewJWTSecurityScheme().
		WithDescription("登录令牌（POST /api/v1/auth/login）或 API 令牌 fq_… / a login token or an API token fq_…")}
	gen := openapi3gen.NewGenerator(openapi3gen.UseAllExportedFields(), openapi3gen.SchemaCustomizer(cc.customize))
	schemaOf := func(v any) (*openapi3.SchemaRef, error) {
		ref, err := gen.NewSchemaRefForValue(v, doc.Components.Schemas)
		if err != nil {
			return nil, err
		}
		name := schemaName(reflect.TypeOf(v).Name())
		doc.Components.Schemas[name] = ref
		return openapi3.NewSchemaRef("#/components/schemas/"+name, ref.Value), nil
	}
	problemRef, err := schemaOf(Problem{})
	if err != nil {
		return nil, err
	}
	problemContent := openapi3.Content{"application/problem+json": &openapi3.MediaType{Schema: problemRef}}
	for _, r := range s.routes {
		op := openapi3.NewOperation()
		op.OperationID, op.Summary, op.Tags = r.operationID, r.summary, []string{r.tag}
		op.Responses = openapi3.NewResponses()
		var params []*openapi3.Parameter
		for _, m := range pathParam.FindAllStringSubmatch(r.path, -1) {
			params = append(params, openapi3.NewPathParameter(m[1]).WithSchema(openapi3.NewStringSchema()).
				WithDescription(pathParamDoc(m[1])))
		}
		for _, q := range r.query {
			sch := openapi3.NewStringSchema()
			switch q.typ {
			case "integer":
				sch = openapi3.NewIntegerSchema()
			case "boolean":
				sch = openapi3.NewBoolSchema()
			}
			params = append(params, openapi3.NewQueryParameter(q.name).WithSchema(sch).WithDescription(q.description))
		}
		for _, p := range params {
			if err := cc.paramCodes(r.operationID, p); err != nil {
				return nil, err
			}
			op.AddParameter(p)
		}
		if len(r.rawBody) > 0 {
			content := openapi3.Content{}
			for _, mt := range r.rawBody {
				content[mt] = &openapi3.MediaType{Schema: openapi3.NewStringSchema().NewRef()}
			}
			op.RequestBody = &openapi3.RequestBodyRef{Value: openapi3.NewRequestBody().WithRequired(true).WithContent(content)}
		}
		if r.request != nil {
			ref, err := schemaOf(r.request)
			if err != nil {
				return nil, fmt.Errorf("%s request: %w", r.operationID, err)
			}
			op.RequestBody = &openapi3.RequestBodyRef{Value: openapi3.NewRequestBody().WithRequired(!r.optionalBody).
				WithContent(openapi3.NewContentWithJSONSchemaRef(ref))}
		}
		desc := http.StatusText(r.status)
		resp := openapi3.NewResponse().WithDescription(desc)
		if r.response != nil {
			ref, err := schemaOf(r.response)
			if err != nil {
				return nil, fmt.Errorf("%s response: %w", r.operationID, err)
			}
			resp.WithContent(openapi3.NewContentWithJSONSchemaRef(ref))
		} else if r.contentType != "" {
			resp.WithContent(openapi3.Content{r.contentType: &openapi3.MediaType{Schema: openapi3.NewStringSchema().NewRef()}})
		} else if r.status != http.StatusNoContent {
			resp.WithContent(openapi3.NewContentWithJSONSchema(openapi3.NewObjectSchema()))
		}
		op.Responses.Set(fmt.Sprint(r.status), &openapi3.ResponseRef{Value: resp})
		if r.operationID == "onboardTenant" {
			op.Responses.Set("200", &openapi3.ResponseRef{Value: openapi3.NewResponse().WithDescription("已开通（未改变） / already onboarded, unchanged").
				WithContent(resp.Content)})
		}
		op.Responses.Set("default", &openapi3.ResponseRef{Value: openapi3.NewResponse().
			WithDescription("问题详情（RFC 9457） / Problem details").WithContent(problemContent)})
		if !r.public {
			op.Security = &openapi3.SecurityRequirements{{"bearer": []string{}}}
		}
		doc.AddOperation(openAPIPath(r.path), r.method, op)
	}
	doc.AddOperation("/metrics", http.MethodGet, &openapi3.Operation{
		OperationID: "metrics", Summary: "Prometheus 指标 / Prometheus metrics", Tags: []string{"ops"},
		Description: "需以 Bearer 携带指标令牌（http.metrics_token）；配置了 http.metrics_addr 时只在该地址提供，本地址不提供。标签为路由模板、方法和状态码 / needs the metrics token (http.metrics_token) as Bearer; when http.metrics_addr is set, served only there. Labelled by route template, method and status",
		Responses:   openapi3.NewResponses(openapi3.WithStatus(200, &openapi3.ResponseRef{Value: openapi3.NewResponse().WithDescription("text/plain; version=0.0.4")})),
	})
	return doc, nil
}

// schemaName turns a Go type name into a schema name: tenantDTO → Tenant, loginRequest → LoginRequest.
func schemaName(goName string) string {
	n := strings.TrimSuffix(goName, "DTO")
	return strings.ToUpper(n[:1]) + n[1:]
}

func pathParamDoc(name string) string {
	switch name {
	case "code":
		return "租户的 6 位行政区划代码，如 310107 / the tenant's 6-digit division code, e.g. 310107"
	case "id":
		return "标识 / identifier (UUID)"
	case "name":
		return "插件名，如 \"example\" / a plugin's name, e.g. example"
	}
	return name
}

var (
	docOnce  sync.Once
	docBytes []byte
	docErr   error
)

func (s *Server) openapi(c echo.Context) error {
	docOnce.Do(func() {
		var doc *openapi3.T
		if doc, docErr = s.Document(); docErr == nil {
			docBytes, docErr = doc.MarshalJSON()
		}
	})
	if docErr != nil {
		return docErr
	}
	if s.deps.Plugins == nil || len(s.deps.Plugins.Records()) == 0 {
		return c.JSONBlob(http.StatusOK, docBytes)
	}
	merged, err := mergePluginDocs(docBytes, s.deps.Plugins.Records())
	if err != nil {
		return err
	}
	return c.JSONBlob(http.StatusOK, merged)
}

// mergePluginDocs adds each installed plugin's OpenAPI fragment ("paths" and "components"
// schemas) to the document: its paths below /api/v1/tenants/{code}/plugins/<name>, tagged
// plugin:<name>; its schemas prefixed with its name so plugins cannot clash.
func mergePluginDocs(base []byte, recs []plugins.Record) ([]byte, error) {
	var doc map[string]any
	if err := json.Unmarshal(base, &doc); err != nil {
		return nil, err
	}
	paths, _ := doc["paths"].(map[string]any)
	comps, _ := doc["components"].(map[string]any)
	if comps == nil {
		comps = map[string]any{}
		doc["components"] = comps
	}
	schemas, _ := comps["schemas"].(map[string]any)
	if schemas == nil {
		schemas = map[string]any{}
		comps["schemas"] = schemas
	}
	for _, r := range recs {
		var frag struct {
			Paths      map[string]map[string]any `json:"paths"`
			Components struct {
				Schemas map[string]any `json:"schemas"`
			} `json:"components"`
		}
		if raw := r.Manifest.OpenAPI; len(raw) == 0 || json.Unmarshal(raw, &frag) != nil {
			continue
		}
		prefix := "/api/v1/tenants/{code}/plugins/" + r.Name
		ref := "#/components/schemas/"
		for p, item := range frag.Paths {
			for method, op := range item {
				if o, ok := op.(map[string]any); ok {
					o["tags"] = []string{"plugin:" + r.Name}
					if id, ok := o["operationId"].(string); ok {
						o["operationId"] = r.Name + "." + id
					}
					params, _ := o["parameters"].([]any)
					o["parameters"] = append(params, map[string]any{"name": "code", "in": "path", "required": true,
						"schema": map[string]any{"type": "string"}, "description": pathParamDoc("code")})
				}
				item[method] = op
			}
			b, _ := json.Marshal(item)
			b = []byte(strings.ReplaceAll(string(b), `"`+ref, `"`+ref+r.Name+"."))
			var fixed any
			_ = json.Unmarshal(b, &fixed)
			paths[prefix+p] = fixed
		}
		for name, sch := range frag.Components.Schemas {
			b, _ := json.Marshal(sch)
			b = []byte(strings.ReplaceAll(string(b), `"`+ref, `"`+ref+r.Name+"."))
			var fixed any
			_ = json.Unmarshal(b, &fixed)
			schemas[r.Name+"."+name] = fixed
		}
	}
	return json.Marshal(doc)
}
