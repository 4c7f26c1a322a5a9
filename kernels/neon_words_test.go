package kernels

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The Go assembler lacks most NEON floating-point instructions, so the
// arm64 kernels (and the engine's sampler loop, ../engine/*_arm64.s) spell
// them as WORD $0x... with the instruction in GNU syntax in the comment.
// This test assembles every such comment with llvm-mc and checks that it
// encodes to the word beside it, so a comment can be trusted as the
// source of truth. It runs on any host that has llvm-mc (Debian package
// llvm; .ci/run installs it).
func TestNEONWordEncodings(t *testing.T) {
	mc, err := exec.LookPath("llvm-mc")
	if err != nil {
		t.Skip("llvm-mc not installed")
	}
	files, err := filepath.Glob("*_arm64.s")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	engine, err := filepath.Glob("../engine/*_arm64.s") // the sampler loop
	require.NoError(t, err)
	require.NotEmpty(t, engine)
	files = append(files, engine...)
	word := regexp.MustCompile(`^\s*WORD\s+\$0x([0-9a-fA-F]{8})\s*//\s*(.+?)\s*$`)
	type site struct {
		where string
		want  uint32
		ins   string
	}
	var sites []site
	for _, f := range files {
		fh, err := os.Open(f)
		require.NoError(t, err)
		sc := bufio.NewScanner(fh)
		for n := 1; sc.Scan(); n++ {
			m := word.FindStringSubmatch(sc.Text())
			if m == nil {
				continue
			}
			v, err := strconv.ParseUint(m[1], 16, 32)
			require.NoError(t, err)
			sites = append(sites, site{fmt.Sprintf("%s:%d", f, n), uint32(v), m[2]})
		}
		fh.Close()
	}
	require.NotEmpty(t, sites, "no WORD-encoded instructions found")
	var in strings.Builder
	for _, s := range sites {
		in.WriteString(s.ins + "\n")
	}
	cmd := exec.Command(mc, "-triple=aarch64", "-mattr=+neon,+fullfp16", "-show-encoding")
	cmd.Stdin = strings.NewReader(in.String())
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	enc := regexp.MustCompile(`encoding: \[0x([0-9a-f]{2}),0x([0-9a-f]{2}),0x([0-9a-f]{2}),0x([0-9a-f]{2})\]`)
	var got []uint32
	for _, l := range strings.Split(string(out), "\n") {
		if m := enc.FindStringSubmatch(l); m != nil {
			v, _ := strconv.ParseUint(m[4]+m[3]+m[2]+m[1], 16, 32)
			got = append(got, uint32(v))
		}
	}
	require.Len(t, got, len(sites), "llvm-mc encoded a different number of instructions")
	for i, s := range sites {
		assert.Equal(t, s.want, got[i], "%s: %s encodes to %#08x, the WORD says %#08x", s.where, s.ins, got[i], s.want)
	}
	t.Logf("%d WORD encodings checked", len(sites))
}
