// Package cases owns the case lifecycle of people's mediation — intake (受理), routing (分流),
// mediation (调处), outcome, judicial confirmation (司法确认), performance (履行), follow-up
// (回访) and closing — as one state machine; the dispute-type catalogue and intake sources; case
// numbers; and the explainable early-warning assessment (预警). It knows neither HTTP nor SQL.
package cases

import (
	"errors"
	"fmt"
	"slices"

	"github.com/fengqiao/fengqiao/core/kind"
)

// Status is where a case is in its lifecycle.
type Status string

const (
	StatusReceived  Status = "received"  // 已受理: taken in, not yet routed
	StatusAssigned  Status = "assigned"  // 已分流: routed to a committee, waiting for mediation
	StatusMediating Status = "mediating" // 调解中
	StatusSucceeded Status = "succeeded" // 调解成功: an agreement was reached
	StatusFailed    Status = "failed"    // 调解不成: guided to another channel
	StatusGuided    Status = "guided"    // 不宜调解: guided to arbitration, reconsideration, ruling or litigation without mediation
	StatusClosed    Status = "closed"    // 结案: nothing left to do
)

// Statuses lists every status in lifecycle order.
func Statuses() []Status {
	return []Status{StatusReceived, StatusAssigned, StatusMediating, StatusSucceeded, StatusFailed, StatusGuided, StatusClosed}
}

// Action is something done to a case.
type Action string

const (
	ActionAssign          Action = "assign"           // route to a committee (accepting or overriding the proposal)
	ActionTransfer        Action = "transfer"         // 纠纷移送: move to another committee, with a reason
	ActionStartMediation  Action = "start_mediation"  // the committee takes the case up
	ActionRecordSession   Action = "record_session"   // a mediation session took place
	ActionSucceed         Action = "succeed"          // outcome: agreement
	ActionFail            Action = "fail"             // outcome: no agreement, guided elsewhere
	ActionGuide           Action = "guide"            // unsuitable for mediation: guided to another legal channel
	ActionConfirm         Action = "confirm"          // 司法确认 of a written agreement by a court
	ActionRecordPerformed Action = "record_performed" // 履行: the agreement was performed
	ActionRecordRecant    Action = "record_recant"    // 反悔: a party went back on the agreement
	ActionFollowUp        Action = "follow_up"        // 回访 recorded
	ActionReopen          Action = "reopen"           // back to mediation (e.g. a follow-up found the agreement not performed)
	ActionClose           Action = "close"            // 结案
	ActionAdjustRisk      Action = "adjust_risk"      // staff raise or lower the warning level with a reason
	ActionEdit            Action = "edit"             // correct the intake data
	ActionRecordContact   Action = "record_contact"   // the parties were contacted (first contact)
	// ActionCorrectConfirmation corrects a recorded judicial confirmation, with a reason; the
	// earlier record stays in the history.
	ActionCorrectConfirmation Action = "correct_confirmation"
	// ActionExtendTimeLimit extends the court's time limit of a court-entrusted case once, with
	// a reason (诉前委派 / 诉中委托 延长调解期限).
	ActionExtendTimeLimit Action = "extend_time_limit"
)

// transitions is the whole lifecycle: for each status, the actions allowed and where they lead.
// An action absent here is refused with the list of allowed ones.
var transitions = map[Status]map[Action]Status{
	StatusReceived: {
		ActionAssign: StatusAssigned, ActionGuide: StatusGuided,
		ActionAdjustRisk: StatusReceived, ActionEdit: StatusReceived, ActionRecordContact: StatusReceived,
		ActionExtendTimeLimit: StatusReceived,
	},
	StatusAssigned: {
		ActionTransfer: StatusAssigned, ActionStartMediation: StatusMediating, ActionGuide: StatusGuided,
		ActionAdjustRisk: StatusAssigned, ActionEdit: StatusAssigned, ActionRecordContact: StatusAssigned,
		ActionExtendTimeLimit: StatusAssigned,
	},
	StatusMediating: {
		ActionRecordSession: StatusMediating, ActionTransfer: StatusAssigned,
		ActionSucceed: StatusSucceeded, ActionFail: StatusFailed,
		ActionAdjustRisk: StatusMediating, ActionEdit: StatusMediating, ActionRecordContact: StatusMediating,
		ActionExtendTimeLimit: StatusMediating,
	},
	StatusSucceeded: {
		ActionConfirm: StatusSucceeded, ActionRecordPerformed: StatusSucceeded, ActionRecordRecant: StatusSucceeded,
		ActionFollowUp: StatusSucceeded, ActionReopen: StatusMediating, ActionClose: StatusClosed,
		ActionAdjustRisk: StatusSucceeded, ActionCorrectConfirmation: StatusSucceeded,
	},
	StatusFailed: {
		ActionFollowUp: StatusFailed, ActionReopen: StatusMediating, ActionClose: StatusClosed,
		ActionAdjustRisk: StatusFailed,
	},
	StatusGuided: {
		ActionFollowUp: StatusGuided, ActionClose: StatusClosed, ActionAdjustRisk: StatusGuided,
	},
	StatusClosed: {
		ActionReopen: StatusMediating,
	},
}

// ErrActionNotAllowed is returned for an action the case's status does not allow.
var ErrActionNotAllowed = errors.New("action not allowed in the case's status")

// TransitionError says which actions the status allows instead.
type TransitionError struct {
	From    Status
	Action  Action
	Allowed []Action
}

func (e *TransitionError) Error() string {
	return fmt.Sprintf("cannot %s a case that is %s", e.Action, e.From)
}
func (e *TransitionError) Kind() kind.Kind { return kind.Conflict }
func (e *TransitionError) Unwrap() error   { return ErrActionNotAllowed }

// Next returns the status an action leads to, or a *TransitionError.
func Next(from Status, a Action) (Status, error) {
	if to, ok := transitions[from][a]; ok {
		return to, nil
	}
	return from, &TransitionError{From: from, Action: a, Allowed: Allowed(from)}
}

// Allowed lists the actions allowed in a status, sorted.
func Allowed(from Status) []Action {
	out := make([]Action, 0, len(transitions[from]))
	for a := range transitions[from] {
		out = append(out, a)
	}
	slices.Sort(out)
	return out
}

// Concluded reports whether a case in this status has an outcome (for statistics and lists).
func Concluded(s Status) bool {
	return s == StatusSucceeded || s == StatusFailed || s == StatusGuided || s == StatusClosed
}

// precondition is what an action needs of the case beyond its status (Plan refuses the action
// with this error): a transferred record takes none; judicial confirmation needs a written
// agreement not confirmed yet, its correction one confirmed; a court time limit is extended
// once, on a court-entrusted case.
func precondition(c Case, a Action) error {
	if c.TransferredTo != "" {
		return ErrTransferred
	}
	switch a {
	case ActionConfirm, ActionCorrectConfirmation:
		switch {
		case a == ActionConfirm && c.Confirmation != nil:
			return ErrAlreadyConfirmed
		case a == ActionCorrectConfirmation && c.Confirmation == nil:
			return ErrNotConfirmed
		case c.Agreement == nil || c.Agreement.Form != "written":
			return ErrNotWritten
		}
	case ActionExtendTimeLimit:
		switch {
		case !CourtEntrusted(c.Source, c.Referral):
			return ErrNoCourtLimit
		case c.DueExtendedAt != nil:
			return ErrAlreadyExtended
		}
	}
	return nil
}

// Available lists the actions the case can take now, sorted: those its status allows whose
// preconditions the case meets (what Plan would not refuse before reading the input). Edit is
// among them (it corrects the intake, not an action of the lifecycle).
func Available(c Case) []Action {
	var out []Action
	for _, a := range Allowed(c.Status) {
		if precondition(c, a) == nil {
			out = append(out, a)
		}
	}
	return out
}
