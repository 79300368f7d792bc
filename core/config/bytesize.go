package config

import (
	"errors"
	"math"
	"strconv"
	"strings"
)

// byteUnits maps lower-cased unit suffixes to multipliers. IEC units (KiB,
// Ki) are binary; SI units with a B (KB, MB, GB) are decimal; the bare
// letters K, M, G are binary, as in nginx's client_max_body_size ("1M" is
// 1 MiB).
var byteUnits = map[string]int64{
	"":    1,
	"b":   1,
	"k":   kib,
	"ki":  kib,
	"kib": kib,
	"kb":  1000,
	"m":   mib,
	"mi":  mib,
	"mib": mib,
	"mb":  1000 * 1000,
	"g":   gib,
	"gi":  gib,
	"gib": gib,
	"gb":  1000 * 1000 * 1000,
}

var (
	errByteSizeSyntax   = errors.New("want a non-negative integer optionally followed by a unit (B, K, KB, KiB, M, MB, MiB, G, GB, GiB)")
	errByteSizeOverflow = errors.New("size too large")
)

// parseByteSize parses a non-negative byte count such as "1048576",
// "512KiB", "1 MiB", "2MB" or "1M". Units are case-insensitive; a space may
// separate number and unit. It never returns a negative value.
func parseByteSize(s string) (int64, error) {
	s = strings.TrimSpace(s)
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 {
		return 0, errByteSizeSyntax
	}
	mult, ok := byteUnits[strings.ToLower(strings.TrimSpace(s[i:]))]
	if !ok {
		return 0, errByteSizeSyntax
	}
	n, err := strconv.ParseInt(s[:i], 10, 64)
	if err != nil {
		return 0, errByteSizeOverflow
	}
	if n > math.MaxInt64/mult {
		return 0, errByteSizeOverflow
	}
	return n * mult, nil
}
