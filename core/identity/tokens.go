package identity

import (
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
)

// Signer issues and verifies the bearer tokens a login returns (HS256 JWTs).
type Signer struct {
	key    []byte
	ttl    time.Duration
	issuer string
	now    func() time.Time
}

// NewSigner returns a signer; key must hold at least 32 bytes.
func NewSigner(key []byte, ttl time.Duration, issuer string) (*Signer, error) {
	if len(key) < 32 {
		return nil, errors.New("token key must be at least 32 bytes")
	}
	return &Signer{key: key, ttl: ttl, issuer: issuer, now: time.Now}, nil
}

type claims struct {
	Tenant   string `json:"ten"`
	Username string `json:"usr"`
	// Generation: the user's session generation at login; a token without it (issued before
	// sessions could end) is refused, a one-time new login.
	Generation int64 `json:"gen"`
	jwt.RegisteredClaims
}

// Issue returns a signed token for the user and when it expires.
func (s *Signer) Issue(u User) (string, time.Time, error) {
	now := s.now()
	exp := now.Add(s.ttl)
	tok := jwt.NewWithClaims(jwt.SigningMethodHS256, claims{
		Tenant:     u.TenantCode,
		Username:   u.Username,
		Generation: u.SessionGeneration,
		RegisteredClaims: jwt.RegisteredClaims{
			ID:        uuid.NewString(), // names this session for a logout
			Issuer:    s.issuer,
			Subject:   u.ID,
			IssuedAt:  jwt.NewNumericDate(now),
			NotBefore: jwt.NewNumericDate(now.Add(-time.Minute)),
			ExpiresAt: jwt.NewNumericDate(exp),
		},
	})
	signed, err := tok.SignedString(s.key)
	return signed, exp, err
}

// Verify checks signature, issuer and expiry and returns the principal the token names.
func (s *Signer) Verify(token string) (Principal, error) {
	var c claims
	_, err := jwt.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return s.key, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(s.issuer),
		jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(s.now),
	)
	if err != nil || c.Subject == "" || c.Tenant == "" || c.Generation < 1 || c.ExpiresAt == nil {
		return Principal{}, ErrUnauthenticated
	}
	if _, err := uuid.Parse(c.ID); err != nil {
		return Principal{}, ErrUnauthenticated
	}
	var issued time.Time
	if c.IssuedAt != nil {
		issued = c.IssuedAt.Time
	}
	return Principal{Subject: UserSubject(c.Subject), ID: c.Subject, Kind: "user", TenantCode: c.Tenant, Username: c.Username,
		SessionID: c.ID, SessionGeneration: c.Generation, SessionExpires: c.ExpiresAt.Time, SessionIssued: issued}, nil
}

// Token is an API token of an agency system. The secret is shown once, at creation.
type Token struct {
	ID         string
	TenantCode string
	Name       string
	Prefix     string
	Role       string
	// OrganisationID: the agency whose system uses the token, or "".
	OrganisationID string
	CreatedBy      string
	CreatedAt      time.Time
	ExpiresAt      *time.Time
	RevokedAt      *time.Time
	LastUsedAt     *time.Time
}

// Subject is the token's name in authorization policies.
func (t Token) Subject() string { return TokenSubject(t.ID) }

// Active reports whether the token may be used at now.
func (t Token) Active(now time.Time) bool {
	return t.RevokedAt == nil && (t.ExpiresAt == nil || now.Before(*t.ExpiresAt))
}

// API token text: "fq_" + tenant code + "_" + 40 base62 characters (~238 bits of randomness).
const (
	apiTokenPrefix    = "fq_"
	apiTokenSecretLen = 40
	base62            = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
)

// NewAPIToken returns the token text for a tenant, the prefix shown in listings, and the hash
// to store.
func NewAPIToken(tenantCode string) (text, prefix string, hash []byte, err error) {
	var b strings.Builder
	b.WriteString(apiTokenPrefix + tenantCode + "_")
	max := big.NewInt(int64(len(base62)))
	for range apiTokenSecretLen {
		n, err := rand.Int(rand.Reader, max)
		if err != nil {
			return "", "", nil, err
		}
		b.WriteByte(base62[n.Int64()])
	}
	text = b.String()
	sum := sha256.Sum256([]byte(text))
	return text, text[:len(apiTokenPrefix)+6+1+6], sum[:], nil
}

// ParseAPIToken checks the shape of an API token and returns its tenant code and the hash to
// look up. It never reports why a text is rejected beyond ErrUnauthenticated.
func ParseAPIToken(text string) (tenantCode string, hash []byte, err error) {
	rest, ok := strings.CutPrefix(text, apiTokenPrefix)
	if !ok || len(rest) != 6+1+apiTokenSecretLen || rest[6] != '_' {
		return "", nil, ErrUnauthenticated
	}
	for i := range 6 {
		if rest[i] < '0' || rest[i] > '9' {
			return "", nil, ErrUnauthenticated
		}
	}
	for i := 7; i < len(rest); i++ {
		if !strings.ContainsRune(base62, rune(rest[i])) {
			return "", nil, ErrUnauthenticated
		}
	}
	sum := sha256.Sum256([]byte(text))
	return rest[:6], sum[:], nil
}

// LooksLikeAPIToken tells API tokens from JWTs without validating either.
func LooksLikeAPIToken(text string) bool { return strings.HasPrefix(text, apiTokenPrefix) }

// String hides the secret.
func (t Token) String() string { return fmt.Sprintf("token %s (%s…)", t.ID, t.Prefix) }
