package cases

import (
	"strings"
	"testing"
)

func TestSummaryWithholdsIdentity(t *testing.T) {
	c := Case{Title: "张三丰与张三、李四漏水纠纷 13800138000 310107198001011238（李四回乡证 h12345678）", Description: "张三住长寿路100弄",
		Parties: []Party{
			{ID: "p1", Role: RoleApplicant, Kind: KindPerson, Name: "张三", IDNumber: "310107198001011238", Gender: "male", BirthYear: 1980, Phone: "13800138000", Address: "长寿路100弄", Occupation: "教师"},
			{ID: "p2", Role: RoleRespondent, Kind: KindPerson, Name: "李四", IDType: "hk_macao_permit", IDNumber: "H12345678"},
			{ID: "p3", Role: RoleThird, Kind: KindPerson, Name: "张三丰"},
		},
		Outcome:   map[string]any{"channel": "litigation", "reason": "李四拒绝", "result": "guided"},
		Agreement: &Agreement{Form: "written", Terms: []Term{{Text: "李四赔偿张三", Amount: 3000, DueDate: "2026-12-31", PayerName: "李四"}}},
		Sessions:  []Session{{ID: "s1", Mode: "in_person", Summary: "张三到场", Mediators: []string{"王调解员"}}},
		FollowUps: []FollowUp{{ID: "f1", Note: "张三已履行", Result: "performed"}},
	}
	s := c.Summary()
	if want := "第三人与申请人、被申请人漏水纠纷 *** ***（被申请人回乡证 ***）"; s.Title != want {
		t.Errorf("title %q, want %q", s.Title, want)
	}
	for i, p := range s.Parties {
		if p.ID != c.Parties[i].ID || p.Role != c.Parties[i].Role || p.Name != "" || p.IDNumber != "" || p.Gender != "" || p.BirthYear != 0 ||
			p.Phone != "" || p.Address != "" || p.Occupation != "" {
			t.Errorf("party %d: %+v", i, p)
		}
	}
	if s.Description != "" || s.Outcome["reason"] != nil || s.Outcome["channel"] != "litigation" || s.Outcome["result"] != "guided" {
		t.Errorf("description %q, outcome %v", s.Description, s.Outcome)
	}
	if tm := s.Agreement.Terms[0]; tm.Text != "" || tm.PayerName != "" || tm.Amount != 3000 || tm.DueDate != "2026-12-31" {
		t.Errorf("term %+v", tm)
	}
	if x := s.Sessions[0]; x.Summary != "" || x.Mediators != nil || x.Mode != "in_person" {
		t.Errorf("session %+v", x)
	}
	if f := s.FollowUps[0]; f.Note != "" || f.Result != "performed" {
		t.Errorf("follow-up %+v", f)
	}
	// The case itself is left alone.
	if c.Parties[0].Name != "张三" || !strings.Contains(c.Title, "张三") || c.Agreement.Terms[0].PayerName != "李四" || c.FollowUps[0].Note == "" {
		t.Error("Summary changed the case")
	}
}
