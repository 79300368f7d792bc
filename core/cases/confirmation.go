package cases

import (
	"strings"
	"time"

	"github.com/fengqiao/fengqiao/core/kind"
)

// Judicial confirmation (司法确认) and the court time limits of court-entrusted mediation
// (诉前委派, 诉中委托).
//
// A court may confirm in a district when it is an active court organisation of the district's
// registry: the district registers the courts with jurisdiction over it (its basic court, and
// the intermediate court when it wants), so the registry is the one place that says which
// courts confirm there; the store checks it when the confirmation is recorded.

// Errors of judicial confirmation and of court time limits.
var (
	// ErrAlreadyConfirmed: a case is confirmed once; a correction is its own action.
	ErrAlreadyConfirmed = kind.New(kind.Conflict, "the agreement was confirmed already: correct_confirmation corrects it")
	// ErrNotConfirmed: correct_confirmation needs a confirmation to correct.
	ErrNotConfirmed = kind.New(kind.Conflict, "the agreement has no judicial confirmation to correct")
	// ErrNotWritten: only a written agreement (书面协议) can be confirmed.
	ErrNotWritten = kind.New(kind.Conflict, "judicial confirmation applies to a written agreement only")
	// ErrNoCourtLimit: only a court-entrusted case (source court, with its kind) has a court
	// time limit to extend.
	ErrNoCourtLimit = kind.New(kind.Conflict, "not a court-entrusted case with a court time limit")
	// ErrAlreadyExtended: a court time limit is extended once.
	ErrAlreadyExtended = kind.New(kind.Conflict, "the court time limit was extended already")
)

// ConfirmingCourtError says the court named is not an active court of the tenant's registry.
type ConfirmingCourtError struct{ ID string }

func (e *ConfirmingCourtError) Error() string {
	return "not an active court of the tenant's registry: " + e.ID
}
func (e *ConfirmingCourtError) Kind() kind.Kind { return kind.Invalid }

// ConfirmationForbiddenError says an agency's principal recorded a confirmation in the name of
// a court other than its own (Own; "" when it works for no organisation).
type ConfirmationForbiddenError struct{ ID, Own string }

func (e *ConfirmationForbiddenError) Error() string {
	return "a court records confirmations in its own name only, not " + e.ID
}
func (e *ConfirmationForbiddenError) Kind() kind.Kind { return kind.Forbidden }

// beijing is the time zone of confirmation dates.
var beijing = time.FixedZone("CST", 8*3600)

// planConfirmation validates a confirmation (ActionConfirm) or its correction
// (ActionCorrectConfirmation) of c at now into e.
func planConfirmation(v *errs, c Case, in ActionInput, now time.Time, e *Effect, needReason func()) error {
	if err := precondition(c, in.Action); err != nil {
		return err
	}
	if in.Action == ActionCorrectConfirmation {
		needReason()
		e.Event["previous"] = c.Confirmation
	}
	cf := in.Confirm
	if cf == nil {
		v.Add("confirmation", "请填写确认法院、文书编号和确认日期 / confirmation.court_id, confirmation.reference and confirmation.date are required")
		return nil
	}
	out := &Confirmation{CourtID: strings.TrimSpace(cf.CourtID), Reference: strings.TrimSpace(cf.Reference), Date: strings.TrimSpace(cf.Date)}
	if out.CourtID == "" {
		v.Add("confirmation.court_id", "请从本区县登记的法院中选择确认法院（填写其组织编号），不接受自由填写的法院名称 / confirmation.court_id must name a court of the district's registry; a free-text court is not accepted")
	} else if by := in.By; !by.staff() && by.Org != out.CourtID {
		return &ConfirmationForbiddenError{ID: out.CourtID, Own: by.Org}
	}
	if out.Reference == "" || runes(out.Reference) > 100 {
		v.Add("confirmation.reference", "请填写确认裁定书文号（1–100 字） / confirmation.reference must be 1–100 characters")
	}
	if d, err := time.ParseInLocation("2006-01-02", out.Date, beijing); err != nil {
		v.Add("confirmation.date", "确认日期须为年-月-日，如 2026-12-01 / confirmation.date must be YYYY-MM-DD")
	} else {
		today := now.In(beijing).Format("2006-01-02")
		signed := c.Agreement.Signed.In(beijing).Format("2006-01-02")
		switch day := d.Format("2006-01-02"); {
		case day > today:
			v.Add("confirmation.date", "确认日期不能晚于今天（%s） / confirmation.date must not be in the future (today is %s)", today, today)
		case day < signed:
			v.Add("confirmation.date", "确认日期不能早于协议签订日期（%s） / confirmation.date must not be before the agreement was signed (%s)", signed, signed)
		}
	}
	e.Confirmation = out
	e.Event["confirmation"] = out
	return nil
}

// CourtKinds are the kinds of a court referral with a court time limit: 诉前委派 and 诉中委托.
var CourtKinds = []string{"pre_filing", "in_litigation"}

// DefaultCourtDays is the platform's court time limit and its extension, in days.
const DefaultCourtDays = 30

// CourtEntrusted tells whether a case follows a court time limit: referred by a court with
// the kind of the referral (pre-filing or in-litigation).
func CourtEntrusted(src Source, r *Referral) bool {
	return src == SourceCourt && r != nil && oneOf(r.Kind, CourtKinds)
}

// planExtension extends the court time limit of c once, by in.ExtensionDays, with a reason.
func planExtension(c Case, in ActionInput, e *Effect, needReason func()) error {
	if err := precondition(c, in.Action); err != nil {
		return err
	}
	needReason()
	days := in.ExtensionDays
	if days <= 0 {
		days = DefaultCourtDays
	}
	due := c.DueAt.AddDate(0, 0, days)
	e.ExtendDue = &due
	e.Event["due_at_before"], e.Event["due_at"], e.Event["days"] = c.DueAt, due, days
	return nil
}
