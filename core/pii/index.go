package pii

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"hash"
	"sync"
)

// IndexSize is the length of a blind index.
const IndexSize = 16

// Indexer computes blind indexes: HMAC-SHA256, under a key of its own, over the kind and the
// normalized value, truncated to 16 bytes. Equal values give equal indexes, so an exact lookup
// is an SQL equality on the index column; the value itself never reaches the database.
//
// The index key is separate from the encryption keys and stays fixed across their rotations:
// changing it means recomputing every stored index. It must be kept as secret as the encryption
// keys — with it, the small space of phone and ID numbers can be searched exhaustively. An
// Indexer is safe for concurrent use; make one with NewIndexer (the zero value is not usable).
type Indexer struct {
	macs sync.Pool // of hash.Hash: HMAC-SHA256 under the index key, reused across calls
}

// NewIndexer takes the 32-byte index key (copied).
func NewIndexer(key []byte) (*Indexer, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("%w: 索引密钥须为 32 字节，实为 %d 字节 / index key must be 32 bytes, got %d", ErrBadKey, len(key), len(key))
	}
	key = bytes.Clone(key)
	x := &Indexer{}
	x.macs.New = func() any { return hmac.New(sha256.New, key) }
	return x, nil
}

// Normalize returns the form of value that kind compares by: NormalizeIDNumber for ID numbers,
// NormalizePhone for phones, NormalizeAddress for addresses and any other kind.
func Normalize(kind Kind, value string) string {
	switch kind {
	case KindIDNumber:
		return NormalizeIDNumber(value)
	case KindPhone:
		return NormalizePhone(value)
	default:
		return NormalizeAddress(value)
	}
}

// Index returns the 16-byte blind index of value as a kind. The value is normalized first
// (Normalize), and the kind is part of the MAC input, so the same digits as a phone and as an
// ID number index differently. A value that normalizes to "" has no index: nil (store NULL,
// which matches nothing).
func (x *Indexer) Index(kind Kind, value string) []byte {
	v := Normalize(kind, value)
	if v == "" {
		return nil
	}
	m := x.macs.Get().(hash.Hash)
	defer x.macs.Put(m)
	m.Reset()
	// The kind is length-prefixed so that no (kind, value) pair can collide with another.
	m.Write(binary.AppendUvarint(nil, uint64(len(kind))))
	m.Write([]byte(kind))
	m.Write([]byte(v))
	var sum [sha256.Size]byte
	return bytes.Clone(m.Sum(sum[:0])[:IndexSize])
}
