package sdktest_test

import (
	"testing"

	"github.com/fengqiao/fengqiao/plugins/sdk"
	"github.com/fengqiao/fengqiao/plugins/sdk/sdktest"
)

// TestHostContract runs the host-API contract against the fake; core/pluginhost runs the same
// table against the platform's host.
func TestHostContract(t *testing.T) {
	sdktest.HostContract(t, func(t *testing.T, grant []string) (sdk.Host, sdktest.Fixture) {
		return sdktest.NewContractHost(grant...)
	})
}
