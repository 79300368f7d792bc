// Package demo owns the synthetic but faithful datasets of the demos and benchmarks: a year of a
// region's mediation work whose published totals (cases received, mediated successfully) are
// met exactly, spread over districts, sources, dispute types, streets and days in plausible
// proportions. Generation is deterministic for a seed.
package demo

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"time"

	"github.com/fengqiao/fengqiao/core/cases"
	"github.com/fengqiao/fengqiao/core/division"
	"github.com/google/uuid"
)

// Pin fixes the figures of one district and source inside a profile.
type Pin struct {
	District  string
	Source    cases.Source
	Cases     int
	Succeeded int
}

// Profile is the published figures a generated year must meet.
type Profile struct {
	Name      string
	Region    string // the city or province whose districts take the cases
	Year      int
	Cases     int
	Succeeded int
	// Weights of the districts (by population); every district of Region must have one.
	Weights map[string]float64
	Pins    []Pin
}

// Profiles lists the profiles by name.
func Profiles() map[string]Profile {
	return map[string]Profile{"shanghai-2020": Shanghai2020()}
}

// Shanghai2020 is Shanghai in 2020 (seeds: 1,943,000 disputes accepted, 1,335,000 mediated
// successfully, 68.7%), with Putuo's court-referred cases (7,513, of which 7,149 succeeded).
// District weights are the 2020 census populations in ten thousands.
func Shanghai2020() Profile {
	return Profile{Name: "shanghai-2020", Region: "310000", Year: 2020, Cases: 1943000, Succeeded: 1335000,
		Weights: map[string]float64{
			"310101": 66, "310104": 111, "310105": 69, "310106": 98, "310107": 124, "310109": 76, "310110": 124, "310112": 265,
			"310113": 223, "310114": 183, "310115": 568, "310116": 82, "310117": 191, "310118": 127, "310120": 114, "310151": 64,
		},
		Pins: []Pin{{District: "310107", Source: cases.SourceCourt, Cases: 7513, Succeeded: 7149}},
	}
}

// Scale returns the profile with every count multiplied by f (0 < f ≤ 1), for quick demos and
// tests: a tenth of Shanghai is 194,300 cases.
func (p Profile) Scale(f float64) Profile {
	if f <= 0 || f >= 1 {
		return p
	}
	round := func(n int) int { return int(float64(n)*f + 0.5) }
	p.Cases, p.Succeeded = round(p.Cases), round(p.Succeeded)
	pins := make([]Pin, len(p.Pins))
	for i, pin := range p.Pins {
		pin.Cases, pin.Succeeded = round(pin.Cases), round(pin.Succeeded)
		pins[i] = pin
	}
	p.Pins = pins
	return p
}

// Districts returns the profile's districts in code order.
func (p Profile) Districts() []string {
	out := make([]string, 0, len(p.Weights))
	for d := range p.Weights {
		out = append(out, d)
	}
	slices.Sort(out)
	return out
}

// Cell is how many cases of one district and source a plan generates, and how they end.
type Cell struct {
	District  string
	Source    cases.Source
	Cases     int
	Succeeded int
	Failed    int
	Guided    int
}

// sourceShare is the share of each source in a district's intake and how well it succeeds
// relative to the others (referred cases come pre-screened and succeed more often).
var sourceShare = []struct {
	source  cases.Source
	share   float64
	success float64
}{
	{cases.SourceScreening, 0.30, 1.0}, {cases.SourceWalkIn, 0.27, 0.95}, {cases.SourceHotline, 0.10, 0.85},
	{cases.SourceOnline, 0.08, 0.9}, {cases.SourceCourt, 0.09, 1.2}, {cases.SourcePolice, 0.10, 1.05},
	{cases.SourceProcuratorate, 0.01, 1.0}, {cases.SourcePetition, 0.03, 0.7}, {cases.SourceDepartment, 0.02, 0.9},
}

// Plan splits the profile into cells whose sums meet its figures exactly: cases by district
// weight, then by source share (pinned cells as given); successes by cell size and source
// success weight; the rest failed (four in five) or guided.
func (p Profile) Plan() ([]Cell, error) {
	districts := p.Districts()
	var weights []float64
	for _, d := range districts {
		if _, err := division.Lookup(d); err != nil {
			return nil, err
		}
		weights = append(weights, p.Weights[d])
	}
	perDistrict := apportion(p.Cases, weights)
	pinned := map[string]Pin{}
	pinnedSucc := 0
	for _, pin := range p.Pins {
		pinned[pin.District+"/"+string(pin.Source)] = pin
		pinnedSucc += pin.Succeeded
	}
	var out []Cell
	for i, d := range districts {
		n := perDistrict[i]
		var shares []float64
		for _, s := range sourceShare {
			if pin, ok := pinned[d+"/"+string(s.source)]; ok {
				n -= pin.Cases
				shares = append(shares, 0)
			} else {
				shares = append(shares, s.share)
			}
		}
		if n < 0 {
			return nil, fmt.Errorf("demo: pinned cases exceed district %s", d)
		}
		split := apportion(n, shares)
		for j, s := range sourceShare {
			c := Cell{District: d, Source: s.source, Cases: split[j]}
			if pin, ok := pinned[d+"/"+string(s.source)]; ok {
				c.Cases, c.Succeeded = pin.Cases, pin.Succeeded
			}
			out = append(out, c)
		}
	}
	// Successes of the cells not pinned, by size × success weight.
	var free []int
	var w []float64
	for i, c := range out {
		if _, ok := pinned[c.District+"/"+string(c.Source)]; !ok {
			free = append(free, i)
			for _, s := range sourceShare {
				if s.source == c.Source {
					w = append(w, float64(c.Cases)*s.success)
				}
			}
		}
	}
	succ := apportion(p.Succeeded-pinnedSucc, w)
	for k, i := range free {
		out[i].Succeeded = min(succ[k], out[i].Cases)
	}
	// Apportioning by weight can ask a small cell for more than it holds; move the excess to
	// the largest free cells.
	total := 0
	for _, c := range out {
		total += c.Succeeded
	}
	for excess := p.Succeeded - total; excess > 0; {
		moved := false
		for _, i := range free {
			if room := out[i].Cases - out[i].Succeeded; room > 0 {
				m := min(room, excess)
				out[i].Succeeded += m
				excess -= m
				moved = true
				if excess == 0 {
					break
				}
			}
		}
		if !moved {
			return nil, fmt.Errorf("demo: more successes than cases")
		}
	}
	for i := range out {
		rest := out[i].Cases - out[i].Succeeded
		out[i].Guided = rest / 5
		out[i].Failed = rest - out[i].Guided
	}
	return out, nil
}

// apportion splits n by weights with the largest-remainder method: the parts sum to n.
func apportion(n int, weights []float64) []int {
	var sum float64
	for _, w := range weights {
		sum += w
	}
	out := make([]int, len(weights))
	if sum == 0 || n == 0 {
		return out
	}
	type rem struct {
		i int
		r float64
	}
	var rems []rem
	given := 0
	for i, w := range weights {
		exact := float64(n) * w / sum
		out[i] = int(exact)
		given += out[i]
		rems = append(rems, rem{i, exact - float64(out[i])})
	}
	sort.SliceStable(rems, func(a, b int) bool { return rems[a].r > rems[b].r })
	for k := 0; given < n; k++ {
		out[rems[k%len(rems)].i]++
		given++
	}
	return out
}

// Committees of a district the generated cases are mediated by: one street committee per
// street (the local level) and two district-level committees.
type Committees struct {
	ByStreet   map[string]string // street code → committee id
	Industry   string            // 区医患、劳动等行业性专业性调委会
	Dispatched string            // 派驻法院、公安的调委会
}

// Generator makes the cases of a plan.
type Generator struct {
	Profile Profile
	rng     *rand.Rand
}

// NewGenerator returns a generator of the profile with a seed.
func NewGenerator(p Profile, seed uint64) *Generator {
	return &Generator{Profile: p, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

var (
	surnames    = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
	givenChars  = []rune("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彬鹏辉宇浩凯健俊帆帅旭宁婷雪琳晨阳佳欣怡嘉文斌")
	occupations = []string{"企业职工", "务工人员", "个体工商户", "退休人员", "农民", "无业", "教师", "公务员", "学生", "医务人员", "自由职业", "其他"}
	typeWeights = []struct {
		code   string
		weight float64
		titles []string
	}{
		{"neighbour", 0.22, []string{"邻里之间因楼上噪音扰民引发纠纷", "邻居装修漏水导致楼下墙面受损", "邻里因公共通道堆放杂物发生争执", "相邻房屋采光受阻引发邻里矛盾"}},
		{"marriage_family", 0.14, []string{"夫妻离婚财产分割产生争议", "子女赡养老人费用分担纠纷", "兄弟姐妹之间遗产继承纠纷", "婚后彩礼返还纠纷"}},
		{"property_management", 0.10, []string{"业主拒交物业费与物业公司纠纷", "小区停车位收费引发业主与物业矛盾", "电梯维修费用分摊引发纠纷"}},
		{"contract", 0.09, []string{"房屋租赁合同押金退还纠纷", "装修合同工程质量纠纷", "买卖合同货款拖欠纠纷"}},
		{"labour", 0.09, []string{"农民工工资拖欠纠纷", "劳动者工伤赔偿争议", "解除劳动合同经济补偿争议"}},
		{"damages", 0.08, []string{"宠物狗咬伤路人赔偿纠纷", "高空坠物致车辆损坏赔偿纠纷", "打架斗殴致人受伤赔偿纠纷"}},
		{"traffic_accident", 0.08, []string{"电动自行车与行人碰撞赔偿纠纷", "机动车追尾事故损害赔偿纠纷"}},
		{"consumer", 0.06, []string{"预付卡消费退款纠纷", "网购商品质量问题退货纠纷", "美容服务效果不符消费纠纷"}},
		{"housing_homestead", 0.05, []string{"老公房产权份额纠纷", "宅基地边界争议"}},
		{"medical", 0.03, []string{"手术后并发症医疗损害纠纷", "门诊误诊引发医患纠纷"}},
		{"land_demolition", 0.02, []string{"旧区改造征收补偿纠纷"}},
		{"other", 0.04, []string{"广场舞噪音扰民引发纠纷", "小区养犬管理纠纷"}},
	}
)

func (g *Generator) name() string {
	n := 1 + g.rng.IntN(2)
	out := []rune{surnames[g.rng.IntN(len(surnames))]}
	for range n {
		out = append(out, givenChars[g.rng.IntN(len(givenChars))])
	}
	return string(out)
}

func (g *Generator) pickType() (string, string) {
	x := g.rng.Float64()
	for _, t := range typeWeights {
		if x < t.weight {
			return t.code, t.titles[g.rng.IntN(len(t.titles))]
		}
		x -= t.weight
	}
	t := typeWeights[len(typeWeights)-1]
	return t.code, t.titles[0]
}

var china = time.FixedZone("CST", 8*3600)

// Cases generates the cases of one cell, in batches passed to emit (which may keep them).
// Every case is received and concluded within the profile's year.
func (g *Generator) Cases(c Cell, com Committees, streets []division.Division, batch int, emit func([]cases.Case) error) error {
	outcomes := make([]cases.Status, 0, c.Cases)
	for range c.Succeeded {
		outcomes = append(outcomes, cases.StatusSucceeded)
	}
	for range c.Failed {
		outcomes = append(outcomes, cases.StatusFailed)
	}
	for range c.Guided {
		outcomes = append(outcomes, cases.StatusGuided)
	}
	g.rng.Shuffle(len(outcomes), func(i, j int) { outcomes[i], outcomes[j] = outcomes[j], outcomes[i] })
	src, _ := cases.LookupSource(string(c.Source))
	limitDays := int(src.TimeLimit.Hours() / 24)
	year := g.Profile.Year
	days := 365
	if time.Date(year, 12, 31, 0, 0, 0, 0, time.UTC).YearDay() == 366 {
		days = 366
	}
	start := time.Date(year, 1, 1, 0, 0, 0, 0, china)
	buf := make([]cases.Case, 0, batch)
	for _, outcome := range outcomes {
		typ, title := g.pickType()
		// Close within 0–45 days, mostly within the time limit; received early enough to close
		// within the year.
		closeDays := int(g.rng.ExpFloat64() * 9)
		closeDays = min(closeDays, 45)
		recv := g.rng.IntN(days - closeDays)
		receivedAt := start.AddDate(0, 0, recv).Add(time.Duration(8*3600+g.rng.IntN(10*3600)) * time.Second)
		concludedAt := start.AddDate(0, 0, recv+closeDays).Add(time.Duration(9*3600+g.rng.IntN(8*3600)) * time.Second)
		if concludedAt.Before(receivedAt) {
			concludedAt = receivedAt.Add(time.Hour)
		}
		street := streets[g.rng.IntN(len(streets))]
		k := cases.Case{ID: uuid.Must(uuid.NewV7()).String(), TenantCode: c.District, Title: street.Name + title, DisputeType: typ, Source: c.Source,
			PlaceCode: street.Code, Status: outcome, ReceivedAt: receivedAt, DueAt: start.AddDate(0, 0, recv+limitDays),
			ConcludedAt: &concludedAt, CreatedBy: "demo:" + g.Profile.Name}
		k.Description = fmt.Sprintf("%s，当事人来到%s申请调解，经调解员多次沟通协调。", title, street.Name)
		switch x := g.rng.Float64(); {
		case x < 0.85:
			k.Risk.Level = cases.RiskBlue
		case x < 0.97:
			k.Risk.Level = cases.RiskYellow
		case x < 0.995:
			k.Risk.Level = cases.RiskOrange
		default:
			k.Risk.Level = cases.RiskRed
		}
		k.Risk.Signals = []cases.Signal{}
		switch {
		case c.Source == cases.SourceCourt || c.Source == cases.SourcePolice || c.Source == cases.SourceProcuratorate:
			k.CommitteeID = com.Dispatched
		case typ == "medical" || typ == "labour" || typ == "traffic_accident":
			k.CommitteeID = com.Industry
		default:
			k.CommitteeID = com.ByStreet[street.Code]
		}
		switch outcome {
		case cases.StatusSucceeded:
			k.Agreement = &cases.Agreement{Form: "written", Signed: concludedAt, Terms: []cases.Term{{Text: "双方自愿达成调解协议，按约履行。"}}}
			switch x := g.rng.Float64(); {
			case x < 0.93:
				k.Performance = "performed"
			case x < 0.95:
				k.Performance = "recanted"
			}
		case cases.StatusFailed:
			k.Outcome = map[string]any{"channel": "litigation", "reason": "双方分歧较大，调解不成，引导诉讼", "result": "failed"}
		case cases.StatusGuided:
			k.Outcome = map[string]any{"channel": "arbitration", "reason": "属劳动仲裁受理范围，引导仲裁", "result": "guided"}
		}
		for _, role := range []cases.PartyRole{cases.RoleApplicant, cases.RoleRespondent} {
			p := cases.Party{ID: uuid.Must(uuid.NewV7()).String(), Role: role, Kind: cases.KindPerson, Name: g.name(), Gender: "male", BirthYear: 1940 + g.rng.IntN(63),
				Occupation: occupations[g.rng.IntN(len(occupations))]}
			if g.rng.IntN(2) == 0 {
				p.Gender = "female"
			}
			k.Parties = append(k.Parties, p)
		}
		buf = append(buf, k)
		if len(buf) == batch {
			if err := emit(buf); err != nil {
				return err
			}
			buf = make([]cases.Case, 0, batch)
		}
	}
	if len(buf) > 0 {
		return emit(buf)
	}
	return nil
}
