package cases

import (
	"regexp"
	"slices"
	"sort"
	"strings"
)

// roleWords name a party by its role where its name is withheld.
var roleWords = map[PartyRole]string{RoleApplicant: "申请人", RoleRespondent: "被申请人", RoleThird: "第三人"}

// Digits that look like a mobile number or a resident ID number, in free text.
var (
	phoneLike = regexp.MustCompile(`(?:\+?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}`)
	idLike    = regexp.MustCompile(`\d{17}[\dXx]|\d{15}`)
)

// Summary is the case as a share of scope "summary" shows it (案情摘要): what the dispute is and
// where it stands, without the identity of any party. Kept: number, dispute type, source,
// referral, place, amount, status, warning, dates and time limits, committee, outcome channel
// and result,
// agreement form, amounts and due dates, confirmation, performance, session dates and modes,
// follow-up dates and results. The parties keep their id, role and kind only. The title keeps
// its words with each party's name replaced by its role (申请人…), the parties' document numbers
// and numbers that look like a phone or ID number starred. Withheld, being free text that may name or locate anyone: the
// description, the outcome's reason, the agreement's term texts and payers, session notes,
// mediators and participants, follow-up notes.
func (c Case) Summary() Case {
	s := c
	s.Description = ""
	// Longer names first, so that "张三丰" is not left as "申请人丰".
	parties := slices.Clone(c.Parties)
	sort.SliceStable(parties, func(i, j int) bool { return len([]rune(parties[i].Name)) > len([]rune(parties[j].Name)) })
	title := c.Title
	for _, p := range parties {
		if p.Name != "" {
			word := roleWords[p.Role]
			if word == "" {
				word = "当事人"
			}
			title = strings.ReplaceAll(title, p.Name, word)
		}
	}
	// The parties' own document numbers, whatever their type (a permit, a passport), in any
	// letter case; then anything shaped like an ID number: a phone-like run hides inside one.
	for _, p := range parties {
		if len(p.IDNumber) >= 5 {
			title = regexp.MustCompile(`(?i)`+regexp.QuoteMeta(p.IDNumber)).ReplaceAllString(title, "***")
		}
	}
	title = idLike.ReplaceAllString(title, "***")
	s.Title = phoneLike.ReplaceAllString(title, "***")
	s.Parties = make([]Party, len(c.Parties))
	for i, p := range c.Parties {
		s.Parties[i] = Party{ID: p.ID, Role: p.Role, Kind: p.Kind}
	}
	if c.Outcome != nil {
		s.Outcome = map[string]any{}
		for _, k := range []string{"channel", "result"} {
			if v, ok := c.Outcome[k]; ok {
				s.Outcome[k] = v
			}
		}
	}
	if c.Agreement != nil {
		a := *c.Agreement
		a.Terms = make([]Term, len(c.Agreement.Terms))
		for i, t := range c.Agreement.Terms {
			a.Terms[i] = Term{Amount: t.Amount, DueDate: t.DueDate}
		}
		s.Agreement = &a
	}
	s.Sessions = nil
	for _, x := range c.Sessions {
		s.Sessions = append(s.Sessions, Session{ID: x.ID, At: x.At, Mode: x.Mode})
	}
	s.FollowUps = nil
	for _, f := range c.FollowUps {
		f.Note = ""
		s.FollowUps = append(s.FollowUps, f)
	}
	return s
}
