package app

import (
	"strings"
	"testing"
	"time"

	"github.com/fengqiao/fengqiao/core/config"
)

// The console's settings reach its options; the CSRF key is derived from the token key.
func TestConsoleOptionsFromConfig(t *testing.T) {
	cfg := config.Defaults()
	cfg.Auth.TokenKey = strings.Repeat("k", 32)
	cfg.Console = config.Console{IdleTimeout: 5 * time.Minute, MaxAge: 2 * time.Hour, SecureCookies: true}
	o := consoleOptions(cfg)
	if o.IdleTimeout != 5*time.Minute || o.MaxAge != 2*time.Hour || !o.SecureCookies || o.Disabled {
		t.Errorf("options %+v", o)
	}
	if len(o.CSRFKey) != 32 || string(o.CSRFKey) == cfg.Auth.TokenKey {
		t.Errorf("CSRF key of %d bytes, or the token key itself", len(o.CSRFKey))
	}
	other := cfg
	other.Auth.TokenKey = strings.Repeat("x", 32)
	if string(consoleOptions(other).CSRFKey) == string(o.CSRFKey) {
		t.Error("the CSRF key does not depend on the token key")
	}
}
