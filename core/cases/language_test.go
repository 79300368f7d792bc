package cases

import (
	"testing"

	"github.com/fengqiao/fengqiao/core/codes"
)

// TestRoutingSpeaksChinese: the reasons of a routing proposal name levels, industries and
// stations in Chinese (预警等级为红色, not 预警等级为red; 派驻移交单位, not 派驻court).
func TestRoutingSpeaksChinese(t *testing.T) {
	committees := []Committee{
		{ID: "m", Name: "区医患纠纷调委会", Kind: "industry_committee", Industry: "medical"},
		{ID: "d", Name: "区法院派驻调委会", Kind: "dispatched_committee", StationedAt: "court"},
		{ID: "b", Name: "老郭明理调解室", Kind: "brand_studio"},
	}
	for _, tc := range []struct {
		name string
		c    Case
	}{
		{"a red warning", Case{DisputeType: "neighbour", Source: SourceWalkIn, Risk: Assessment{Level: RiskRed}}},
		{"an industry", Case{DisputeType: "medical", Source: SourceWalkIn, Risk: Assessment{Level: RiskNone}}},
		{"a court referral", Case{DisputeType: "contract", Source: SourceCourt, Risk: Assessment{Level: RiskNone}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := Route(tc.c, committees, BuiltInTypes(), RoutingRules{})
			texts := append([]string(nil), r.Why...)
			for _, p := range r.Proposals {
				texts = append(texts, p.Reasons...)
			}
			if len(texts) == 0 {
				t.Fatal("no reasons")
			}
			for _, s := range texts {
				if leaks := codes.Leaks(s, nil); len(leaks) > 0 {
					t.Errorf("%q leaks %q", s, leaks)
				}
			}
		})
	}
}
