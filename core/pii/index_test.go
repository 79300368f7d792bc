package pii

import (
	"bytes"
	"errors"
	"testing"
)

func mustIndexer(t testing.TB, key []byte) *Indexer {
	t.Helper()
	x, err := NewIndexer(key)
	if err != nil {
		t.Fatalf("NewIndexer: %v", err)
	}
	return x
}

func TestNewIndexer(t *testing.T) {
	for _, n := range []int{0, 16, 31, 33, 64} {
		if _, err := NewIndexer(make([]byte, n)); !errors.Is(err, ErrBadKey) {
			t.Errorf("NewIndexer(%d bytes): %v, want ErrBadKey", n, err)
		}
	}
	// The indexer copies its key.
	k := testKey(7)
	x := mustIndexer(t, k)
	before := x.Index(KindPhone, "13800138000")
	k[0] ^= 1
	if after := x.Index(KindPhone, "13800138000"); !bytes.Equal(before, after) {
		t.Errorf("index changed after the caller modified its key slice")
	}
}

func TestIndexDeterministicAndSized(t *testing.T) {
	x := mustIndexer(t, testKey(7))
	y := mustIndexer(t, testKey(7)) // another instance, same key (another server)
	for _, c := range []struct {
		kind  Kind
		value string
	}{
		{KindIDNumber, "11010519491231002X"},
		{KindPhone, "13800138000"},
		{KindAddress, "上海市普陀区曹杨路 100 号"},
		{"other", "anything"},
	} {
		a, b := x.Index(c.kind, c.value), y.Index(c.kind, c.value)
		if len(a) != IndexSize || IndexSize != 16 {
			t.Errorf("Index(%s) is %d bytes, want 16", c.kind, len(a))
		}
		if !bytes.Equal(a, b) || !bytes.Equal(a, x.Index(c.kind, c.value)) {
			t.Errorf("Index(%s, %q) not deterministic: %x vs %x", c.kind, c.value, a, b)
		}
	}
}

func TestIndexNormalizes(t *testing.T) {
	x := mustIndexer(t, testKey(7))
	tests := []struct {
		name string
		kind Kind
		a, b string
	}{
		{"mobile with +86 and spaces", KindPhone, "+86 138 0013 8000", "13800138000"},
		{"mobile with 0086 and dashes", KindPhone, "0086-138-0013-8000", "13800138000"},
		{"mobile full-width", KindPhone, "１３８００１３８０００", "13800138000"},
		{"landline separators", KindPhone, "(021) 5256-4588", "02152564588"},
		{"landline international", KindPhone, "+86 21 5256 4588", "021-52564588"},
		{"landline extension forms", KindPhone, "021-52564588转123", "021 52564588-123"},
		{"ID lower-case x", KindIDNumber, "11010519491231002x", "11010519491231002X"},
		{"ID spaces", KindIDNumber, " 110105 19491231 002X ", "11010519491231002X"},
		{"ID full-width", KindIDNumber, "１１０１０５１９４９１２３１００２Ｘ", "11010519491231002X"},
		{"address spaces", KindAddress, "  上海市普陀区   曹杨路\t100号 ", "上海市普陀区 曹杨路 100号"},
		{"address ideographic space", KindAddress, "上海市普陀区\u3000曹杨路", "上海市普陀区 曹杨路"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if a, b := x.Index(tt.kind, tt.a), x.Index(tt.kind, tt.b); !bytes.Equal(a, b) {
				t.Errorf("Index(%q) = %x, Index(%q) = %x; want equal", tt.a, a, tt.b, b)
			}
		})
	}
	// Values that differ after normalization index differently.
	for _, p := range []struct {
		kind Kind
		a, b string
	}{
		{KindPhone, "13800138000", "13800138001"},
		{KindPhone, "02152564588", "02152564588-1"},
		{KindIDNumber, "11010519491231002X", "110105194912310021"},
		{KindAddress, "上海市普陀区曹杨路", "上海市普陀区 曹杨路"},
		{KindAddress, "曹杨路 1 号", "曹杨路 1 號"},
	} {
		if bytes.Equal(x.Index(p.kind, p.a), x.Index(p.kind, p.b)) {
			t.Errorf("Index(%s) of %q and %q are equal", p.kind, p.a, p.b)
		}
	}
}

func TestIndexSeparatesKindsAndKeys(t *testing.T) {
	x := mustIndexer(t, testKey(7))
	y := mustIndexer(t, testKey(8))
	const digits = "13800138000"
	byKind := map[string]Kind{}
	for _, k := range []Kind{KindIDNumber, KindPhone, KindAddress, "custom"} {
		ix := string(x.Index(k, digits))
		if other, dup := byKind[ix]; dup {
			t.Errorf("kinds %s and %s give the same index for %q", other, k, digits)
		}
		byKind[ix] = k
		if bytes.Equal(x.Index(k, digits), y.Index(k, digits)) {
			t.Errorf("kind %s: two different keys give the same index", k)
		}
	}
}

func TestIndexEmpty(t *testing.T) {
	x := mustIndexer(t, testKey(7))
	for _, k := range []Kind{KindIDNumber, KindPhone, KindAddress} {
		for _, v := range []string{"", "   ", "\u3000"} {
			if ix := x.Index(k, v); ix != nil {
				t.Errorf("Index(%s, %q) = %x, want nil", k, v, ix)
			}
		}
	}
}
