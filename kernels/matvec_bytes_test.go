package kernels

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAMD64ByteEncodings is TestNEONWordEncodings for amd64: the Go
// assembler has no AVX512_BF16 mnemonics, so the MatVec kernels spell
// VDPBF16PS as a line of BYTE $0x.. directives with the instruction in
// AT&T syntax in the comment. This test assembles every such comment with
// llvm-mc and checks that it encodes to the bytes beside it.
func TestAMD64ByteEncodings(t *testing.T) {
	mc, err := exec.LookPath("llvm-mc")
	if err != nil {
		t.Skip("llvm-mc not installed")
	}
	files, err := filepath.Glob("*_amd64.s")
	require.NoError(t, err)
	line := regexp.MustCompile(`^\s*((?:BYTE\s+\$0x[0-9a-fA-F]{2}\s*;?\s*)+)//\s*(.+?)\s*$`)
	byteRe := regexp.MustCompile(`\$0x([0-9a-fA-F]{2})`)
	type site struct {
		where string
		want  string
		ins   string
	}
	var sites []site
	for _, f := range files {
		fh, err := os.Open(f)
		require.NoError(t, err)
		sc := bufio.NewScanner(fh)
		for n := 1; sc.Scan(); n++ {
			m := line.FindStringSubmatch(sc.Text())
			if m == nil {
				continue
			}
			var bs []string
			for _, b := range byteRe.FindAllStringSubmatch(m[1], -1) {
				bs = append(bs, strings.ToLower(b[1]))
			}
			sites = append(sites, site{fmt.Sprintf("%s:%d", f, n), strings.Join(bs, ","), m[2]})
		}
		fh.Close()
	}
	require.NotEmpty(t, sites, "no BYTE-encoded instructions found")
	var in strings.Builder
	for _, s := range sites {
		in.WriteString(s.ins + "\n")
	}
	cmd := exec.Command(mc, "-triple=x86_64", "-show-encoding")
	cmd.Stdin = strings.NewReader(in.String())
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	enc := regexp.MustCompile(`encoding: \[((?:0x[0-9a-f]{2},?)+)\]`)
	var got []string
	for _, l := range strings.Split(string(out), "\n") {
		if m := enc.FindStringSubmatch(l); m != nil {
			got = append(got, strings.ReplaceAll(m[1], "0x", ""))
		}
	}
	require.Len(t, got, len(sites), "llvm-mc encoded a different number of instructions")
	for i, s := range sites {
		assert.Equal(t, s.want, got[i], "%s: %s encodes to %s, the BYTEs say %s", s.where, s.ins, got[i], s.want)
	}
	t.Logf("%d BYTE encodings checked", len(sites))
}
