package warnings

import (
	"crypto/rand"
	"encoding/base64"
	"time"

	"github.com/fengqiao/fengqiao/core/cases"
)

// Webhooks: a warning is POSTed to the webhook_url of each notified agency, signed with the
// agency's secret (core/delivery signs and sends, and documents how a receiver verifies), and
// retried with backoff until it is answered with a 2xx.
const (
	// DeliveryAttempts caps the attempts of a delivery; it is failed after the last.
	DeliveryAttempts = 8
	// DeliveryTimeout bounds one attempt.
	DeliveryTimeout = 10 * time.Second
)

// DeliveryStatus is where a webhook delivery stands.
type DeliveryStatus string

const (
	DeliveryPending   DeliveryStatus = "pending"
	DeliveryDelivered DeliveryStatus = "delivered"
	DeliveryFailed    DeliveryStatus = "failed"
)

// Delivery is one event to POST to an agency's webhook.
type Delivery struct {
	ID          string
	TenantCode  string
	OrgID       string
	URL         string
	Event       string
	Payload     []byte // JSON
	Attempts    int
	Status      DeliveryStatus
	LastError   string
	CreatedAt   time.Time
	DeliveredAt *time.Time
}

// Payload is the body of a warning event: what an agency needs to act, nothing about the parties.
type Payload struct {
	Event   string         `json:"event"`
	Tenant  string         `json:"tenant"`
	Warning PayloadWarning `json:"warning"`
	Case    PayloadCase    `json:"case"`
}

// PayloadWarning describes the warning in a Payload.
type PayloadWarning struct {
	ID         string          `json:"id"`
	Level      cases.RiskLevel `json:"level"`
	Score      int             `json:"score"`
	Signals    []string        `json:"signals"` // labels only
	RaisedAt   time.Time       `json:"raised_at"`
	DeadlineAt time.Time       `json:"deadline_at"`
}

// PayloadCase identifies the case in a Payload.
type PayloadCase struct {
	ID     string `json:"id"`
	Number string `json:"number"`
}

// RaisedPayload is the webhook payload of a new warning.
func RaisedPayload(w Warning) Payload {
	return Payload{Event: KindWarningRaised, Tenant: w.TenantCode,
		Warning: PayloadWarning{ID: w.ID, Level: w.Level, Score: w.Score, Signals: SignalLabels(w.Signals), RaisedAt: w.RaisedAt.UTC(), DeadlineAt: w.DeadlineAt.UTC()},
		Case:    PayloadCase{ID: w.CaseID, Number: w.CaseNumber}}
}

// Secret is an organisation's webhook signing secret.
type Secret struct {
	OrgID     string
	Value     []byte // the secret string's bytes: the HMAC key
	CreatedAt time.Time
}

// NewSecret makes a signing secret: "whsec_" and 32 random bytes in base64url.
func NewSecret() ([]byte, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	return []byte("whsec_" + base64.RawURLEncoding.EncodeToString(b)), nil
}
