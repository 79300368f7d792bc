package pii

// Protector seals one personal-data value for storage — its ciphertext and, for the kinds that
// are looked up by exact value, its blind index — and opens it again.
type Protector struct {
	ring  *Keyring
	index *Indexer
}

// NewProtector combines a keyring and an indexer.
func NewProtector(ring *Keyring, index *Indexer) *Protector {
	return &Protector{ring: ring, index: index}
}

// Seal encrypts value bound to aad; the index is nil for addresses (never looked up exactly)
// and for empty values, whose ciphertext is nil too.
func (p *Protector) Seal(kind Kind, value string, aad []byte) (cipher, index []byte, err error) {
	if value == "" {
		return nil, nil, nil
	}
	if cipher, err = p.ring.Encrypt(value, aad); err != nil {
		return nil, nil, err
	}
	if kind != KindAddress {
		index = p.index.Index(kind, value)
	}
	return cipher, index, nil
}

// Open decrypts a sealed value.
func (p *Protector) Open(cipher, aad []byte) (string, error) { return p.ring.Decrypt(cipher, aad) }

// Index is the blind index of a value, for finding parties by exact ID number or phone.
func (p *Protector) Index(kind Kind, value string) []byte { return p.index.Index(kind, value) }

// Reseal re-encrypts a sealed value under the active key when another key sealed it (rotation);
// changed is false when there was nothing to do.
func (p *Protector) Reseal(cipher, aad []byte) ([]byte, bool, error) {
	return p.ring.Reencrypt(cipher, aad)
}
