package format

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The conformance suite in testdata/conformance is shared with the Python
// reader (python/tests/test_arw.py): every invalid file must be refused
// with the same field by both, every valid one accepted by both.

type conformanceEntry struct {
	File     string `json:"file"`
	Valid    bool   `json:"valid"`
	Field    string `json:"field,omitempty"`
	Checksum bool   `json:"checksum,omitempty"`
	Error    string `json:"error,omitempty"`
}

var nonWord = regexp.MustCompile(`[^a-z0-9]+`)

// layoutFile builds a version 1.0 file from a header text, extra zero
// padding after the header, and a data section, with correct checksums.
func layoutFile(js string, extraPad int, data []byte) []byte {
	dataOff := int(align(uint64(PreambleSize+len(js)))) + extraPad
	b := make([]byte, dataOff+len(data))
	copy(b[PreambleSize:], js)
	copy(b[dataOff:], data)
	le := binary.LittleEndian
	copy(b, Magic)
	le.PutUint16(b[offMajor:], VersionMajor)
	le.PutUint16(b[offMinor:], 0)
	le.PutUint64(b[offHeaderLen:], uint64(len(js)))
	le.PutUint64(b[offDataOffset:], uint64(dataOff))
	le.PutUint64(b[offDataLen:], uint64(len(data)))
	fixChecksums(b)
	return b
}

// validEdgeFiles are valid but non-canonical files both readers must accept.
func validEdgeFiles(t testing.TB) map[string][]byte {
	out := map[string][]byte{}

	// Indented JSON, tensors 256 bytes apart, 128 extra bytes of padding.
	good := goodFile(t, "nade")
	js, data := splitFile(good)
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(js), &m))
	var spread []byte
	for i, e := range m["tensors"].([]any) {
		ent := e.(map[string]any)
		off, n := int(ent["offset"].(float64)), int(ent["length"].(float64))
		ent["offset"] = i * 256
		spread = append(spread, make([]byte, i*256-len(spread))...)
		spread = append(spread, data[off:off+n]...)
	}
	spread = append(spread, 0, 0, 0) // unused bytes after the last tensor
	pretty, err := json.MarshalIndent(m, "", "  ")
	require.NoError(t, err)
	out["valid_noncanonical_layout"] = layoutFile(string(pretty), 128, spread)

	// Bernoulli without "categories".
	out["valid_bernoulli_without_categories"] = editHeader(t, goodFile(t, "made"), `"categories":2,`, ``)

	// A newer minor version with keys and a tensor this version does not know.
	js, data = splitFile(goodFile(t, "fvsbn"))
	js = strings.Replace(js, `"dims":6`, `"dims":6,"future_key":{"x":1}`, 1)
	js = strings.Replace(js, `"name":"order",`, `"name":"order","quant":"none",`, 1)
	js = strings.TrimSuffix(js, `]}`) + `,{"dtype":"float32","length":4,"name":"future","offset":320,"shape":[1]}]}`
	data = append(append(bytes.Clone(data), make([]byte, 320-len(data))...), 0, 0, 0x80, 0x3f)
	b := rawFile(js, data)
	binary.LittleEndian.PutUint16(b[offMinor:], 7)
	fixChecksums(b)
	out["valid_minor_7_unknown_keys"] = b

	// Reserved keys in a file of a newer minor version are ignored like
	// any key that version may have added (SPEC.md 2.1).
	js, data = splitFile(goodFile(t, "made"))
	js = strings.Replace(js, `"dims":6`, `"dims":6,"gated":false,"mask_types":["B"]`, 1)
	out["valid_made_minor_3_reserved_keys"] = rawFileMinor(js, data, 3)

	// A pixelcnn without residual layers, 1x1 kernels and 256 grey levels.
	h := Header{Arch: PixelCNN, Dims: 6, Shape: []int{2, 3}, Dist: Categorical, Categories: 256,
		Channels: 3, Layers: 0, KernelSize: 1, InputKernel: 3, HeadChannels: 2, Classes: 1}
	b, err = Encode(h, sampleTensors("", h, F32))
	require.NoError(t, err)
	out["valid_pixelcnn_no_layers_256_levels"] = b

	// A gatedpixelcnn of a newer minor version with a key and a tensor
	// this version does not know.
	js, data = splitFile(goodFile(t, "gatedpixelcnn"))
	js = strings.Replace(js, `"dims":12`, `"dilation":2,"dims":12`, 1)
	js = strings.TrimSuffix(js, `]}`) + `,{"dtype":"float32","length":4,"name":"future","offset":1472,"shape":[1]}]}`
	data = append(append(bytes.Clone(data), make([]byte, 1472-len(data))...), 0, 0, 0x80, 0x3f)
	out["valid_gatedpixelcnn_minor_3_unknown_key"] = rawFileMinor(js, data, 3)

	// A wavenet whose dilations sum to exactly 2^20 (16 layers of 65536).
	h = Header{Arch: WaveNet, Dims: 1, Shape: []int{1}, Dist: Bernoulli, Categories: 2,
		ResidualChannels: 1, GateChannels: 1, SkipChannels: 1, HeadChannels: 1}
	for range 16 {
		h.Dilations = append(h.Dilations, 65536)
	}
	b, err = Encode(h, sampleTensors("", h, F32))
	require.NoError(t, err)
	out["valid_wavenet_dilation_sum_at_limit"] = b

	// A one-layer audio wavenet (no res tensors at all) with 256 mu-law
	// levels, one class and the largest sample rate.
	h = Header{Arch: WaveNet, Dims: 3, Shape: []int{3}, Dist: Categorical, Categories: 256, Dilations: []int{3},
		ResidualChannels: 1, GateChannels: 1, SkipChannels: 1, HeadChannels: 1, Classes: 1, SampleRate: 1000000}
	b, err = Encode(h, sampleTensors("", h, F32))
	require.NoError(t, err)
	out["valid_wavenet_one_layer_256_levels"] = b

	// A wavenet of a newer minor version with a key and a tensor this
	// version does not know.
	js, data = splitFile(goodFile(t, "wavenet"))
	end := int(align(uint64(len(data))))
	js = strings.Replace(js, `"dims":16`, `"dims":16,"local_conditioning":{"channels":80}`, 1)
	js = strings.TrimSuffix(js, `]}`) + sprintf(`,{"dtype":"float32","length":4,"name":"cond_w","offset":%d,"shape":[1]}]}`, end)
	data = append(append(bytes.Clone(data), make([]byte, end-len(data))...), 0, 0, 0x80, 0x3f)
	out["valid_wavenet_minor_3_unknown_key"] = rawFileMinor(js, data, 3)
	return out
}

func conformanceFiles(t testing.TB) map[string][]byte {
	files := validEdgeFiles(t)
	add := func(group, name string, b []byte) {
		key := group + "_" + strings.Trim(nonWord.ReplaceAllString(strings.ToLower(name), "_"), "_")
		_, dup := files[key]
		require.False(t, dup, key)
		files[key] = b
	}
	for _, c := range headerCases(t) {
		add("header", c.name, c.file)
	}
	for _, c := range preambleCases(t) {
		add("preamble", c.name, c.file)
	}
	for _, c := range archCases() {
		add("arch", c.name, encodeBad(t, c.model, c.edit))
	}
	good := goodFile(t, "made")
	_, data := splitFile(good)
	for name, pos := range map[string]int{"preamble": offMinor, "header": PreambleSize + 3, "data": len(good) - len(data) + 5} {
		b := bytes.Clone(good)
		b[pos] ^= 0x20
		add("checksum", name, b)
	}
	return files
}

func TestConformanceFiles(t *testing.T) {
	dir := filepath.Join("testdata", "conformance")
	files := conformanceFiles(t)
	var manifest []conformanceEntry
	for _, name := range sortedKeys(files) {
		b := files[name]
		e := conformanceEntry{File: name + ".arw", Valid: true}
		if _, err := Read(bytes.NewReader(b), int64(len(b))); err != nil {
			var ae *Error
			require.ErrorAs(t, err, &ae)
			e = conformanceEntry{File: name + ".arw", Field: ae.Field, Checksum: errors.Is(err, ErrChecksum), Error: err.Error()}
		}
		assert.Equal(t, strings.HasPrefix(name, "valid_"), e.Valid, "%s: %s", name, e.Error)
		manifest = append(manifest, e)
	}
	mj, err := json.MarshalIndent(manifest, "", " ")
	require.NoError(t, err)
	mj = append(mj, '\n')
	if *update {
		require.NoError(t, os.RemoveAll(dir))
		require.NoError(t, os.MkdirAll(dir, 0o755))
		for name, b := range files {
			require.NoError(t, os.WriteFile(filepath.Join(dir, name+".arw"), b, 0o644))
		}
		require.NoError(t, os.WriteFile(filepath.Join(dir, "manifest.json"), mj, 0o644))
	}
	committed, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	require.NoError(t, err, "run go test ./format -run TestConformanceFiles -update")
	assert.Equal(t, string(committed), string(mj))
	for name, b := range files {
		got, err := os.ReadFile(filepath.Join(dir, name+".arw"))
		require.NoError(t, err)
		assert.True(t, bytes.Equal(b, got), name)
	}
	// Open (memory-mapped) agrees with Read on every file.
	for _, e := range manifest {
		f, err := Open(filepath.Join(dir, e.File))
		if e.Valid {
			require.NoError(t, err, e.File)
			require.NoError(t, f.Close())
		} else {
			require.Error(t, err, e.File)
			var ae *Error
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, e.Field, ae.Field, e.File)
		}
	}
}

func sortedKeys(m map[string][]byte) []string { return slices.Sorted(maps.Keys(m)) }
