package cases

import (
	"context"
	"strings"
	"time"

	"github.com/fengqiao/fengqiao/core/division"
	"github.com/fengqiao/fengqiao/core/kind"
	"github.com/fengqiao/fengqiao/core/valid"
)

// Transfer of a case between two districts of one city (区县间移交), with both districts'
// consent: the proposing district (From) proposes, the receiving district (To) accepts or
// declines. Until it is accepted the case stays the proposing district's. On acceptance the case
// is copied into the receiving district under a number of its own (its history begins with
// where it came from; it is routed there afresh), and the proposing district keeps its case as
// a read-only record naming where it went.
type Transfer struct {
	ID             string     `json:"id"`
	Direction      string     `json:"direction"` // "out" (proposed by this district) or "in"
	CaseID         string     `json:"case_id"`
	From           string     `json:"from_tenant"`
	To             string     `json:"to_tenant"`
	Number         string     `json:"number"` // the case's number in the proposing district
	Title          string     `json:"title"`
	Status         string     `json:"status"` // proposed, accepted or declined
	Reason         string     `json:"reason"`
	DecisionReason string     `json:"decision_reason,omitempty"`
	NewNumber      string     `json:"new_number,omitempty"` // its number in the receiving district
	ProposedBy     string     `json:"proposed_by"`
	ProposedAt     time.Time  `json:"proposed_at"`
	DecidedBy      string     `json:"decided_by,omitempty"`
	DecidedAt      *time.Time `json:"decided_at,omitempty"`
}

// Statuses of a transfer.
const (
	TransferProposed = "proposed"
	TransferAccepted = "accepted"
	TransferDeclined = "declined"
)

// Errors of transfers.
var (
	// ErrTransferred: the case was transferred to another district; this district's record of
	// it is read-only.
	ErrTransferred = kind.New(kind.Conflict, "the case was transferred to another district: its record here is read-only")
	// ErrTransferPending: the case has a transfer waiting for the other district's answer.
	ErrTransferPending = kind.New(kind.Conflict, "the case has a pending transfer")
	// ErrTransferNotOpen: only a case without an outcome (nor a joint mediation) is transferred.
	ErrTransferNotOpen = kind.New(kind.Conflict, "only an open case that is not jointly mediated can be transferred")
	// ErrTransferNotFound: no such transfer of the tenant.
	ErrTransferNotFound = kind.New(kind.NotFound, "transfer not found")
	// ErrTransferDecided: the transfer was accepted or declined already, or is not this
	// district's to decide (it proposed it).
	ErrTransferDecided = kind.New(kind.Conflict, "the transfer is not waiting for this district's decision")
	// ErrTransferTarget: the receiving district is not an active tenant.
	ErrTransferTarget = kind.New(kind.Invalid, "the receiving district is not an active tenant")
)

// districtName is the Chinese name of a district for messages ("普陀区"), or its code when unknown.
func districtName(code string) string {
	if d, err := division.Lookup(code); err == nil {
		return d.Name
	}
	return code
}

// CheckTransfer validates a proposal to transfer a case of district from to district to, with
// its reason: to is another district of the same city (a municipality's districts are of one
// city).
func CheckTransfer(from, to, reason string) error {
	bad := func(field, msg string) error { return valid.New(ErrInvalid, field, msg) }
	reason = strings.TrimSpace(reason)
	lvl, err := division.LevelOf(to)
	switch {
	case err != nil || lvl != division.LevelDistrict:
		return bad("to_tenant", "请填写接收案件的区县代码（6 位） / to_tenant must be the 6-digit code of a district")
	case to == from:
		return bad("to_tenant", "不能移交给本区县 / a case cannot be transferred to its own district")
	case to[:4] != from[:4]:
		f, t := districtName(from), districtName(to)
		return bad("to_tenant", "只能在同一城市的区县之间移交："+f+"与"+t+"不属于同一城市 / a case is transferred between districts of one city only: "+
			from+" and "+to+" are not of one city")
	case reason == "" || runes(reason) > 500:
		return bad("reason", "请说明移交原因（1–500 字） / reason must be 1–500 characters")
	}
	return nil
}

// CanTransfer tells whether c may be proposed for transfer: an open case, not jointly mediated,
// not transferred already.
func CanTransfer(c Case) error {
	switch {
	case c.TransferredTo != "":
		return ErrTransferred
	case Concluded(c.Status) || c.Joint != nil:
		return ErrTransferNotOpen
	}
	return nil
}

// Received is the case as the receiving district takes it in: a copy under its tenant (the same
// id and parties; numbered by the store), back at intake to be routed there afresh, keeping its
// intake date, time limit, warning and the record of its sessions.
func (c Case) Received(to string) Case {
	r := c
	r.TenantCode, r.Number, r.Seq, r.Version = to, "", 0, 0
	r.Status, r.CommitteeID, r.TransferredTo = StatusReceived, "", ""
	r.FollowUps = nil
	return r
}

// TransferRepo is the storage of transfers (a transfer's transactions act for both districts in
// turn, under each one's row-level security).
type TransferRepo interface {
	// ProposeTransfer records from's proposal for its case caseID, which must pass check.
	ProposeTransfer(ctx context.Context, from, caseID, to, reason string, check func(Case) error, now time.Time) (Transfer, error)
	// Transfers lists the district's transfers, either way, newest first.
	Transfers(ctx context.Context, tenant string) ([]Transfer, error)
	// DecideTransfer records to's decision; on acceptance it copies the case into to,
	// re-protecting its parties' data with reseal (from: the proposing district).
	DecideTransfer(ctx context.Context, to, id string, accept bool, reason string, reseal func(from string, c Case) (Case, error), now time.Time) (Transfer, error)
}

// ProposeTransfer proposes to transfer case id of district from to district to (same city).
func (s *Service) ProposeTransfer(ctx context.Context, from, id, to, reason string) (Transfer, error) {
	if err := CheckTransfer(from, to, reason); err != nil {
		return Transfer{}, err
	}
	return s.repo.ProposeTransfer(ctx, from, id, to, reason, CanTransfer, s.now())
}

// Transfers lists a district's transfers.
func (s *Service) Transfers(ctx context.Context, tenant string) ([]Transfer, error) {
	return s.repo.Transfers(ctx, tenant)
}

// DecideTransfer accepts or declines (with a reason) a transfer proposed to district to.
func (s *Service) DecideTransfer(ctx context.Context, to, id string, accept bool, reason string) (Transfer, error) {
	reason = strings.TrimSpace(reason)
	if !accept && (reason == "" || runes(reason) > 500) {
		return Transfer{}, valid.New(ErrInvalid, "reason", "拒绝接收须说明原因（1–500 字） / declining needs a reason of 1–500 characters")
	}
	if runes(reason) > 500 {
		return Transfer{}, valid.New(ErrInvalid, "reason", "原因最多 500 字 / reason must be at most 500 characters")
	}
	// The parties' data is bound to its tenant and case: opened as the proposing district's,
	// sealed again as the receiving district's.
	reseal := func(from string, c Case) (Case, error) {
		src := c
		src.TenantCode = from
		src.Parties = append([]Party(nil), c.Parties...)
		if err := s.open(&src); err != nil {
			return c, err
		}
		c.Parties = src.Parties
		for i := range c.Parties {
			if err := s.seal(&c, &c.Parties[i]); err != nil {
				return c, err
			}
		}
		return c, nil
	}
	return s.repo.DecideTransfer(ctx, to, id, accept, reason, reseal, s.now())
}
