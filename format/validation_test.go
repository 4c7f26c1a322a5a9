package format

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func goodFile(t testing.TB, name string) []byte {
	t.Helper()
	h := sampleHeaders()[name]
	b, err := Encode(h, sampleTensors(name, h, F32))
	require.NoError(t, err)
	return b
}

// editHeader returns the file with its JSON header text edited by
// strings.Replace(old, new, 1), keeping its version; the checksums are
// recomputed, so only the validation under test can fail.
func editHeader(t testing.TB, b []byte, old, new string) []byte {
	t.Helper()
	js, data := splitFile(b)
	require.Contains(t, js, old, "test precondition: header contains %q", old)
	return rawFileMinor(strings.Replace(js, old, new, 1), data, binary.LittleEndian.Uint16(b[offMinor:]))
}

func readBytes(b []byte) error {
	_, err := Read(bytes.NewReader(b), int64(len(b)))
	return err
}

// badFile is an invalid file and a substring its error must contain.
type badFile struct {
	name string
	file []byte
	want string
}

// headerCases are files whose JSON header breaks a rule (checksums valid).
func headerCases(t testing.TB) []badFile {
	made := goodFile(t, "made")
	js, data := splitFile(made)
	madeMinor2 := rawFileMinor(js, data, 2) // valid: a reader accepts any minor >= the arch's
	nade := goodFile(t, "nade")
	pc := goodFile(t, "pixelcnn")
	gp := goodFile(t, "gatedpixelcnn")
	wn := goodFile(t, "wavenet")
	wa := goodFile(t, "wavenet_audio")
	cases := []struct {
		name     string
		file     []byte
		old, new string
		want     string // substring naming the field and the problem
	}{
		{"unknown arch", made, `"arch":"made"`, `"arch":"transformer"`, `header.arch: unknown architecture "transformer" (this build, format 1.2, knows fvsbn, nade, made, lstm, gru, pixelcnn, gatedpixelcnn, wavenet)`},
		{"arch not a string", made, `"arch":"made"`, `"arch":5`, `header.arch: want a string`},
		{"missing arch", made, `"arch":"made",`, ``, `header.arch: required key is missing`},
		{"dims disagrees with shape", made, `"dims":6`, `"dims":7`, `header.shape: shape [1 2 3] has 6 or more elements, but dims is 7`},
		{"dims not an integer", made, `"dims":6`, `"dims":6.0`, `header.dims: want an integer, found 6.0`},
		{"dims null", made, `"dims":6`, `"dims":null`, `header.dims: must not be null`},
		{"dims zero", made, `"dims":6`, `"dims":0`, `header.dims: value 0 outside [1,`},
		{"dims huge", made, `"dims":6`, `"dims":1099511627776`, `header.dims: value 1099511627776 outside`},
		{"shape rank", made, `"shape":[1,2,3]`, `"shape":[1,1,1,1,1,1,1,2,3]`, `header.shape: array has 9 entries, want between 1 and 8`},
		{"shape negative", made, `"shape":[1,2,3]`, `"shape":[-1,2,3]`, `header.shape: entry 0: value -1 outside`},
		{"missing dist", made, `"dist":"bernoulli",`, ``, `header.dist: required key is missing`},
		{"unknown dist", made, `"dist":"bernoulli"`, `"dist":"poisson"`, `header.dist: unknown distribution "poisson"`},
		{"unknown dist without categories", editHeader(t, goodFile(t, "lstm"), `"categories":3,`, ``), `"dist":"categorical"`, `"dist":"poisson"`, `header.dist: unknown distribution "poisson"`},
		{"unknown dist and categories not an integer", made, `"categories":2,"dims":6,"direct":true,"dist":"bernoulli"`, `"categories":"two","dims":6,"direct":true,"dist":"poisson"`, `header.dist: unknown distribution "poisson"`},
		{"categorical made", made, `"dist":"bernoulli"`, `"dist":"categorical"`, `header.dist: arch made supports only dist bernoulli`},
		{"categorical without categories", goodFile(t, "lstm"), `"categories":3,`, ``, `header.categories: required key is missing (it may be omitted only for dist bernoulli)`},
		{"bernoulli categories", made, `"categories":2`, `"categories":3`, `header.categories: is 3, must be 2 for dist bernoulli`},
		{"masks on nade", nade, `"hidden":[4]`, `"hidden":[4],"masks":2`, `header.masks: key is not used by arch nade`},
		{"nade two layers", nade, `"hidden":[4]`, `"hidden":[4,4]`, `header.hidden: array has 2 entries, want between 1 and 1`},
		{"direct not bool", made, `"direct":true`, `"direct":1`, `header.direct: want true or false, found 1`},
		{"masks missing", made, `"masks":2,`, ``, `header.masks: required key is missing`},
		{"unknown key", made, `"dims":6`, `"dims":6,"dropout":0.5`, `header.dropout: unknown key in a version 1.0 file`},
		{"reserved key", made, `"dims":6`, `"dims":6,"mask_types":["A"]`, `header.mask_types: key is reserved for a later version`},
		{"reserved key in a made file of version 1.2", madeMinor2, `"dims":6`, `"dims":6,"gated":false`, `header.gated: key is reserved for a later version`},
		{"duplicate key", made, `"dims":6`, `"dims":6,"dims":6`, `header: invalid JSON: duplicate key "dims"`},
		{"duplicate key in meta", goodFile(t, "fvsbn"), `"epochs":3`, `"epochs":3,"epochs":4`, `duplicate key "epochs" in object "meta"`},
		{"meta not an object", made, `"dims":6`, `"dims":6,"meta":[1]`, `header.meta: must be a JSON object, found [1]`},
		{"invalid JSON", made, `"dims":6,`, `"dims":6,,`, `header: invalid JSON`},
		{"not an object", rawFile(`[1,2]`, nil), "", "", `header: must be a JSON object`},
		{"unbalanced", made, `{"arch"`, `[{"arch"`, `header: invalid JSON`},
		{"not UTF-8", made, `"made"`, "\"m\xffde\"", `header: JSON header is not valid UTF-8`},
		{"tensors missing", made, `"tensors":`, `"tensorz":`, `header.tensorz: unknown key`},
		{"tensors not array", rawFile(`{"arch":"fvsbn","categories":2,"dims":1,"dist":"bernoulli","shape":[1],"tensors":5}`, nil), "", "", `header.tensors: want an array of tensor entries, found 5`},
		{"tensor entry not object", rawFile(`{"arch":"fvsbn","categories":2,"dims":1,"dist":"bernoulli","shape":[1],"tensors":[5]}`, nil), "", "", `header.tensors[0]: want an object, found 5`},
		{"tensor entry unknown key", made, `{"dtype":"int32","length":48,"name":"order"`, `{"dtype":"int32","length":48,"name":"order","scale":1`, `header.tensors[0]: unknown key "scale"`},
		{"tensor name missing", made, `"name":"order",`, ``, `header.tensors[0].name: required key is missing or null`},
		{"tensor name empty", made, `"name":"order"`, `"name":""`, `header.tensors[0].name: name must be 1 to 256 bytes`},
		{"duplicate tensor", made, `"name":"degrees2"`, `"name":"degrees1"`, `tensor "degrees1": appears twice in the tensor index`},
		{"unknown dtype", made, `"dtype":"float32","length":120,"name":"W1"`, `"dtype":"q4_0","length":120,"name":"W1"`, `tensor "W1".dtype: unknown dtype "q4_0" (this build, format 1.2, reads float32, float16, bfloat16, int32)`},
		{"length disagrees", made, `"length":120,"name":"W1"`, `"length":124,"name":"W1"`, `tensor "W1".length: length is 124 bytes, but shape [5 6] of float32 needs 120`},
		{"misaligned offset", made, `"name":"W1","offset":192`, `"name":"W1","offset":196`, `tensor "W1".offset: offset 196 is not a multiple of 64`},
		{"offset past end", made, `"name":"W1","offset":192`, `"name":"W1","offset":1099511627776`, `tensor "W1".offset: bytes [1099511627776, 1099511627776+120) run past the end`},
		{"offset beyond uint64", made, `"name":"W1","offset":192`, `"name":"W1","offset":18446744073709551616`, `tensor "W1".offset: want a non-negative integer below 2^64`},
		{"negative offset", made, `"name":"W1","offset":192`, `"name":"W1","offset":-64`, `tensor "W1".offset: want a non-negative integer`},
		{"overlap", made, `"name":"W1","offset":192`, `"name":"W1","offset":128`, `tensor "W1".offset: offset 128 overlaps or precedes tensor "degrees2"`},
		{"huge shape claim", made, `"length":120,"name":"W1","offset":192,"shape":[5,6]`, `"length":120,"name":"W1","offset":192,"shape":[1099511627776,1099511627776]`, `tensor "W1".shape: shape [1099511627776 1099511627776] needs more bytes than the`},
		{"overflowing shape", made, `"length":120,"name":"W1","offset":192,"shape":[5,6]`, `"length":120,"name":"W1","offset":192,"shape":[4294967296,4294967296,4294967296]`, `tensor "W1".shape: shape`},
		// A shape whose bytes exceed data_len is named as the shape, after
		// the five keys are found present and before offset and length
		// are read (SPEC.md 2.2).
		{"huge shape and wrong length", made, `"length":120,"name":"W1","offset":192,"shape":[5,6]`, `"length":7,"name":"W1","offset":192,"shape":[1099511627776,1099511627776]`, `tensor "W1".shape: shape [1099511627776 1099511627776] needs more bytes than the`},
		{"huge shape and misaligned offset", made, `"length":120,"name":"W1","offset":192,"shape":[5,6]`, `"length":120,"name":"W1","offset":3,"shape":[4294967296,4294967296,4294967296]`, `tensor "W1".shape: shape`},
		{"huge shape and length missing", made, `"length":120,"name":"W1","offset":192,"shape":[5,6]`, `"name":"W1","offset":192,"shape":[1099511627776,1099511627776]`, `header.tensors[3].length: required key is missing or null`},
		{"zero dimension", made, `"shape":[5,6]`, `"shape":[0,6]`, `tensor "W1".shape: entry 0: value 0 outside`},
		{"tensor rank", made, `"shape":[5,6]`, `"shape":[1,1,1,1,1,1,1,5,6]`, `tensor "W1".shape: array has 9 entries, want between 0 and 8`},

		// Image architectures (format 1.1, SPEC.md 3.5).
		{"pixelcnn shape rank 3", pc, `"shape":[3,4]`, `"shape":[1,3,4]`, `header.shape: is [1 3 4], but arch pixelcnn needs exactly [H, W]`},
		{"gatedpixelcnn shape rank 1", gp, `"shape":[4,3]`, `"shape":[12]`, `header.shape: is [12], but arch gatedpixelcnn needs exactly [H, W]`},
		{"pixelcnn too many pixels", pc, `"dims":12,`, `"dims":1049600,`, ``},
		{"pixelcnn image too wide", pc, `"dims":12,`, `"dims":65536,`, ``},
		{"pixelcnn even kernel_size", pc, `"kernel_size":3`, `"kernel_size":4`, `header.kernel_size: is 4, must be odd`},
		{"pixelcnn even input_kernel", pc, `"input_kernel":5`, `"input_kernel":6`, `header.input_kernel: is 6, must be odd`},
		{"pixelcnn input_kernel 1", pc, `"input_kernel":5`, `"input_kernel":1`, `header.input_kernel: value 1 outside [3, 255]`},
		{"pixelcnn kernel_size too large", pc, `"kernel_size":3`, `"kernel_size":257`, `header.kernel_size: value 257 outside [1, 255]`},
		{"gatedpixelcnn kernel_size 1", gp, `"kernel_size":3`, `"kernel_size":1`, `header.kernel_size: value 1 outside [3, 255]`},
		{"gatedpixelcnn kernel_size not an integer", gp, `"kernel_size":3`, `"kernel_size":3.0`, `header.kernel_size: want an integer, found 3.0`},
		{"pixelcnn missing classes", pc, `"classes":2,`, ``, `header.classes: required key is missing`},
		{"gatedpixelcnn missing head_channels", gp, `"head_channels":3,`, ``, `header.head_channels: required key is missing`},
		{"pixelcnn missing input_kernel", pc, `"input_kernel":5,`, ``, `header.input_kernel: required key is missing`},
		{"input_kernel in gatedpixelcnn", gp, `"head_channels":3,`, `"head_channels":3,"input_kernel":3,`, `header.input_kernel: key is not used by arch gatedpixelcnn`},
		{"channels in made", made, `"dims":6`, `"channels":2,"dims":6`, `header.channels: key is not used by arch made`},
		{"hidden in pixelcnn", pc, `"dims":12`, `"dims":12,"hidden":[4]`, `header.hidden: key is not used by arch pixelcnn`},
		{"gatedpixelcnn layers zero", gp, `"layers":2`, `"layers":0`, `header.layers: value 0 outside [1, 1024]`},
		{"pixelcnn layers too many", pc, `"layers":2`, `"layers":1025`, `header.layers: value 1025 outside [0, 1024]`},
		{"pixelcnn channels zero", pc, `"channels":2`, `"channels":0`, `header.channels: value 0 outside [1, 65536]`},
		{"gatedpixelcnn channels too many", gp, `"channels":2`, `"channels":65537`, `header.channels: value 65537 outside [1, 65536]`},
		{"pixelcnn negative classes", pc, `"classes":2`, `"classes":-1`, `header.classes: value -1 outside [0, 65536]`},
		{"pixelcnn classes null", pc, `"classes":2`, `"classes":null`, `header.classes: must not be null`},
		{"gatedpixelcnn too many categories", gp, `"categories":4`, `"categories":65537`, `header.categories: is 65537, but arch gatedpixelcnn allows at most 65536 categories`},
		{"gatedpixelcnn categorical without categories", gp, `"categories":4,`, ``, `header.categories: required key is missing`},
		{"gatedpixelcnn reserved key", gp, `"dims":12`, `"dims":12,"gated":true`, `header.gated: key is reserved for a later version`},

		// WaveNet (format 1.2, SPEC.md 3.8).
		{"wavenet arch in a version 1.0 file", made, `"arch":"made"`, `"arch":"wavenet"`, `preamble.minor: arch wavenet was added in format version 1.2, but the file has version 1.0`},
		{"wavenet empty dilations", wn, `"dilations":[1,2,4]`, `"dilations":[]`, `header.dilations: array has 0 entries, want between 1 and 1024`},
		{"wavenet dilation 0", wn, `"dilations":[1,2,4]`, `"dilations":[1,0,4]`, `header.dilations: entry 1: value 0 outside [1, 65536]`},
		{"wavenet dilation too large", wn, `"dilations":[1,2,4]`, `"dilations":[1,65537,4]`, `header.dilations: entry 1: value 65537 outside [1, 65536]`},
		{"wavenet dilation not an integer", wn, `"dilations":[1,2,4]`, `"dilations":[1,2.0,4]`, `header.dilations: entry 1: want an integer, found 2.0`},
		{"wavenet dilations not an array", wn, `"dilations":[1,2,4]`, `"dilations":4`, `header.dilations: want an array of integers, found 4`},
		{"wavenet dilations sum too large", wn, `"dilations":[1,2,4]`, `"dilations":[` + repeatInt(65536, 16) + `,1]`, `header.dilations: sum to 1048577, but arch wavenet allows at most 1048576`},
		{"wavenet too many layers", wn, `"dilations":[1,2,4]`, `"dilations":[` + repeatInt(1, 1025) + `]`, `header.dilations: array has 1025 entries, want between 1 and 1024`},
		{"wavenet missing dilations", wn, `"dilations":[1,2,4],`, ``, `header.dilations: required key is missing`},
		{"wavenet missing gate_channels", wn, `"gate_channels":2,`, ``, `header.gate_channels: required key is missing`},
		{"wavenet missing residual_channels", wn, `"residual_channels":3,`, ``, `header.residual_channels: required key is missing`},
		{"wavenet missing skip_channels", wa, `"skip_channels":2,`, ``, `header.skip_channels: required key is missing`},
		{"wavenet missing head_channels", wn, `"head_channels":5,`, ``, `header.head_channels: required key is missing`},
		{"wavenet missing classes", wn, `"classes":2,`, ``, `header.classes: required key is missing`},
		{"wavenet residual_channels zero", wn, `"residual_channels":3`, `"residual_channels":0`, `header.residual_channels: value 0 outside [1, 65536]`},
		{"wavenet gate_channels too many", wn, `"gate_channels":2`, `"gate_channels":65537`, `header.gate_channels: value 65537 outside [1, 65536]`},
		{"wavenet skip_channels null", wn, `"skip_channels":4`, `"skip_channels":null`, `header.skip_channels: must not be null`},
		{"wavenet head_channels zero", wa, `"head_channels":3`, `"head_channels":0`, `header.head_channels: value 0 outside [1, 65536]`},
		{"wavenet negative classes", wn, `"classes":2`, `"classes":-1`, `header.classes: value -1 outside [0, 65536]`},
		{"wavenet too many classes", wn, `"classes":2`, `"classes":65537`, `header.classes: value 65537 outside [0, 65536]`},
		{"wavenet sample_rate with bernoulli", wn, `"residual_channels":3,`, `"residual_channels":3,"sample_rate":8000,`, `header.sample_rate: is present, but dist is bernoulli`},
		{"wavenet sample_rate 0", wa, `"sample_rate":8000`, `"sample_rate":0`, `header.sample_rate: value 0 outside [1, 1000000]`},
		{"wavenet sample_rate too high", wa, `"sample_rate":8000`, `"sample_rate":1000001`, `header.sample_rate: value 1000001 outside [1, 1000000]`},
		{"wavenet sample_rate not an integer", wa, `"sample_rate":8000`, `"sample_rate":8000.5`, `header.sample_rate: want an integer, found 8000.5`},
		{"wavenet sample_rate null", wa, `"sample_rate":8000`, `"sample_rate":null`, `header.sample_rate: must not be null`},
		{"wavenet too many categories", wa, `"categories":16`, `"categories":65537`, `header.categories: is 65537, but arch wavenet allows at most 65536 categories`},
		{"wavenet categorical without categories", wa, `"categories":16,`, ``, `header.categories: required key is missing`},
		{"wavenet mask_types present", wn, `"dims":16`, `"dims":16,"mask_types":["A","B"]`, `header.mask_types: key is reserved for a later version`},
		{"wavenet gated present", wa, `"dims":8000`, `"dims":8000,"gated":true`, `header.gated: key is reserved for a later version`},
		{"channels in wavenet", wn, `"dims":16`, `"channels":3,"dims":16`, `header.channels: key is not used by arch wavenet`},
		{"layers in wavenet", wn, `"dims":16`, `"dims":16,"layers":3`, `header.layers: key is not used by arch wavenet`},
		{"hidden in wavenet", wa, `"dims":8000`, `"dims":8000,"hidden":[2]`, `header.hidden: key is not used by arch wavenet`},
		{"dilations in gatedpixelcnn", gp, `"dims":12`, `"dilations":[1],"dims":12`, `header.dilations: key is not used by arch gatedpixelcnn`},
		{"residual_channels in made", made, `"dims":6`, `"dims":6,"residual_channels":2`, `header.residual_channels: key is not used by arch made`},
		{"sample_rate in lstm", goodFile(t, "lstm"), `"dims":4`, `"dims":4,"sample_rate":8000`, `header.sample_rate: key is not used by arch lstm`},
	}
	// Two edits each: dims and shape change together.
	twoEdits := map[string]struct{ shape, want string }{
		"pixelcnn too many pixels": {`"shape":[1025,1024]`, `header.shape: [1025 1024] has 1049600 pixels, but arch pixelcnn allows at most 1048576`},
		"pixelcnn image too wide":  {`"shape":[1,65536]`, `header.shape: is [1 65536], but arch pixelcnn allows at most 65535 rows and 65535 columns`},
	}
	var out []badFile
	for _, c := range cases {
		b := c.file
		if c.old != "" {
			b = editHeader(t, c.file, c.old, c.new)
		}
		if e, ok := twoEdits[c.name]; ok {
			b = editHeader(t, b, `"shape":[3,4]`, e.shape)
			c.want = e.want
		}
		out = append(out, badFile{c.name, b, c.want})
	}
	return out
}

func TestHeaderValidation(t *testing.T) {
	for _, c := range headerCases(t) {
		t.Run(c.name, func(t *testing.T) {
			err := readBytes(c.file)
			require.Error(t, err)
			var e *Error
			require.ErrorAs(t, err, &e)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

// repeatInt returns n copies of v separated by commas.
func repeatInt(v, n int) string {
	return strings.TrimSuffix(strings.Repeat(strconv.Itoa(v)+",", n), ",")
}

// patch returns a copy of b with a little-endian value written at off and
// the checksums recomputed.
func patch(b []byte, off int, v uint64, size int) []byte {
	b = bytes.Clone(b)
	switch size {
	case 2:
		binary.LittleEndian.PutUint16(b[off:], uint16(v))
	case 4:
		binary.LittleEndian.PutUint32(b[off:], uint32(v))
	case 8:
		binary.LittleEndian.PutUint64(b[off:], v)
	}
	fixChecksums(b)
	return b
}

// preambleCases are files whose preamble or layout breaks a rule.
func preambleCases(t testing.TB) []badFile {
	good := goodFile(t, "fvsbn")
	js, data := splitFile(good)
	dataOff := uint64(len(good) - len(data))
	padded := bytes.Clone(good)
	padded[PreambleSize+len(js)] = 7
	fixChecksums(padded)
	return []badFile{
		{"empty", nil, "preamble: file is 0 bytes, shorter than the 64-byte preamble"},
		{"short", good[:63], "preamble: file is 63 bytes"},
		{"bad magic", append([]byte("GGUF"), good[4:]...), "preamble.magic: not an .arw file"},
		{"newer major", patch(good, offMajor, 2, 2), "preamble.version: file has format version 2.0; this build reads version 1.x (up to 1.2); upgrade arinfer"},
		{"major zero", patch(good, offMajor, 0, 2), "preamble.version: file has format version 0.0"},
		{"flags", patch(good, offFlags, 1, 4), "preamble.flags: flags are 0x1, must be 0"},
		{"reserved", patch(good, offReserved, 1, 4), "preamble.reserved: bytes [52,64) must be zero"},
		{"header_len zero", patch(good, offHeaderLen, 0, 8), "preamble.header_len: header length 0 outside [2, 16777216]"},
		{"header_len over cap", patch(good, offHeaderLen, MaxHeaderLen+1, 8), "preamble.header_len: header length 16777217 outside"},
		{"header_len past end", patch(patch(good[:200], offDataOffset, 192, 8), offHeaderLen, 1000, 8), "preamble.header_len: header length 1000 runs past the end of the 200-byte file"},
		{"header_len huge", patch(good, offHeaderLen, 1<<63, 8), "preamble.header_len: header length 9223372036854775808 outside"},
		{"data_offset misaligned", patch(good, offDataOffset, dataOff+1, 8), "preamble.data_offset: data offset 577 is not a multiple of 64"},
		{"data_offset in header", patch(good, offDataOffset, 64, 8), "preamble.data_offset: data offset 64 overlaps the header"},
		{"data_offset past end", patch(good, offDataOffset, 1<<62, 8), "preamble.data_offset: data offset 4611686018427387904 is past the end"},
		{"data_len too big", patch(good, offDataLen, uint64(len(data))+1, 8), "preamble.data_len: data section claims 281 bytes"},
		{"data_len huge", patch(good, offDataLen, 1<<63, 8), "preamble.data_len: data section claims 9223372036854775808 bytes"},
		{"trailing bytes", func() []byte { b := append(bytes.Clone(good), 0); fixChecksums(b); return b }(), "preamble.data_len: data section claims 280 bytes from offset 576, but the file has 281"},
		{"truncated", good[:len(good)-1], "preamble.data_len: data section claims 280 bytes"},
		{"nonzero padding", padded, "header padding: byte 514 between the header end (514) and the data offset (576) is 0x7, must be 0"},
		// Image architectures are defined from version 1.1 on; 1.0 reserved their names.
		{"pixelcnn minor 0", patch(goodFile(t, "pixelcnn"), offMinor, 0, 2), "preamble.minor: arch pixelcnn was added in format version 1.1, but the file has version 1.0"},
		{"gatedpixelcnn minor 0", patch(goodFile(t, "gatedpixelcnn"), offMinor, 0, 2), "preamble.minor: arch gatedpixelcnn was added in format version 1.1"},
		// WaveNet is defined from version 1.2 on.
		{"wavenet minor 1", patch(goodFile(t, "wavenet"), offMinor, 1, 2), "preamble.minor: arch wavenet was added in format version 1.2, but the file has version 1.1"},
		{"wavenet audio minor 0", patch(goodFile(t, "wavenet_audio"), offMinor, 0, 2), "preamble.minor: arch wavenet was added in format version 1.2, but the file has version 1.0"},
	}
}

func TestPreambleValidation(t *testing.T) {
	for _, c := range preambleCases(t) {
		t.Run(c.name, func(t *testing.T) {
			err := readBytes(c.file)
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

// encodeBad lays out a file for a model that breaks an architecture rule.
func encodeBad(t testing.TB, name string, edit func(h *Header, ts []Tensor) []Tensor) []byte {
	t.Helper()
	h := sampleHeaders()[name]
	ts := edit(&h, sampleTensors(name, h, F32))
	b, err := encode(h, ts)
	require.NoError(t, err)
	return b
}

func setInt32(ts []Tensor, name string, i int, v int32) []Tensor {
	for _, t := range ts {
		if t.Name == name {
			binary.LittleEndian.PutUint32(t.Data[4*i:], uint32(v))
		}
	}
	return ts
}

type archCase struct {
	name  string
	model string
	edit  func(h *Header, ts []Tensor) []Tensor
	want  string
}

// archCases are models that break an architecture rule.
func archCases() []archCase {
	without := func(ts []Tensor, name string) []Tensor {
		var out []Tensor
		for _, t := range ts {
			if t.Name != name {
				out = append(out, t)
			}
		}
		return out
	}
	replace := func(ts []Tensor, nt Tensor) []Tensor {
		for i, t := range ts {
			if t.Name == nt.Name {
				ts[i] = nt
			}
		}
		return ts
	}
	return []archCase{
		{"missing tensor", "fvsbn", func(h *Header, ts []Tensor) []Tensor { return without(ts, "b") },
			`tensor "b": required by arch fvsbn but missing from the tensor index`},
		{"extra tensor", "fvsbn", func(h *Header, ts []Tensor) []Tensor {
			return append(ts, Float32Tensor("extra", []int{1}, []float32{1}))
		}, `tensor "extra": is not part of arch fvsbn`},
		{"wrong shape", "nade", func(h *Header, ts []Tensor) []Tensor {
			return replace(ts, Float32Tensor("V", []int{4, 6}, make([]float32, 24)))
		}, `tensor "V".shape: is [4 6], want [6 4] for arch nade with dims=6 hidden=[4]`},
		{"float order", "fvsbn", func(h *Header, ts []Tensor) []Tensor {
			return replace(ts, Float32Tensor("order", []int{6}, make([]float32, 6)))
		}, `tensor "order".dtype: is float32, want int32`},
		{"int weight", "fvsbn", func(h *Header, ts []Tensor) []Tensor {
			return replace(ts, Int32Tensor("b", []int{6}, make([]int32, 6)))
		}, `tensor "b".dtype: is int32, want float32, float16 or bfloat16`},
		{"order repeats", "nade", func(h *Header, ts []Tensor) []Tensor { return setInt32(ts, "order", 3, 5) },
			`tensor "order": element 3 repeats data index 5: not a permutation`},
		{"order out of range", "fvsbn", func(h *Header, ts []Tensor) []Tensor { return setInt32(ts, "order", 2, 6) },
			`tensor "order": element 2 is 6, outside [0, 6): not a permutation`},
		{"order negative", "fvsbn", func(h *Header, ts []Tensor) []Tensor { return setInt32(ts, "order", 0, -1) },
			`tensor "order": element 0 is -1, outside [0, 6)`},
		{"made second mask not a permutation", "made", func(h *Header, ts []Tensor) []Tensor { return setInt32(ts, "order", 6+4, 0) },
			`tensor "order": element [1,4] repeats data index 0`},
		{"degree zero", "made", func(h *Header, ts []Tensor) []Tensor { return setInt32(ts, "degrees2", 5, 0) },
			`tensor "degrees2": element [1,1] is 0, outside [1, 5]`},
		{"degree D", "made", func(h *Header, ts []Tensor) []Tensor { return setInt32(ts, "degrees1", 0, 6) },
			`tensor "degrees1": element [0,0] is 6, outside [1, 5]`},
		{"direct without A", "made", func(h *Header, ts []Tensor) []Tensor { return without(ts, "A") },
			`tensor "A": required by arch made but missing`},
		{"A without direct", "made", func(h *Header, ts []Tensor) []Tensor { h.Direct = false; return ts },
			`tensor "A": is not part of arch made`},
		{"mask count", "made", func(h *Header, ts []Tensor) []Tensor { h.Masks = 3; return ts },
			`tensor "order".shape: is [2 6], want [3 6] for arch made with dims=6 hidden=[5 4] masks=3 direct=true`},
		{"made one dimension", "made", func(h *Header, ts []Tensor) []Tensor { h.Dims = 1; h.Shape = []int{1}; return ts },
			`header.dims: made needs dims >= 2`},
		{"unequal rnn layers", "lstm", func(h *Header, ts []Tensor) []Tensor { h.Hidden = []int{3, 4}; return ts },
			`header.hidden: entry 1 is 4 but entry 0 is 3: all lstm layers have the same size`},
		{"lstm out size", "lstm", func(h *Header, ts []Tensor) []Tensor {
			return replace(ts, Float32Tensor("out_bias", []int{1}, []float32{0}))
		}, `tensor "out_bias".shape: is [1], want [3] for arch lstm`},
		{"gru is not lstm", "gru", func(h *Header, ts []Tensor) []Tensor { h.Arch = LSTM; return ts },
			`tensor "weight_ih_l0".shape: is [9 2], want [12 2] for arch lstm`},
		{"embed rows", "gru", func(h *Header, ts []Tensor) []Tensor { h.Embed = 3; return ts },
			`tensor "embed".shape: is [3 2], want [3 3]`},

		// Image architectures (SPEC.md 3.6, 3.7).
		{"gatedpixelcnn h1_w shape", "gatedpixelcnn", func(h *Header, ts []Tensor) []Tensor {
			return replace(ts, Float32Tensor("h1_w", []int{4, 1, 1, 2}, make([]float32, 8)))
		}, `tensor "h1_w".shape: is [4 1 1 2], want [4 1 1 1] for arch gatedpixelcnn with dims=12 shape=[4 3] channels=2 layers=2 kernel_size=3 head_channels=3 classes=0 categories=4 dist=categorical`},
		{"gatedpixelcnn v2_w reads the image", "gatedpixelcnn", func(h *Header, ts []Tensor) []Tensor {
			return replace(ts, Float32Tensor("v2_w", []int{4, 1, 2, 3}, make([]float32, 24)))
		}, `tensor "v2_w".shape: is [4 1 2 3], want [4 2 2 3]`},
		{"gatedpixelcnn h2_w excludes the centre", "gatedpixelcnn", func(h *Header, ts []Tensor) []Tensor {
			return replace(ts, Float32Tensor("h2_w", []int{4, 2, 1, 1}, make([]float32, 8)))
		}, `tensor "h2_w".shape: is [4 2 1 1], want [4 2 1 2]`},
		{"pixelcnn missing class_logits", "pixelcnn", func(h *Header, ts []Tensor) []Tensor { return without(ts, "class_logits") },
			`tensor "class_logits": required by arch pixelcnn but missing from the tensor index`},
		{"pixelcnn class tensors without classes", "pixelcnn", func(h *Header, ts []Tensor) []Tensor { h.Classes = 0; return ts },
			`tensor "in_cls": is not part of arch pixelcnn`},
		{"gatedpixelcnn classes without class tensors", "gatedpixelcnn", func(h *Header, ts []Tensor) []Tensor { h.Classes = 2; return ts },
			`tensor "v1_cls": required by arch gatedpixelcnn but missing`},
		{"pixelcnn class count", "pixelcnn", func(h *Header, ts []Tensor) []Tensor { h.Classes = 3; return ts },
			`tensor "in_cls".shape: is [2 2], want [3 2]`},
		{"pixelcnn missing layer", "pixelcnn", func(h *Header, ts []Tensor) []Tensor { h.Layers = 3; return ts },
			`tensor "res3_w": required by arch pixelcnn but missing`},
		{"pixelcnn extra layer", "pixelcnn", func(h *Header, ts []Tensor) []Tensor { h.Layers = 1; return ts },
			`tensor "res2_w": is not part of arch pixelcnn`},
		{"pixelcnn input kernel", "pixelcnn", func(h *Header, ts []Tensor) []Tensor { h.InputKernel = 3; return ts },
			`tensor "in_w".shape: is [2 1 5 5], want [2 1 3 3]`},
		{"pixelcnn kernel size", "pixelcnn", func(h *Header, ts []Tensor) []Tensor { h.KernelSize = 5; return ts },
			`tensor "res1_w".shape: is [2 2 3 3], want [2 2 5 5]`},
		{"pixelcnn bernoulli head", "pixelcnn", func(h *Header, ts []Tensor) []Tensor {
			h.Dist, h.Categories = Categorical, 2
			return ts
		}, `tensor "head2_w".shape: is [1 3], want [2 3]`},
		{"gatedpixelcnn categorical head", "gatedpixelcnn", func(h *Header, ts []Tensor) []Tensor { h.Categories = 5; return ts },
			`tensor "head2_w".shape: is [4 3], want [5 3]`},
		{"gatedpixelcnn int weight", "gatedpixelcnn", func(h *Header, ts []Tensor) []Tensor {
			return replace(ts, Int32Tensor("vh1_b", []int{4}, make([]int32, 4)))
		}, `tensor "vh1_b".dtype: is int32, want float32, float16 or bfloat16`},
		{"pixelcnn is not gatedpixelcnn", "pixelcnn", func(h *Header, ts []Tensor) []Tensor {
			h.Arch, h.InputKernel = GatedPixelCNN, 0
			return ts
		}, `tensor "v1_w": required by arch gatedpixelcnn but missing`},

		// WaveNet (SPEC.md 3.8).
		{"wavenet last layer has no res", "wavenet", func(h *Header, ts []Tensor) []Tensor {
			return append(ts, Float32Tensor("res3_w", []int{3, 2}, make([]float32, 6)), Float32Tensor("res3_b", []int{3}, make([]float32, 3)))
		}, `tensor "res3_w": is not part of arch wavenet`},
		{"wavenet missing res2_w", "wavenet", func(h *Header, ts []Tensor) []Tensor { return without(ts, "res2_w") },
			`tensor "res2_w": required by arch wavenet but missing from the tensor index`},
		{"wavenet dil2_w shape", "wavenet", func(h *Header, ts []Tensor) []Tensor {
			return replace(ts, Float32Tensor("dil2_w", []int{4, 3, 3}, make([]float32, 36)))
		}, `tensor "dil2_w".shape: is [4 3 3], want [4 3 2] for arch wavenet with dims=16 dilations=[1 2 4] residual_channels=3 gate_channels=2 skip_channels=4 head_channels=5 classes=2 categories=2 dist=bernoulli`},
		{"wavenet in_w bernoulli C_in", "wavenet", func(h *Header, ts []Tensor) []Tensor {
			return replace(ts, Float32Tensor("in_w", []int{3, 2, 2}, make([]float32, 12)))
		}, `tensor "in_w".shape: is [3 2 2], want [3 1 2]`},
		{"wavenet in_w categorical C_in", "wavenet_audio", func(h *Header, ts []Tensor) []Tensor {
			return replace(ts, Float32Tensor("in_w", []int{2, 1, 2}, make([]float32, 4)))
		}, `tensor "in_w".shape: is [2 1 2], want [2 16 2] for arch wavenet with dims=8000 dilations=[1 2] residual_channels=2 gate_channels=3 skip_channels=2 head_channels=3 classes=0 categories=16 dist=categorical sample_rate=8000`},
		{"wavenet missing class_logits", "wavenet", func(h *Header, ts []Tensor) []Tensor { return without(ts, "class_logits") },
			`tensor "class_logits": required by arch wavenet but missing from the tensor index`},
		{"wavenet class tensors without classes", "wavenet", func(h *Header, ts []Tensor) []Tensor { h.Classes = 0; return ts },
			`tensor "dil1_cls": is not part of arch wavenet`},
		{"wavenet classes without class tensors", "wavenet_audio", func(h *Header, ts []Tensor) []Tensor { h.Classes = 2; return ts },
			`tensor "dil1_cls": required by arch wavenet but missing`},
		{"wavenet class count", "wavenet", func(h *Header, ts []Tensor) []Tensor { h.Classes = 3; return ts },
			`tensor "dil1_cls".shape: is [2 4], want [3 4]`},
		{"wavenet fewer dilations than layers", "wavenet", func(h *Header, ts []Tensor) []Tensor { h.Dilations = []int{1, 2}; return ts },
			`tensor "res2_w": is not part of arch wavenet`},
		{"wavenet more dilations than layers", "wavenet", func(h *Header, ts []Tensor) []Tensor { h.Dilations = []int{1, 2, 4, 8}; return ts },
			`tensor "res3_w": required by arch wavenet but missing`},
		{"wavenet gate channels", "wavenet", func(h *Header, ts []Tensor) []Tensor { h.GateChannels = 3; return ts },
			`tensor "dil1_w".shape: is [4 3 2], want [6 3 2]`},
		{"wavenet skip channels", "wavenet_audio", func(h *Header, ts []Tensor) []Tensor { h.SkipChannels = 3; return ts },
			`tensor "skip1_w".shape: is [2 3], want [3 3]`},
		{"wavenet residual channels", "wavenet_audio", func(h *Header, ts []Tensor) []Tensor { h.ResidualChannels = 3; return ts },
			`tensor "in_w".shape: is [2 16 2], want [3 16 2]`},
		{"wavenet head channels", "wavenet", func(h *Header, ts []Tensor) []Tensor { h.HeadChannels = 4; return ts },
			`tensor "head1_w".shape: is [5 4], want [4 4]`},
		{"wavenet categorical head", "wavenet_audio", func(h *Header, ts []Tensor) []Tensor {
			return replace(ts, Float32Tensor("head2_w", []int{15, 3}, make([]float32, 45)))
		}, `tensor "head2_w".shape: is [15 3], want [16 3]`},
		{"wavenet bernoulli is not categorical 2", "wavenet", func(h *Header, ts []Tensor) []Tensor {
			h.Dist, h.Categories = Categorical, 2
			return ts
		}, `tensor "in_w".shape: is [3 1 2], want [3 2 2]`},
		{"wavenet int weight", "wavenet", func(h *Header, ts []Tensor) []Tensor {
			return replace(ts, Int32Tensor("dil3_cls", []int{2, 4}, make([]int32, 8)))
		}, `tensor "dil3_cls".dtype: is int32, want float32, float16 or bfloat16`},
		{"wavenet is not gatedpixelcnn", "wavenet", func(h *Header, ts []Tensor) []Tensor {
			h.Arch, h.Dilations, h.ResidualChannels, h.GateChannels, h.SkipChannels = GatedPixelCNN, nil, 0, 0, 0
			h.Channels, h.Layers, h.KernelSize = 2, 1, 3
			return ts
		}, `tensor "v1_w": required by arch gatedpixelcnn but missing`},
	}
}

func TestArchValidation(t *testing.T) {
	for _, c := range archCases() {
		t.Run(c.name, func(t *testing.T) {
			err := readBytes(encodeBad(t, c.model, c.edit))
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
			// The writer refuses the same model with the same message.
			h := sampleHeaders()[c.model]
			ts := c.edit(&h, sampleTensors(c.model, h, F32))
			_, err = Encode(h, ts)
			assert.ErrorContains(t, err, c.want)
		})
	}
}

func TestWriterRefusesMalformedTensors(t *testing.T) {
	h := sampleHeaders()["fvsbn"]
	cases := []struct {
		name string
		t    Tensor
		want string
	}{
		{"short data", Tensor{Name: "b", DType: F32, Shape: []int{6}, Data: make([]byte, 20)}, `tensor "b": has 20 data bytes, but shape [6] of float32 needs 24`},
		{"unknown dtype", Tensor{Name: "b", DType: "float8", Shape: []int{6}, Data: make([]byte, 6)}, `tensor "b".dtype: unknown dtype "float8"`},
		{"zero dimension", Tensor{Name: "b", DType: F32, Shape: []int{0}}, `tensor "b".shape: dimension 0`},
		{"rank", Tensor{Name: "b", DType: F32, Shape: make([]int, 9)}, `tensor "b".shape: rank 9 exceeds 8`},
		{"overflow", Tensor{Name: "b", DType: F32, Shape: []int{math.MaxInt, math.MaxInt, math.MaxInt}},
			fmt.Sprintf(`tensor "b".shape: shape %v overflows`, []int{math.MaxInt, math.MaxInt, math.MaxInt})},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ts := sampleTensors("fvsbn", h, F32)
			ts[2] = c.t
			_, err := Encode(h, ts)
			assert.ErrorContains(t, err, c.want)
		})
	}
	for _, c := range []struct {
		edit func(*Header)
		want string
	}{
		{func(h *Header) { h.Hidden = []int{3} }, "header.hidden: is set, but arch fvsbn does not use it"},
		{func(h *Header) { h.Masks = 1 }, "header.masks: is set, but arch fvsbn does not use it"},
		{func(h *Header) { h.Direct = true }, "header.direct: is set"},
		{func(h *Header) { h.Embed = 4 }, "header.embed: is set"},
	} {
		bad := h.Clone()
		c.edit(&bad)
		_, err := Encode(bad, sampleTensors("fvsbn", h, F32))
		assert.ErrorContains(t, err, c.want)
	}
	bad := h
	bad.Meta = []byte(`{"a":1} x`)
	_, err := Encode(bad, sampleTensors("fvsbn", h, F32))
	assert.ErrorContains(t, err, "header.meta")
	bad.Meta = []byte(`[1]`)
	_, err = Encode(bad, sampleTensors("fvsbn", h, F32))
	assert.ErrorContains(t, err, "header.meta: must be a JSON object")
}

func TestNewerMinorVersionIsRead(t *testing.T) {
	good := goodFile(t, "fvsbn")
	js, data := splitFile(good)
	// A 1.7 file may carry keys and tensors this build does not know.
	js = strings.Replace(js, `"dims":6`, `"dims":6,"future_key":{"x":1}`, 1)
	js = strings.Replace(js, `"name":"order",`, `"name":"order","quant":"none",`, 1)
	b := rawFile(js, data)
	binary.LittleEndian.PutUint16(b[offMinor:], 7)
	fixChecksums(b)
	f, err := Read(bytes.NewReader(b), int64(len(b)))
	require.NoError(t, err)
	major, minor := f.Version()
	assert.Equal(t, 1, major)
	assert.Equal(t, 7, minor)
	assert.Equal(t, FVSBN, f.Arch())

	// The same content claiming 1.0 is refused.
	binary.LittleEndian.PutUint16(b[offMinor:], 0)
	fixChecksums(b)
	err = readBytes(b)
	assert.ErrorContains(t, err, "header.future_key: unknown key in a version 1.0 file")

	// A newer minor version still cannot introduce an unknown dtype or arch.
	b = rawFile(strings.Replace(js, `"dtype":"int32"`, `"dtype":"int4"`, 1), data)
	binary.LittleEndian.PutUint16(b[offMinor:], 7)
	fixChecksums(b)
	assert.ErrorContains(t, readBytes(b), `unknown dtype "int4"`)
}

func TestBernoulliCategoriesMayBeOmitted(t *testing.T) {
	b := editHeader(t, goodFile(t, "made"), `"categories":2,`, ``)
	f, err := Read(bytes.NewReader(b), int64(len(b)))
	require.NoError(t, err)
	assert.Equal(t, 2, f.Header().Categories)
}

func TestExpectedTensors(t *testing.T) {
	names, err := ExpectedTensors(sampleHeaders()["made"])
	require.NoError(t, err)
	assert.Equal(t, []string{"order", "degrees1", "degrees2", "W1", "b1", "W2", "b2", "Wout", "bout", "A"}, names)
	names, err = ExpectedTensors(sampleHeaders()["lstm"])
	require.NoError(t, err)
	assert.Equal(t, []string{"embed", "weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
		"weight_ih_l1", "weight_hh_l1", "bias_ih_l1", "bias_hh_l1", "out_weight", "out_bias"}, names)
	_, err = ExpectedTensors(Header{Arch: NADE, Dims: 4, Shape: []int{4}, Dist: Bernoulli, Categories: 2})
	assert.ErrorContains(t, err, "header.hidden: array has 0 entries, want between 1 and 1")
	_, err = ExpectedTensors(Header{Arch: WaveNet, Dims: 4, Shape: []int{4}, Dist: Bernoulli, Categories: 2})
	assert.ErrorContains(t, err, "header.dilations: array has 0 entries, want between 1 and 1024")
	_, err = ExpectedTensors(Header{Arch: "transformer"})
	assert.ErrorContains(t, err, `header.arch: unknown architecture "transformer"`)
}
