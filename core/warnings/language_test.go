package warnings

import (
	"strings"
	"testing"
	"time"

	"github.com/fengqiao/fengqiao/core/cases"
	"github.com/fengqiao/fengqiao/core/codes"
)

// TestMessagesSpeakChinese: the inbox messages of warnings name the level and the district in
// Chinese (槐荫区的橙色预警, not 租户 370104); the English half keeps the codes.
func TestMessagesSpeakChinese(t *testing.T) {
	w := Warning{TenantCode: "370104", CaseNumber: "(2026)鲁0104调字第00001号", Level: cases.RiskOrange, Score: 50,
		Signals: []cases.Signal{{Code: "self_harm", Label: "自伤自杀倾向 / self-harm", Weight: 50}}, DeadlineAt: time.Now()}
	for _, tc := range []struct {
		name string
		msg  func() (string, string)
	}{
		{"raised", func() (string, string) { return RaisedMessage(w) }},
		{"escalated", func() (string, string) { return EscalatedMessage(w) }},
		{"follow-up due", func() (string, string) { return FollowUpDueMessage(w.CaseNumber) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			title, body := tc.msg()
			for _, s := range []string{title, body} {
				if leaks := codes.Leaks(s, nil); len(leaks) > 0 {
					t.Errorf("%q leaks %q", s, leaks)
				}
			}
		})
	}
	if title, _ := EscalatedMessage(w); !strings.Contains(title, "山东省济南市槐荫区") {
		t.Errorf("escalation title %q does not name the district", title)
	}
}
