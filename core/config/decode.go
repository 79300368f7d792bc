package config

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/viper"
)

// decoder converts raw viper values (strings from env and flags, YAML
// scalars and lists from the file, typed defaults) into Config fields. A
// value of the wrong type becomes a *FieldError and the field keeps its
// default.
type decoder struct {
	v      *viper.Viper
	errs   []*FieldError
	given  map[string]string // key -> value as given, for error messages (secrets masked)
	failed map[string]bool   // keys that already have a type error
}

// get returns the merged value for key; ok is false when it is unset (the
// field then keeps its default).
func (d *decoder) get(key string) (raw any, ok bool) {
	raw = d.v.Get(key)
	return raw, raw != nil
}

func (d *decoder) fail(key string, raw any) {
	d.failed[key] = true
	d.errs = append(d.errs, newFieldError(key, display(key, raw)))
}

func (d *decoder) str(key string, dst *string) {
	raw, ok := d.get(key)
	if !ok {
		return
	}
	s, ok := scalarString(raw)
	if !ok {
		d.fail(key, raw)
		return
	}
	s = strings.TrimSpace(s)
	d.given[key] = display(key, s)
	*dst = s
}

// secret is like str but neither trims nor records the value.
func (d *decoder) secret(key string, dst *string) {
	raw, ok := d.get(key)
	if !ok {
		return
	}
	s, ok := scalarString(raw)
	if !ok {
		d.fail(key, raw)
		return
	}
	*dst = s
}

func (d *decoder) duration(key string, dst *time.Duration) {
	raw, ok := d.get(key)
	if !ok {
		return
	}
	switch x := raw.(type) {
	case time.Duration:
		*dst = x
	case string:
		v, err := time.ParseDuration(strings.TrimSpace(x))
		if err != nil {
			d.fail(key, raw)
			return
		}
		d.given[key] = x
		*dst = v
	default:
		// A bare number is ambiguous (seconds? nanoseconds?): require a unit.
		d.fail(key, raw)
	}
}

// boolean accepts a YAML boolean or the strings true/false (environment, flags).
func (d *decoder) boolean(key string, dst *bool) {
	raw, ok := d.get(key)
	if !ok {
		return
	}
	switch x := raw.(type) {
	case bool:
		*dst = x
	case string:
		v, err := strconv.ParseBool(strings.TrimSpace(x))
		if err != nil {
			d.fail(key, raw)
			return
		}
		d.given[key] = x
		*dst = v
	default:
		d.fail(key, raw)
	}
}

func (d *decoder) int32(key string, dst *int32) {
	raw, ok := d.get(key)
	if !ok {
		return
	}
	n, ok := toInt64(raw)
	if !ok || n < math.MinInt32 || n > math.MaxInt32 {
		d.fail(key, raw)
		return
	}
	d.given[key] = display(key, raw)
	*dst = int32(n)
}

func (d *decoder) byteSize(key string, dst *int64) {
	raw, ok := d.get(key)
	if !ok {
		return
	}
	var n int64
	if s, isStr := raw.(string); isStr {
		v, err := parseByteSize(s)
		if err != nil {
			d.fail(key, raw)
			return
		}
		n = v
	} else if n, ok = toInt64(raw); !ok {
		d.fail(key, raw)
		return
	}
	d.given[key] = display(key, raw)
	*dst = n
}

// list accepts a YAML list of strings, a []string (flags) or a
// comma-separated string (env).
func (d *decoder) list(key string, dst *[]string) {
	raw, ok := d.get(key)
	if !ok {
		return
	}
	var out []string
	switch x := raw.(type) {
	case string:
		for _, p := range strings.Split(x, ",") {
			out = append(out, strings.TrimSpace(p))
		}
	case []string:
		for _, p := range x {
			out = append(out, strings.TrimSpace(p))
		}
	case []any:
		out = make([]string, 0, len(x))
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				d.fail(key, raw)
				return
			}
			out = append(out, strings.TrimSpace(s))
		}
	default:
		d.fail(key, raw)
		return
	}
	*dst = out
}

// scalarString converts a string or a YAML scalar (number, bool) to a string.
func scalarString(raw any) (string, bool) {
	switch x := raw.(type) {
	case string:
		return x, true
	case bool, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, float32, float64:
		return fmt.Sprint(x), true
	}
	return "", false
}

// toInt64 converts an integer, an integral float or a decimal string.
func toInt64(raw any) (int64, bool) {
	switch x := raw.(type) {
	case int:
		return int64(x), true
	case int8:
		return int64(x), true
	case int16:
		return int64(x), true
	case int32:
		return int64(x), true
	case int64:
		return x, true
	case uint:
		return uintToInt64(uint64(x))
	case uint8:
		return int64(x), true
	case uint16:
		return int64(x), true
	case uint32:
		return int64(x), true
	case uint64:
		return uintToInt64(x)
	case float32:
		return floatToInt64(float64(x))
	case float64:
		return floatToInt64(x)
	case string:
		n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64)
		return n, err == nil
	}
	return 0, false
}

func uintToInt64(u uint64) (int64, bool) {
	if u > math.MaxInt64 {
		return 0, false
	}
	return int64(u), true
}

func floatToInt64(f float64) (int64, bool) {
	// 2^63 is exactly representable; anything at or above it overflows.
	if f != math.Trunc(f) || f < math.MinInt64 || f >= math.MaxInt64 {
		return 0, false
	}
	return int64(f), true
}

// display renders a raw value for an error message, hiding secrets.
func display(key string, raw any) string {
	switch key {
	case keyAuthTokenKey, keySecurityPIIKeys, keySecurityPIIIndexKey:
		return hiddenValue
	case keyDBURL, keyDBAppURL:
		if s, ok := raw.(string); ok {
			return redactDatabaseURL(s)
		}
		return hiddenValue
	}
	return displayValue(raw)
}

func displayValue(raw any) string {
	switch x := raw.(type) {
	case string:
		return x
	case time.Duration:
		return x.String()
	case []string:
		return strings.Join(x, ",")
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = fmt.Sprint(e)
		}
		return strings.Join(parts, ",")
	}
	return fmt.Sprint(raw)
}
