package pii

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Sentinel errors of the keyring.
var (
	// ErrUnknownKey: the ciphertext names a key id that is not in the ring (a retired key was
	// removed from the configuration too early, or the configuration is incomplete).
	ErrUnknownKey = errors.New("密文所用的密钥不在密钥环中 / ciphertext names a key that is not in the keyring")
	// ErrCorrupt: the ciphertext is malformed, truncated or tampered with, or was sealed for
	// another place (different aad).
	ErrCorrupt = errors.New("密文损坏、被篡改或不属于此处 / ciphertext is corrupt, tampered with or sealed for another place")
	// ErrBadKey: a key is not 32 bytes, a key id is empty, malformed or repeated, or the active
	// id is not among the keys.
	ErrBadKey = errors.New("加密密钥配置无效 / invalid encryption key configuration")
)

// KeySize is the length of every key: AES-256 for the keyring, HMAC-SHA256 for the indexer.
const KeySize = 32

// Ciphertext layout.
const (
	formatVersion = 1
	maxKeyIDLen   = 16
	nonceSize     = 12
	tagSize       = 16
)

// Keyring holds the encryption keys by id; one is active for new encryptions; the others only
// decrypt (rotation). A Keyring is immutable and safe for concurrent use.
//
// Rotation: add a new key to the configuration and make it active; every new encryption uses
// it, old ciphertexts still open with their own key. A background job then re-encrypts the rows
// whose KeyID differs from Active (see Reencrypt); once none is left the old key may be removed.
//
// Ciphertext layout (all of it stored in one column):
//
//	byte 0          format version, 1
//	byte 1          n = len(key id), 1–16
//	bytes 2..2+n    key id, [a-z0-9-]
//	next 12 bytes   random GCM nonce
//	rest            AES-256-GCM ciphertext followed by the 16-byte tag
//
// The GCM additional data is the header (bytes 0..2+n) followed by the caller's aad, so neither
// the key id nor the place a ciphertext belongs to can be changed without Decrypt failing.
// Each key must not seal more than 2^32 values (random 96-bit nonces); rotate well before.
type Keyring struct {
	aeads  map[string]cipher.AEAD
	active string
}

// validKeyID: 1–16 characters of [a-z0-9-].
func validKeyID(id string) bool {
	if len(id) < 1 || len(id) > maxKeyIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// badKeyID names the faulty id, unless it is too long to be one (perhaps key material pasted
// in the wrong place: it is not repeated).
func badKeyID(id string) error {
	if len(id) > maxKeyIDLen {
		return fmt.Errorf("%w: 密钥 id 长 %d 个字符，最多 16 个 / key id is %d characters long, at most 16", ErrBadKey, len(id), len(id))
	}
	return fmt.Errorf("%w: 密钥 id %q 须为 1–16 位小写字母、数字或 - / key id %q must be 1–16 characters of a-z, 0-9 and -", ErrBadKey, id, id)
}

// NewKeyring builds a keyring: keys maps id → 32-byte key; active must be one of them. Key ids
// are 1–16 characters of [a-z0-9-]. The same key bytes under two ids are refused (a rotation
// that pasted the old key again would protect nothing). The key bytes are copied.
func NewKeyring(keys map[string][]byte, active string) (*Keyring, error) {
	if len(keys) == 0 {
		return nil, fmt.Errorf("%w: 未配置任何密钥 / no keys configured", ErrBadKey)
	}
	ids := make([]string, 0, len(keys))
	for id := range keys {
		ids = append(ids, id)
	}
	sort.Strings(ids) // deterministic error messages
	ring := &Keyring{aeads: make(map[string]cipher.AEAD, len(keys)), active: active}
	for i, id := range ids {
		key := keys[id]
		if !validKeyID(id) {
			return nil, badKeyID(id)
		}
		if len(key) != KeySize {
			return nil, fmt.Errorf("%w: 密钥 %q 须为 32 字节，实为 %d 字节 / key %q must be 32 bytes, got %d", ErrBadKey, id, len(key), id, len(key))
		}
		for _, other := range ids[:i] {
			if bytes.Equal(keys[other], key) {
				return nil, fmt.Errorf("%w: 密钥 %q 与 %q 相同 / keys %q and %q are identical", ErrBadKey, other, id, other, id)
			}
		}
		block, err := aes.NewCipher(bytes.Clone(key))
		if err != nil {
			return nil, fmt.Errorf("%w: %q: %v", ErrBadKey, id, err)
		}
		aead, err := cipher.NewGCMWithRandomNonce(block)
		if err != nil {
			return nil, fmt.Errorf("%w: %q: %v", ErrBadKey, id, err)
		}
		ring.aeads[id] = aead
	}
	if active == "" {
		return nil, fmt.Errorf("%w: 未指定当前密钥 / no active key id given", ErrBadKey)
	}
	if _, ok := ring.aeads[active]; !ok {
		return nil, fmt.Errorf("%w: 当前密钥 %q 不在已配置的密钥中 / active key %q is not among the configured keys", ErrBadKey, active, active)
	}
	return ring, nil
}

// ParseKeys parses the configuration form "id1:base64key1,id2:base64key2". Keys are standard or
// URL-safe base64, with or without padding, and must decode to 32 bytes; white space around
// entries is ignored. Errors name the id at fault (or the entry's position when it has no id)
// and never repeat key material; they wrap ErrBadKey.
func ParseKeys(s string) (map[string][]byte, error) {
	if strings.TrimSpace(s) == "" {
		return nil, fmt.Errorf("%w: 未配置任何密钥 / no keys configured", ErrBadKey)
	}
	keys := make(map[string][]byte)
	for i, entry := range strings.Split(s, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			return nil, fmt.Errorf("%w: 第 %d 项为空 / entry %d is empty", ErrBadKey, i+1, i+1)
		}
		id, enc, ok := strings.Cut(entry, ":")
		if !ok {
			return nil, fmt.Errorf("%w: 第 %d 项缺少“id:”前缀 / entry %d lacks the \"id:\" prefix", ErrBadKey, i+1, i+1)
		}
		id, enc = strings.TrimSpace(id), strings.TrimSpace(enc)
		if !validKeyID(id) {
			return nil, badKeyID(id)
		}
		if _, dup := keys[id]; dup {
			return nil, fmt.Errorf("%w: 密钥 id %q 重复 / key id %q appears twice", ErrBadKey, id, id)
		}
		key, ok := decodeBase64(enc)
		if !ok {
			return nil, fmt.Errorf("%w: 密钥 %q 不是有效的 base64 / key %q is not valid base64", ErrBadKey, id, id)
		}
		if len(key) != KeySize {
			return nil, fmt.Errorf("%w: 密钥 %q 须为 32 字节，实为 %d 字节 / key %q must be 32 bytes, got %d", ErrBadKey, id, len(key), id, len(key))
		}
		keys[id] = key
	}
	return keys, nil
}

// decodeBase64 accepts standard and URL-safe base64, padded or not.
func decodeBase64(s string) ([]byte, bool) {
	if s == "" {
		return nil, false
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		if b, err := enc.Strict().DecodeString(s); err == nil {
			return b, true
		}
	}
	return nil, false
}

// Active returns the id of the key that seals new values.
func (k *Keyring) Active() string {
	if k == nil {
		return ""
	}
	return k.active
}

// AAD encodes the parts that bind a ciphertext to its place — typically tenant code, party id
// and field name — unambiguously (each part length-prefixed), for Encrypt and Decrypt.
func AAD(parts ...string) []byte {
	n := 0
	for _, p := range parts {
		n += binary.MaxVarintLen64 + len(p)
	}
	b := make([]byte, 0, n)
	for _, p := range parts {
		b = binary.AppendUvarint(b, uint64(len(p)))
		b = append(b, p...)
	}
	return b
}

// gcmAAD is the additional data GCM authenticates: the ciphertext header, then the caller's aad.
// The header is self-delimiting, so the concatenation is unambiguous.
func gcmAAD(header, aad []byte) []byte {
	b := make([]byte, 0, len(header)+len(aad))
	return append(append(b, header...), aad...)
}

// Encrypt seals plaintext with the active key. aad binds the ciphertext to its place (see AAD):
// a ciphertext copied to another row or field fails to open there. The output layout is
// documented on Keyring. An empty plaintext gives nil (nothing to store).
func (k *Keyring) Encrypt(plaintext string, aad []byte) ([]byte, error) {
	if plaintext == "" {
		return nil, nil
	}
	if k == nil || k.aeads[k.active] == nil {
		return nil, fmt.Errorf("%w: 密钥环未初始化 / keyring not initialised", ErrBadKey)
	}
	aead := k.aeads[k.active]
	hlen := 2 + len(k.active)
	out := make([]byte, hlen, hlen+aead.Overhead()+len(plaintext))
	out[0] = formatVersion
	out[1] = byte(len(k.active))
	copy(out[2:], k.active)
	return aead.Seal(out, nil, []byte(plaintext), gcmAAD(out[:hlen], aad)), nil
}

// parseHeader checks the header of a non-empty ciphertext and returns its key id and length.
func parseHeader(b []byte) (id string, hlen int, err error) {
	if len(b) < 2 {
		return "", 0, fmt.Errorf("%w: 长度不足 / too short", ErrCorrupt)
	}
	if b[0] != formatVersion {
		return "", 0, fmt.Errorf("%w: 未知格式版本 %d / unknown format version %d", ErrCorrupt, b[0], b[0])
	}
	n := int(b[1])
	hlen = 2 + n
	if n < 1 || n > maxKeyIDLen || len(b) < hlen+nonceSize+tagSize {
		return "", 0, fmt.Errorf("%w: 长度不符 / bad length", ErrCorrupt)
	}
	id = string(b[2:hlen])
	if !validKeyID(id) {
		return "", 0, fmt.Errorf("%w: 密钥 id 格式错误 / malformed key id", ErrCorrupt)
	}
	return id, hlen, nil
}

// Decrypt opens a ciphertext made by Encrypt with the same aad. An empty ciphertext (nothing
// stored) gives "", nil. A key id not in the ring gives ErrUnknownKey; anything malformed,
// tampered with or sealed with another aad gives ErrCorrupt.
func (k *Keyring) Decrypt(ciphertext []byte, aad []byte) (string, error) {
	if len(ciphertext) == 0 {
		return "", nil
	}
	id, hlen, err := parseHeader(ciphertext)
	if err != nil {
		return "", err
	}
	var aead cipher.AEAD
	if k != nil {
		aead = k.aeads[id]
	}
	if aead == nil {
		return "", fmt.Errorf("%w: %q", ErrUnknownKey, id)
	}
	plain, err := aead.Open(nil, nil, ciphertext[hlen:], gcmAAD(ciphertext[:hlen], aad))
	if err != nil {
		return "", ErrCorrupt
	}
	return string(plain), nil
}

// KeyID reports which key sealed a ciphertext, without decrypting it. For rotation, re-encrypt
// the rows whose KeyID differs from Active. An empty ciphertext (nothing stored) has no key:
// "", nil. Malformed input gives ErrCorrupt.
func KeyID(ciphertext []byte) (string, error) {
	if len(ciphertext) == 0 {
		return "", nil
	}
	id, _, err := parseHeader(ciphertext)
	return id, err
}

// Reencrypt is the rotation step for one stored value: a ciphertext sealed with another key
// than the active one is opened and sealed again with the active key (changed = true). One
// already under the active key, or empty, is returned as it is.
func (k *Keyring) Reencrypt(ciphertext []byte, aad []byte) (out []byte, changed bool, err error) {
	id, err := KeyID(ciphertext)
	if err != nil {
		return nil, false, err
	}
	if id == "" || id == k.Active() {
		return ciphertext, false, nil
	}
	plain, err := k.Decrypt(ciphertext, aad)
	if err != nil {
		return nil, false, err
	}
	out, err = k.Encrypt(plain, aad)
	if err != nil {
		return nil, false, err
	}
	return out, true, nil
}
