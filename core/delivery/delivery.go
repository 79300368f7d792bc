// Package delivery owns signed outbound HTTP: it signs a JSON payload with a shared secret
// and POSTs it, one attempt at a time, and lets a receiver verify what it got. It keeps no
// record and knows no SQL: its callers (the queue's webhook deliveries today, federation
// tomorrow) store the attempts and decide when to retry.
//
// A receiver checks a delivery with Verify:
//
//	body, _ := io.ReadAll(r.Body)
//	err := delivery.Verify(secret, r.Header.Get(delivery.HeaderTimestamp),
//		r.Header.Get(delivery.HeaderSignature), body, time.Now(), 5*time.Minute)
//
// The signature is "sha256=" + hex(HMAC-SHA256(secret, timestamp + "." + body)), where the
// timestamp is the X-Fengqiao-Timestamp header (unix seconds) and secret is the secret string
// as shown to the receiver's administrator. X-Fengqiao-Delivery identifies the delivery: a
// retry carries the same id, so a receiver can drop duplicates.
package delivery

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The headers of a signed delivery (part of the external contract).
const (
	HeaderEvent     = "X-Fengqiao-Event"
	HeaderDelivery  = "X-Fengqiao-Delivery"
	HeaderTimestamp = "X-Fengqiao-Timestamp"
	HeaderSignature = "X-Fengqiao-Signature"
)

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

// Message is one delivery to send.
type Message struct {
	ID      string // the delivery's id: the same on every attempt
	URL     string
	Event   string
	Payload []byte // JSON
	Secret  []byte // the HMAC key
}

// Sender POSTs signed messages. It is safe for concurrent use.
type Sender struct {
	client *http.Client
}

// NewSender returns a Sender whose attempts last at most timeout each.
func NewSender(timeout time.Duration) *Sender {
	return &Sender{client: &http.Client{
		Timeout: timeout,
		// A redirect is an answer, not a delivery: the receiver registers its final address.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// Send makes one attempt: a network error or a status other than 2xx fails it.
func (s *Sender) Send(ctx context.Context, m Message) error {
	ts := time.Now().Unix()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.URL, bytes.NewReader(m.Payload))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Fengqiao-Webhook/1")
	req.Header.Set(HeaderEvent, m.Event)
	req.Header.Set(HeaderDelivery, m.ID)
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
	req.Header.Set(HeaderSignature, Sign(m.Secret, ts, m.Payload))
	res, err := s.client.Do(req)
	if err != nil {
		return fmt.Errorf("webhook POST: %w", err)
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return fmt.Errorf("webhook answered HTTP %d", res.StatusCode)
	}
	return nil
}
