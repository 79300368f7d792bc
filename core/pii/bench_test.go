package pii

import "testing"

func BenchmarkEncrypt(b *testing.B) {
	ring := mustRing(b, map[string][]byte{"k1": testKey(1)}, "k1")
	aad := AAD("310107", "0b9f7a2e-party", "id_number")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ring.Encrypt("11010519491231002X", aad); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecrypt(b *testing.B) {
	ring := mustRing(b, map[string][]byte{"k1": testKey(1)}, "k1")
	aad := AAD("310107", "0b9f7a2e-party", "id_number")
	ct, err := ring.Encrypt("11010519491231002X", aad)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ring.Decrypt(ct, aad); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkIndex(b *testing.B) {
	x := mustIndexer(b, testKey(7))
	b.ReportAllocs()
	for b.Loop() {
		if ix := x.Index(KindIDNumber, "11010519491231002x"); len(ix) != IndexSize {
			b.Fatal(len(ix))
		}
	}
}
