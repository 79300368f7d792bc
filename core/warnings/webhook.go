package warnings

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/fengqiao/fengqiao/core/cases"
)

// Webhooks: a warning is POSTed to the webhook_url of each notified agency, signed with the
// agency's secret, and retried with backoff until it is answered with a 2xx.
//
// A receiver checks a delivery with Verify:
//
//	body, _ := io.ReadAll(r.Body)
//	err := warnings.Verify(secret, r.Header.Get(warnings.HeaderTimestamp),
//		r.Header.Get(warnings.HeaderSignature), body, time.Now(), 5*time.Minute)
//
// The signature is "sha256=" + hex(HMAC-SHA256(secret, timestamp + "." + body)), where the
// timestamp is the X-Fengqiao-Timestamp header (unix seconds) and secret is the secret string
// as shown to the district administrator. X-Fengqiao-Delivery identifies the delivery: a
// retry carries the same id, so a receiver can drop duplicates.
const (
	HeaderEvent     = "X-Fengqiao-Event"
	HeaderDelivery  = "X-Fengqiao-Delivery"
	HeaderTimestamp = "X-Fengqiao-Timestamp"
	HeaderSignature = "X-Fengqiao-Signature"

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

// Sign returns the X-Fengqiao-Signature of body sent at timestamp (unix seconds).
func Sign(secret []byte, timestamp int64, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(strconv.FormatInt(timestamp, 10)))
	m.Write([]byte("."))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Errors of Verify.
var (
	ErrBadSignature   = errors.New("webhook: signature does not match")
	ErrStaleTimestamp = errors.New("webhook: timestamp missing, malformed or outside the tolerance")
)

// Verify checks a delivery received at now: the signature must match the body and the
// timestamp, and the timestamp lie within tolerance of now (replays of old deliveries fail).
func Verify(secret []byte, timestamp, signature string, body []byte, now time.Time, tolerance time.Duration) error {
	ts, err := strconv.ParseInt(strings.TrimSpace(timestamp), 10, 64)
	if err != nil {
		return ErrStaleTimestamp
	}
	if d := now.Sub(time.Unix(ts, 0)); d > tolerance || d < -tolerance {
		return ErrStaleTimestamp
	}
	got, ok := strings.CutPrefix(strings.TrimSpace(signature), "sha256=")
	if !ok {
		return ErrBadSignature
	}
	mac, err := hex.DecodeString(got)
	if err != nil {
		return ErrBadSignature
	}
	want, _ := hex.DecodeString(strings.TrimPrefix(Sign(secret, ts, body), "sha256="))
	if !hmac.Equal(mac, want) {
		return ErrBadSignature
	}
	return nil
}
