// Package keyfile keeps the platform's keys — the token-signing key, the keys of parties'
// personal data and the blind-index key — in a file outside the database, so that a dump of
// the database holds no key that opens or signs anything in it.
//
// The file is JSON, readable by its owner only (mode 0600, refused if wider), in a folder
// created 0700. It is created once, atomically: concurrent first starts agree on one file.
package keyfile

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
)

// Sentinel errors.
var (
	// ErrTooOpen: the file may be read or written by others than its owner.
	ErrTooOpen = errors.New("密钥文件权限过宽（应为 0600）/ key file permissions are too wide (want 0600)")
	// ErrInvalid: the file is not a key file of this format, or a key in it is malformed.
	ErrInvalid = errors.New("密钥文件格式无效 / invalid key file")
	// ErrConflict: merging would replace a key the file already holds with a different one.
	ErrConflict = errors.New("密钥文件已有不同的密钥，拒绝覆盖 / the key file holds a different key; not overwritten")
)

// KeySize is the size of every key in a file this package creates (AES-256, HMAC-SHA256).
const KeySize = 32

// FirstPIIKeyID is the id of the personal-data key of a created file.
const FirstPIIKeyID = "file1"

var keyIDRE = regexp.MustCompile(`^[a-z0-9-]{1,16}$`)

// Keys are the contents of a key file. A field may be empty in a migrated file when the
// database did not hold that key; Generate fills none but the missing ones.
type Keys struct {
	TokenKey     []byte            `json:"token_key,omitempty"`      // HMAC key of login tokens, >= 32 bytes
	PIIKeys      map[string][]byte `json:"pii_keys,omitempty"`       // id → AES-256 key of parties' personal data
	PIIActiveKey string            `json:"pii_active_key,omitempty"` // the id in PIIKeys that seals new data
	PIIIndexKey  []byte            `json:"pii_index_key,omitempty"`  // HMAC key of the blind indexes, 32 bytes
}

// check reports a malformed key.
func (k Keys) check() error {
	if len(k.TokenKey) > 0 && len(k.TokenKey) < 32 {
		return fmt.Errorf("%w: token_key 短于 32 字节 / token_key is shorter than 32 bytes", ErrInvalid)
	}
	for id, key := range k.PIIKeys {
		if !keyIDRE.MatchString(id) || len(key) != KeySize {
			return fmt.Errorf("%w: pii_keys 的 %q 须为 a-z0-9- 的 id 与 32 字节密钥 / pii_keys %q must be an id of a-z0-9- and a 32-byte key", ErrInvalid, id, id)
		}
	}
	if len(k.PIIKeys) > 0 && k.PIIKeys[k.PIIActiveKey] == nil {
		return fmt.Errorf("%w: pii_active_key 不在密钥列表（pii_keys）中 / pii_active_key is not in pii_keys", ErrInvalid)
	}
	if len(k.PIIIndexKey) > 0 && len(k.PIIIndexKey) != KeySize {
		return fmt.Errorf("%w: pii_index_key 须为 32 字节 / pii_index_key must be 32 bytes", ErrInvalid)
	}
	return nil
}

// Generate returns k with every missing key created at random.
func Generate(k Keys) (Keys, error) {
	fresh := func() ([]byte, error) {
		b := make([]byte, KeySize)
		_, err := rand.Read(b)
		return b, err
	}
	var err error
	if len(k.TokenKey) == 0 {
		if k.TokenKey, err = fresh(); err != nil {
			return k, err
		}
	}
	if len(k.PIIKeys) == 0 {
		key, err := fresh()
		if err != nil {
			return k, err
		}
		k.PIIKeys, k.PIIActiveKey = map[string][]byte{FirstPIIKeyID: key}, FirstPIIKeyID
	}
	if len(k.PIIIndexKey) == 0 {
		if k.PIIIndexKey, err = fresh(); err != nil {
			return k, err
		}
	}
	return k, nil
}

// Read reads the key file at path. A missing file gives an error matching fs.ErrNotExist; a
// file others may read or write gives ErrTooOpen (and is not read).
func Read(path string) (Keys, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return Keys{}, err
	}
	if !fi.Mode().IsRegular() {
		return Keys{}, fmt.Errorf("%w: %s 不是普通文件 / %s is not a regular file", ErrInvalid, path, path)
	}
	if perm := fi.Mode().Perm(); perm&^0o600 != 0 {
		return Keys{}, fmt.Errorf("%w: %s 为 %04o；请执行 chmod 600 %s / %s is %04o; run chmod 600 %s", ErrTooOpen, path, perm, path, path, perm, path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return Keys{}, err
	}
	var k Keys
	if err := json.Unmarshal(data, &k); err != nil {
		return Keys{}, fmt.Errorf("%w: %s: %v", ErrInvalid, path, err)
	}
	if err := k.check(); err != nil {
		return Keys{}, fmt.Errorf("%s: %w", path, err)
	}
	return k, nil
}

// Create creates the key file at path with fresh keys unless it exists, and returns the keys
// the file holds and whether this call created it. Its folder is created 0700 when missing.
// Concurrent calls (several processes starting together) agree on one file.
func Create(path string) (k Keys, created bool, err error) {
	k, err = Read(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return k, false, err
	}
	if k, err = Generate(Keys{}); err != nil {
		return k, false, err
	}
	created, err = write(path, k, false)
	if err != nil || !created {
		k, err = Read(path)
		return k, false, err
	}
	return k, true, nil
}

// Merge writes add into the key file at path, creating it when missing: a key the file lacks is
// added, one it holds with the same value is kept, one it holds with another value gives
// ErrConflict and nothing is written. PII keys are merged by id; add's active id wins only
// when the file has none. It returns the keys the file holds afterwards.
func Merge(path string, add Keys) (Keys, error) {
	if err := add.check(); err != nil {
		return Keys{}, err
	}
	cur, err := Read(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		cur = Keys{}
	case err != nil:
		return Keys{}, err
	}
	same := func(a, b []byte) bool { return string(a) == string(b) }
	if len(add.TokenKey) > 0 {
		if len(cur.TokenKey) > 0 && !same(cur.TokenKey, add.TokenKey) {
			return Keys{}, fmt.Errorf("%w: token_key", ErrConflict)
		}
		cur.TokenKey = add.TokenKey
	}
	if len(add.PIIIndexKey) > 0 {
		if len(cur.PIIIndexKey) > 0 && !same(cur.PIIIndexKey, add.PIIIndexKey) {
			return Keys{}, fmt.Errorf("%w: pii_index_key", ErrConflict)
		}
		cur.PIIIndexKey = add.PIIIndexKey
	}
	for id, key := range add.PIIKeys {
		if old, ok := cur.PIIKeys[id]; ok && !same(old, key) {
			return Keys{}, fmt.Errorf("%w: pii_keys %q", ErrConflict, id)
		}
		if cur.PIIKeys == nil {
			cur.PIIKeys = map[string][]byte{}
		}
		cur.PIIKeys[id] = key
	}
	if cur.PIIActiveKey == "" {
		cur.PIIActiveKey = add.PIIActiveKey
	}
	if _, err := write(path, cur, true); err != nil {
		return Keys{}, err
	}
	return cur, nil
}

// write writes k to path through a temporary file in the same folder: replace renames it over
// path; otherwise it is linked to path only if path does not exist (created false when it did).
func write(path string, k Keys, replace bool) (created bool, err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return false, err
	}
	data, err := json.MarshalIndent(k, "", "  ")
	if err != nil {
		return false, err
	}
	tmp, err := os.CreateTemp(dir, ".keys-*")
	if err != nil {
		return false, err
	}
	defer os.Remove(tmp.Name())
	// CreateTemp makes the file 0600 already; say so, whatever the umask.
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return false, err
	}
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return false, err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return false, err
	}
	if err := tmp.Close(); err != nil {
		return false, err
	}
	if replace {
		return true, os.Rename(tmp.Name(), path)
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return false, nil
		}
		return false, err
	}
	return true, nil
}
