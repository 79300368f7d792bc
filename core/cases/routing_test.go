package cases

import "testing"

func TestRoute(t *testing.T) {
	committees := []Committee{
		{ID: "v", Name: "曹杨一村调委会", Kind: "village_committee", StreetCode: "310107005", VillageCode: "310107005001"},
		{ID: "s", Name: "曹杨新村街道调委会", Kind: "street_committee", StreetCode: "310107005"},
		{ID: "s2", Name: "长寿路街道调委会", Kind: "street_committee", StreetCode: "310107015"},
		{ID: "m", Name: "区医患纠纷调委会", Kind: "industry_committee", Industry: "medical"},
		{ID: "p", Name: "区物业纠纷调委会", Kind: "industry_committee", Industry: "property"},
		{ID: "d", Name: "区法院派驻调委会", Kind: "dispatched_committee", StationedAt: "court"},
		{ID: "b", Name: "老郭明理调解室", Kind: "brand_studio"},
	}
	types := BuiltInTypes()
	simple := func(c Case) Case { c.Risk = Assessment{Level: RiskNone}; return c }
	cases := []struct {
		name       string
		c          Case
		complexity string
		first      string
		absent     []string
	}{
		{"village matter stays in the village", simple(Case{PlaceCode: "310107005001", DisputeType: "neighbour", Source: SourceWalkIn}), "simple", "v", []string{"s2", "b"}},
		{"street matter stays in the street", simple(Case{PlaceCode: "310107005", DisputeType: "neighbour", Source: SourceWalkIn}), "simple", "s", []string{"v", "b"}},
		{"industry dispute to the industry committee", simple(Case{PlaceCode: "310107015", DisputeType: "medical", Source: SourceWalkIn}), "simple", "m", []string{"p"}},
		{"court referral to the dispatched committee", simple(Case{DisputeType: "contract", Source: SourceCourt}), "simple", "d", []string{"v", "s", "s2"}},
		{"complex case to the brand studio, not the village", Case{PlaceCode: "310107005001", DisputeType: "neighbour", Source: SourceWalkIn, Risk: Assessment{Level: RiskRed}}, "complex", "b", []string{"v"}},
		{"nothing matches", simple(Case{DisputeType: "other", Source: SourceHotline}), "simple", "", []string{"v", "s", "b"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := Route(tc.c, committees, types, RoutingRules{})
			if r.Complexity != tc.complexity {
				t.Errorf("complexity %s, want %s (%v)", r.Complexity, tc.complexity, r.Why)
			}
			if tc.first == "" {
				if len(r.Proposals) != 0 {
					t.Errorf("proposals %v, want none", r.Proposals)
				}
				return
			}
			if len(r.Proposals) == 0 || r.Proposals[0].Committee.ID != tc.first {
				t.Fatalf("first proposal %v, want %s", r.Proposals, tc.first)
			}
			if len(r.Proposals[0].Reasons) == 0 {
				t.Error("a proposal without reasons")
			}
			for _, p := range r.Proposals {
				for _, a := range tc.absent {
					if p.Committee.ID == a {
						t.Errorf("%s proposed: %v", a, p.Reasons)
					}
				}
			}
		})
	}
}
