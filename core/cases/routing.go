package cases

import (
	"fmt"
	"sort"
	"strings"
)

// Committee is what routing needs to know of a mediation committee (or brand studio).
type Committee struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Kind        string `json:"kind"`
	StreetCode  string `json:"street_code,omitempty"`
	VillageCode string `json:"village_code,omitempty"`
	Industry    string `json:"industry,omitempty"`
	StationedAt string `json:"stationed_at,omitempty"`
}

// Proposal is a committee the platform proposes for a case, with its reasons.
type Proposal struct {
	Committee Committee `json:"committee"`
	Score     int       `json:"score"`
	Reasons   []string  `json:"reasons"`
}

// Routing is the platform's proposal for where a case goes, and why.
type Routing struct {
	Complexity string     `json:"complexity"` // "simple" or "complex" (繁简分流)
	Why        []string   `json:"why"`        // why the case counts as complex
	Proposals  []Proposal `json:"proposals"`  // best first
}

// Complex reports whether a case is complex (繁) — a major, difficult case stays at district
// level (重大疑难复杂矛盾纠纷不出区) — and why.
func Complex(c Case, rules RoutingRules) (bool, []string) {
	rules = rules.merged()
	var why []string
	if c.Risk.Level.Rank() >= rules.ComplexRiskLevel.Rank() {
		why = append(why, "预警等级为"+RiskLevelNames().ZH(string(c.Risk.Level))+" / warning level "+string(c.Risk.Level))
	}
	if float64(c.AmountFen)/100 >= rules.ComplexAmount {
		why = append(why, fmt.Sprintf("标的额 %.0f 元以上 / amount of %.0f yuan or more", rules.ComplexAmount, rules.ComplexAmount))
	}
	if len(c.Parties) >= rules.ComplexParties {
		why = append(why, fmt.Sprintf("当事人 %d 方以上 / %d parties or more", rules.ComplexParties, rules.ComplexParties))
	}
	return len(why) > 0, why
}

// RoutingRules are a tenant's thresholds of 繁简分流: a case meeting any is complex.
type RoutingRules struct {
	ComplexRiskLevel RiskLevel `json:"complex_risk_level,omitempty"` // default orange
	ComplexAmount    float64   `json:"complex_amount,omitempty"`     // yuan; default 1,000,000
	ComplexParties   int       `json:"complex_parties,omitempty"`    // default 10
}

// DefaultRoutingRules are the platform's thresholds.
func DefaultRoutingRules() RoutingRules {
	return RoutingRules{ComplexRiskLevel: RiskOrange, ComplexAmount: 1_000_000, ComplexParties: 10}
}

func (r RoutingRules) merged() RoutingRules {
	d := DefaultRoutingRules()
	if r.ComplexRiskLevel != "" {
		d.ComplexRiskLevel = r.ComplexRiskLevel
	}
	if r.ComplexAmount > 0 {
		d.ComplexAmount = r.ComplexAmount
	}
	if r.ComplexParties > 0 {
		d.ComplexParties = r.ComplexParties
	}
	return d
}

func (r RoutingRules) validate(v *errs) {
	if r.ComplexRiskLevel != "" && r.ComplexRiskLevel.Rank() < RiskBlue.Rank() {
		v.Add("routing.complex_risk_level", "须为 \"blue\"（蓝色）、\"yellow\"（黄色）、\"orange\"（橙色）或 \"red\"（红色） / must be blue, yellow, orange or red")
	}
	if r.ComplexAmount < 0 || r.ComplexAmount > 1e12 {
		v.Add("routing.complex_amount", "须为 0 至 1 万亿元 / must be between 0 and 1,000,000,000,000 yuan")
	}
	if r.ComplexParties < 0 || r.ComplexParties == 1 || r.ComplexParties > MaxParties {
		v.Add("routing.complex_parties", "须为 2–%d / must be 2–%d", MaxParties, MaxParties)
	}
}

// stationFor maps referral sources to where dispatched committees are stationed (派驻).
var stationFor = map[Source]string{SourceCourt: "court", SourcePolice: "police", SourcePetition: "petition"}

// Route proposes committees for a case: by place (小事不出村居, 大事不出街镇), by dispute type
// (industry committees), by complexity (繁简分流: complex cases to district-wide committees and
// brand studios), and by the referring agency (dispatched committees). Every proposal lists
// the rules it met.
func Route(c Case, committees []Committee, types []DisputeType, rules RoutingRules) Routing {
	complex, why := Complex(c, rules)
	r := Routing{Complexity: "simple", Why: why, Proposals: []Proposal{}}
	if complex {
		r.Complexity = "complex"
	}
	industry := ""
	for _, t := range types {
		if t.Code == c.DisputeType {
			industry = t.Industry
		}
	}
	street, village := "", ""
	if len(c.PlaceCode) >= 9 {
		street = c.PlaceCode[:9]
	}
	if len(c.PlaceCode) == 12 {
		village = c.PlaceCode
	}
	for _, m := range committees {
		p := Proposal{Committee: m}
		add := func(score int, reason string) { p.Score += score; p.Reasons = append(p.Reasons, reason) }
		switch m.Kind {
		case "village_committee":
			if !complex && village != "" && m.VillageCode == village {
				add(50, "纠纷发生在本村居，小事不出村居 / in this village: small matters stay in the village")
			}
		case "street_committee":
			if street != "" && m.StreetCode == street {
				if complex {
					add(10, "纠纷发生在本街镇 / in this street")
				} else {
					add(40, "纠纷发生在本街镇，大事不出街镇 / in this street: big matters stay in the street")
				}
			}
		case "industry_committee":
			if industry != "" && m.Industry == industry {
				add(60, "行业性专业性调委会对口此类纠纷 / industry committee for "+industry+" disputes")
			}
		case "dispatched_committee":
			if st, ok := stationFor[c.Source]; ok && m.StationedAt == st {
				add(45, "派驻移交单位的调委会承接其移交的案件 / dispatched committee stationed at the referring "+st)
			}
		case "brand_studio":
			if complex {
				add(35, "重大疑难复杂纠纷由品牌调解室办理，不出区 / complex case: a brand studio in the district")
			}
		}
		if complex && m.Kind != "village_committee" && m.StreetCode == "" && m.Kind != "brand_studio" && p.Score > 0 {
			add(10, "区级调解组织，重大疑难复杂不出区 / district-wide committee for a complex case")
		}
		if p.Score > 0 {
			r.Proposals = append(r.Proposals, p)
		}
	}
	sort.SliceStable(r.Proposals, func(i, j int) bool {
		if r.Proposals[i].Score != r.Proposals[j].Score {
			return r.Proposals[i].Score > r.Proposals[j].Score
		}
		return strings.Compare(r.Proposals[i].Committee.Name, r.Proposals[j].Committee.Name) < 0
	})
	return r
}
