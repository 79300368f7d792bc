package api

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"strconv"

	"github.com/fengqiao/fengqiao/core/cases"
	"github.com/fengqiao/fengqiao/core/pii"
	"github.com/labstack/echo/v4"
)

//go:embed templates/agreement.html
var templates embed.FS

var agreementTemplate = template.Must(template.ParseFS(templates, "templates/agreement.html"))

type agreementParty struct {
	RoleZH, Name, Gender, IDLabel, IDNumber, Address, Phone string
	BirthYear                                               int
}

type agreementView struct {
	Number, Title, Description, Committee, Date string
	Parties                                     []agreementParty
	Terms                                       []cases.Term
	Copies                                      int
	Confirmation                                *cases.Confirmation
}

var roleZH = map[cases.PartyRole]string{cases.RoleApplicant: "申请人", cases.RoleRespondent: "被申请人", cases.RoleThird: "第三人"}
var genderZH = map[string]string{"male": "男", "female": "女"}

// getAgreement renders the printable mediation agreement (人民调解协议书) of a case with a
// written agreement. It holds the parties' personal data in full, so it has its own permission
// (cases.agreement: those who read the parties' data, the referring agency and the confirming
// court), and every rendering is audited like any full read.
func (s *Server) getAgreement(c echo.Context) error {
	cs, err := s.deps.Cases.Get(c.Request().Context(), c.Param("code"), c.Param("id"), true)
	if err != nil {
		return err
	}
	// The agreement is the case's outcome unless a later failure or guidance replaced it.
	if cs.Agreement == nil || cs.Agreement.Form != "written" || cs.Outcome != nil {
		return problem(http.StatusConflict, "no-written-agreement", "没有书面调解协议 / No written agreement",
			"只有调解成功并达成书面协议的案件才能出具调解协议书（口头协议只作记录） / only a case that succeeded with a written agreement has an agreement document (oral agreements are recorded only)")
	}
	v := agreementView{Number: cs.Number, Title: cs.Title, Description: cs.Description, Terms: cs.Agreement.Terms,
		Copies: len(cs.Parties) + 1, Confirmation: cs.Confirmation, Committee: "人民调解委员会",
		Date: fmt.Sprintf("%d年%d月%d日", cs.Agreement.Signed.Year(), cs.Agreement.Signed.Month(), cs.Agreement.Signed.Day())}
	if name, err := s.deps.Cases.CommitteeName(c.Request().Context(), cs.TenantCode, cs.CommitteeID); err == nil && name != "" {
		v.Committee = name
	}
	for _, p := range cs.Parties {
		label := "身份证号"
		if p.Kind == cases.KindOrganisation {
			label = "统一社会信用代码"
		} else if d, ok := pii.LookupDocType(p.IDType); ok && p.IDType != pii.DocResidentID {
			label = d.NameZH + "号码"
		}
		v.Parties = append(v.Parties, agreementParty{RoleZH: roleZH[p.Role], Name: p.Name, Gender: genderZH[p.Gender],
			IDLabel: label, IDNumber: p.IDNumber, Address: p.Address, Phone: p.Phone, BirthYear: p.BirthYear})
	}
	var buf bytes.Buffer
	if err := agreementTemplate.Execute(&buf, v); err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Disposition", "inline; filename=\"agreement-"+strconv.Itoa(cs.Year)+"-"+strconv.Itoa(cs.Seq)+".html\"")
	return c.HTMLBlob(http.StatusOK, buf.Bytes())
}
