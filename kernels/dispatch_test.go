package kernels

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseTier(t *testing.T) {
	for tier := Generic; tier < numTiers; tier++ {
		got, err := ParseTier(strings.ToUpper(tier.String()))
		require.NoError(t, err)
		assert.Equal(t, tier, got)
	}
	_, err := ParseTier("sse9")
	assert.ErrorContains(t, err, `unknown tier "sse9"`)
}

func TestSetTier(t *testing.T) {
	prev := Active()
	defer func() { require.NoError(t, SetTier(prev)) }()
	avail := Available()
	require.Equal(t, Generic, avail[0], "generic is always available")
	for _, tier := range avail {
		require.NoError(t, SetTier(tier))
		assert.Equal(t, tier, Active())
		assert.Contains(t, Describe(), "kernels="+tier.String())
	}
	for tier := Generic; tier < numTiers; tier++ {
		if tiers[tier] == nil {
			assert.ErrorContains(t, SetTier(tier), "not available")
		}
	}
	assert.Error(t, SetTier(numTiers))
}

// TestEnvVar runs this test binary again with ARINFER_KERNELS set and checks
// the tier it starts with.
func TestEnvVar(t *testing.T) {
	if os.Getenv("ARINFER_KERNELS_CHILD") != "" {
		want := os.Getenv("ARINFER_KERNELS_WANT")
		if want == "error" {
			if EnvError() == nil {
				t.Fatal("bad ARINFER_KERNELS accepted")
			}
			return
		}
		if EnvError() != nil || Active().String() != want {
			t.Fatalf("tier %s, error %v; want %s", Active(), EnvError(), want)
		}
		return
	}
	cases := map[string]string{"generic": "generic", "bogus": "error"}
	for _, tier := range Available() {
		cases[tier.String()] = tier.String()
	}
	for env, want := range cases {
		cmd := exec.Command(os.Args[0], "-test.run=^TestEnvVar$")
		cmd.Env = append(os.Environ(), EnvVar+"="+env, "ARINFER_KERNELS_CHILD=1", "ARINFER_KERNELS_WANT="+want)
		out, err := cmd.CombinedOutput()
		if err != nil && strings.Contains(err.Error(), "exec format error") {
			t.Skipf("cannot re-execute the test binary (running under an emulator via go test -exec): %v", err)
		}
		assert.NoError(t, err, "%s=%s: %s", EnvVar, env, out)
	}
}
