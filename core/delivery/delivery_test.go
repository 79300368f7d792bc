package delivery

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestSignAndVerify(t *testing.T) {
	secret, other := []byte("whsec_one"), []byte("whsec_two")
	now := time.Unix(1_790_000_000, 0)
	body := []byte(`{"event":"warning.raised"}`)
	ts := strconv.FormatInt(now.Unix(), 10)
	sig := Sign(secret, now.Unix(), body)
	if !strings.HasPrefix(sig, "sha256=") || len(sig) != len("sha256=")+64 {
		t.Fatalf("signature %q", sig)
	}
	rows := []struct {
		name    string
		secret  []byte
		ts, sig string
		body    []byte
		at      time.Time
		want    error
	}{
		{"valid", secret, ts, sig, body, now, nil},
		{"valid within tolerance", secret, ts, sig, body, now.Add(4 * time.Minute), nil},
		{"replayed later", secret, ts, sig, body, now.Add(6 * time.Minute), ErrStaleTimestamp},
		{"from the future", secret, ts, sig, body, now.Add(-6 * time.Minute), ErrStaleTimestamp},
		{"no timestamp", secret, "", sig, body, now, ErrStaleTimestamp},
		{"other timestamp", secret, strconv.FormatInt(now.Unix()+1, 10), sig, body, now, ErrBadSignature},
		{"other body", secret, ts, sig, append(append([]byte{}, body...), ' '), now, ErrBadSignature},
		{"other secret", other, ts, sig, body, now, ErrBadSignature},
		{"no prefix", secret, ts, strings.TrimPrefix(sig, "sha256="), body, now, ErrBadSignature},
		{"not hex", secret, ts, "sha256=zz", body, now, ErrBadSignature},
		{"empty", secret, ts, "", body, now, ErrBadSignature},
	}
	for _, r := range rows {
		if err := Verify(r.secret, r.ts, r.sig, r.body, r.at, 5*time.Minute); !errors.Is(err, r.want) || (r.want == nil) != (err == nil) {
			t.Errorf("%s: %v, want %v", r.name, err, r.want)
		}
	}
}

func TestSend(t *testing.T) {
	secret := []byte("whsec_test")
	tests := []struct {
		name    string
		status  int
		wantErr string // "" = delivered
	}{
		{"ok", http.StatusOK, ""},
		{"accepted", http.StatusAccepted, ""},
		{"redirect is no delivery", http.StatusFound, "HTTP 302"},
		{"refused", http.StatusInternalServerError, "HTTP 500"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got *http.Request
			var body []byte
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				got, body = r, must(io.ReadAll(r.Body))
				if tt.status == http.StatusFound {
					w.Header().Set("Location", "/elsewhere")
				}
				w.WriteHeader(tt.status)
			}))
			defer srv.Close()
			m := Message{ID: "d1", URL: srv.URL, Event: "warning.raised", Payload: []byte(`{"a":1}`), Secret: secret}
			err := NewSender(5*time.Second).Send(context.Background(), m)
			if (tt.wantErr == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("Send: %v, want %q", err, tt.wantErr)
			}
			if got.Method != http.MethodPost || got.URL.Path != "/" || got.Header.Get("Content-Type") != "application/json" ||
				got.Header.Get(HeaderEvent) != m.Event || got.Header.Get(HeaderDelivery) != m.ID || string(body) != string(m.Payload) {
				t.Errorf("request %s %s %v %q", got.Method, got.URL, got.Header, body)
			}
			if err := Verify(secret, got.Header.Get(HeaderTimestamp), got.Header.Get(HeaderSignature), body, time.Now(), time.Minute); err != nil {
				t.Errorf("signature: %v", err)
			}
		})
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
