package format

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// waveHeader returns a small valid wavenet header: dilations 1, 2, 4,
// R=3, G=2, S=4, O=5.
func waveHeader(dist Dist, classes, rate int) Header {
	h := Header{Arch: WaveNet, Dims: 10, Shape: []int{10}, Dist: dist, Categories: 2,
		Dilations: []int{1, 2, 4}, ResidualChannels: 3, GateChannels: 2, SkipChannels: 4, HeadChannels: 5,
		Classes: classes, SampleRate: rate}
	if dist == Categorical {
		h.Categories = 7
	}
	return h
}

func TestWaveNetHeadersRoundTrip(t *testing.T) {
	for _, c := range []struct {
		dist          Dist
		classes, rate int
	}{
		{Bernoulli, 0, 0}, {Bernoulli, 3, 0}, {Categorical, 0, 0}, {Categorical, 2, 0},
		{Categorical, 0, 16000}, {Categorical, 1, 1}, {Categorical, 4, 1000000},
	} {
		h := waveHeader(c.dist, c.classes, c.rate)
		t.Run(sprintf("%s/classes=%d/rate=%d", c.dist, c.classes, c.rate), func(t *testing.T) {
			b, err := Encode(h, sampleTensors("", h, F32))
			require.NoError(t, err)
			f, err := Read(bytes.NewReader(b), int64(len(b)))
			require.NoError(t, err)
			assert.Equal(t, h, f.Header())
			major, minor := f.Version()
			assert.Equal(t, 1, major)
			assert.Equal(t, 2, minor, "wavenet is written as version 1.2")
			js, _ := splitFile(b)
			assert.Equal(t, c.rate != 0, bytes.Contains([]byte(js), []byte(`"sample_rate"`)),
				"sample_rate is written iff the model is an audio model")
		})
	}
}

func TestWaveNetCanonicalHeader(t *testing.T) {
	// SPEC.md 4: only wavenet's keys, sorted; sample_rate only when set.
	js, _ := splitFile(goodFile(t, "wavenet_audio"))
	want := `{"arch":"wavenet","categories":16,"classes":0,"dilations":[1,2],"dims":8000,"dist":"categorical",` +
		`"gate_channels":3,"head_channels":3,"residual_channels":2,"sample_rate":8000,"shape":[8000],"skip_channels":2,"tensors":[`
	assert.True(t, strings.HasPrefix(js, want), js)
}

func TestWaveNetExpectedTensors(t *testing.T) {
	names, err := ExpectedTensors(waveHeader(Bernoulli, 0, 0))
	require.NoError(t, err)
	assert.Equal(t, []string{"in_w", "in_b",
		"dil1_w", "dil1_b", "res1_w", "res1_b", "skip1_w", "skip1_b",
		"dil2_w", "dil2_b", "res2_w", "res2_b", "skip2_w", "skip2_b",
		"dil3_w", "dil3_b", "skip3_w", "skip3_b",
		"head1_w", "head1_b", "head2_w", "head2_b"}, names)
	names, err = ExpectedTensors(waveHeader(Categorical, 2, 8000))
	require.NoError(t, err)
	assert.Equal(t, []string{"in_w", "in_b",
		"dil1_w", "dil1_b", "dil1_cls", "res1_w", "res1_b", "skip1_w", "skip1_b",
		"dil2_w", "dil2_b", "dil2_cls", "res2_w", "res2_b", "skip2_w", "skip2_b",
		"dil3_w", "dil3_b", "dil3_cls", "skip3_w", "skip3_b",
		"head1_w", "head1_b", "head2_w", "head2_b", "class_logits"}, names)
	h := waveHeader(Bernoulli, 1, 0)
	h.Dilations = []int{512}
	names, err = ExpectedTensors(h)
	require.NoError(t, err)
	assert.Equal(t, []string{"in_w", "in_b", "dil1_w", "dil1_b", "dil1_cls", "skip1_w", "skip1_b",
		"head1_w", "head1_b", "head2_w", "head2_b", "class_logits"}, names, "one layer: no res tensors")
}

// TestWaveNetTensorShapes checks the shapes of SPEC.md 3.8 with R=3, G=2,
// S=4, O=5, N=3, K=7 (C_in = C = 7 categorical, 1 bernoulli).
func TestWaveNetTensorShapes(t *testing.T) {
	shapes := func(h Header) map[string][]int64 {
		m := map[string][]int64{}
		for _, s := range expectedTensors(&h) {
			assert.Equal(t, kindFloat, s.kind, s.name)
			m[s.name] = s.shape
		}
		return m
	}
	c := shapes(waveHeader(Categorical, 3, 0))
	for name, want := range map[string][]int64{
		"in_w": {3, 7, 2}, "in_b": {3},
		"dil1_w": {4, 3, 2}, "dil1_b": {4}, "dil1_cls": {3, 4}, "dil3_w": {4, 3, 2}, "dil3_cls": {3, 4},
		"res1_w": {3, 2}, "res2_b": {3}, "skip1_w": {4, 2}, "skip3_b": {4},
		"head1_w": {5, 4}, "head1_b": {5}, "head2_w": {7, 5}, "head2_b": {7}, "class_logits": {3},
	} {
		assert.Equal(t, want, c[name], name)
	}
	b := shapes(waveHeader(Bernoulli, 0, 0))
	assert.Equal(t, []int64{3, 1, 2}, b["in_w"])
	assert.Equal(t, []int64{1, 5}, b["head2_w"])
	assert.Equal(t, []int64{1}, b["head2_b"])
	assert.NotContains(t, b, "res3_w")
	assert.NotContains(t, b, "class_logits")
}

// TestWaveNetHeaderLimits checks every limit of SPEC.md 3.8 at the
// boundary: the extreme allowed value is accepted and the next one is
// refused, naming the field.
func TestWaveNetHeaderLimits(t *testing.T) {
	ones := func(n, v int) []int {
		d := make([]int, n)
		for i := range d {
			d[i] = v
		}
		return d
	}
	cases := []struct {
		name  string
		edit  func(h *Header)
		field string // "" when valid
	}{
		{"most layers", func(h *Header) { h.Dilations = ones(1024, 1) }, ""},
		{"too many layers", func(h *Header) { h.Dilations = ones(1025, 1) }, "header.dilations"},
		{"no layers", func(h *Header) { h.Dilations = []int{} }, "header.dilations"},
		{"no dilations", func(h *Header) { h.Dilations = nil }, "header.dilations"},
		{"largest dilation", func(h *Header) { h.Dilations = []int{65536} }, ""},
		{"dilation too large", func(h *Header) { h.Dilations = []int{1, 65537} }, "header.dilations"},
		{"dilation 0", func(h *Header) { h.Dilations = []int{1, 0} }, "header.dilations"},
		{"negative dilation", func(h *Header) { h.Dilations = []int{-1} }, "header.dilations"},
		{"dilation sum at the limit", func(h *Header) { h.Dilations = ones(16, 65536) }, ""},
		{"dilation sum beyond the limit", func(h *Header) { h.Dilations = append(ones(16, 65536), 1) }, "header.dilations"},
		{"largest dilations, most layers", func(h *Header) { h.Dilations = ones(1024, 65536) }, "header.dilations"},
		{"most categories", func(h *Header) { h.Dist, h.Categories = Categorical, 65536 }, ""},
		{"too many categories", func(h *Header) { h.Dist, h.Categories = Categorical, 65537 }, "header.categories"},
		{"bernoulli with 3 categories", func(h *Header) { h.Categories = 3 }, "header.categories"},
		{"most residual channels", func(h *Header) { h.ResidualChannels = 65536 }, ""},
		{"too many residual channels", func(h *Header) { h.ResidualChannels = 65537 }, "header.residual_channels"},
		{"no residual channels", func(h *Header) { h.ResidualChannels = 0 }, "header.residual_channels"},
		{"most gate channels", func(h *Header) { h.GateChannels = 65536 }, ""},
		{"too many gate channels", func(h *Header) { h.GateChannels = 65537 }, "header.gate_channels"},
		{"no gate channels", func(h *Header) { h.GateChannels = 0 }, "header.gate_channels"},
		{"most skip channels", func(h *Header) { h.SkipChannels = 65536 }, ""},
		{"too many skip channels", func(h *Header) { h.SkipChannels = 65537 }, "header.skip_channels"},
		{"no skip channels", func(h *Header) { h.SkipChannels = 0 }, "header.skip_channels"},
		{"most head channels", func(h *Header) { h.HeadChannels = 65536 }, ""},
		{"too many head channels", func(h *Header) { h.HeadChannels = 65537 }, "header.head_channels"},
		{"no head channels", func(h *Header) { h.HeadChannels = 0 }, "header.head_channels"},
		{"most classes", func(h *Header) { h.Classes = 65536 }, ""},
		{"too many classes", func(h *Header) { h.Classes = 65537 }, "header.classes"},
		{"negative classes", func(h *Header) { h.Classes = -1 }, "header.classes"},
		{"lowest sample rate", func(h *Header) { h.Dist, h.Categories, h.SampleRate = Categorical, 256, 1 }, ""},
		{"highest sample rate", func(h *Header) { h.Dist, h.Categories, h.SampleRate = Categorical, 256, 1000000 }, ""},
		{"sample rate too high", func(h *Header) { h.Dist, h.Categories, h.SampleRate = Categorical, 256, 1000001 }, "header.sample_rate"},
		{"negative sample rate", func(h *Header) { h.Dist, h.Categories, h.SampleRate = Categorical, 256, -8000 }, "header.sample_rate"},
		{"sample rate with bernoulli", func(h *Header) { h.SampleRate = 8000 }, "header.sample_rate"},
		{"any length", func(h *Header) { h.Shape, h.Dims = []int{3, 5, 7}, 105 }, ""},
		{"one step", func(h *Header) { h.Shape, h.Dims = []int{1}, 1 }, ""},
		{"image key", func(h *Header) { h.Channels = 2 }, "header.channels"},
		{"rnn key", func(h *Header) { h.Hidden = []int{2} }, "header.hidden"},
		{"pixelcnn key", func(h *Header) { h.InputKernel = 3 }, "header.input_kernel"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := waveHeader(Bernoulli, 2, 0)
			c.edit(&h)
			names, err := ExpectedTensors(h)
			if c.field == "" {
				require.NoError(t, err)
				assert.NotEmpty(t, names)
				return
			}
			var e *Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, c.field, e.Field, err.Error())
		})
	}
}

func TestWaveNetKeysOnOtherArchsAreRefused(t *testing.T) {
	// The writer refuses wavenet's header fields for every other
	// architecture rather than dropping them.
	for _, c := range []struct {
		arch string
		edit func(*Header)
		want string
	}{
		{"fvsbn", func(h *Header) { h.Dilations = []int{1} }, "header.dilations: is set, but arch fvsbn does not use it"},
		{"made", func(h *Header) { h.ResidualChannels = 2 }, "header.residual_channels: is set, but arch made does not use it"},
		{"lstm", func(h *Header) { h.GateChannels = 2 }, "header.gate_channels: is set, but arch lstm does not use it"},
		{"pixelcnn", func(h *Header) { h.SkipChannels = 2 }, "header.skip_channels: is set, but arch pixelcnn does not use it"},
		{"gatedpixelcnn", func(h *Header) { h.SampleRate = 16000 }, "header.sample_rate: is set, but arch gatedpixelcnn does not use it"},
		{"gatedpixelcnn", func(h *Header) { h.Dilations = []int{} }, "header.dilations: is set"},
		{"nade", func(h *Header) { h.HeadChannels = 2 }, "header.head_channels: is set, but arch nade does not use it"},
		{"wavenet", func(h *Header) { h.Channels = 2 }, "header.channels: is set, but arch wavenet does not use it"},
		{"wavenet", func(h *Header) { h.Layers = 2 }, "header.layers: is set, but arch wavenet does not use it"},
		{"wavenet", func(h *Header) { h.KernelSize = 3 }, "header.kernel_size: is set"},
		{"wavenet_audio", func(h *Header) { h.Embed = 3 }, "header.embed: is set, but arch wavenet does not use it"},
		{"wavenet_audio", func(h *Header) { h.Masks = 1 }, "header.masks: is set"},
	} {
		h := sampleHeaders()[c.arch]
		ts := sampleTensors(c.arch, h, F32)
		c.edit(&h)
		_, err := Encode(h, ts)
		assert.ErrorContains(t, err, c.want)
	}
}

func TestWaveNetHeaderClone(t *testing.T) {
	h := sampleHeaders()["wavenet"]
	c := h.Clone()
	assert.Equal(t, h, c)
	c.Dilations[0] = 9
	assert.Equal(t, 1, h.Dilations[0], "Clone copies the dilations")
	assert.False(t, WaveNet.IsImage())
}

func TestWaveNetNeedsMinor2(t *testing.T) {
	for _, name := range []string{"wavenet", "wavenet_audio"} {
		good := goodFile(t, name)
		for minor := range uint64(2) {
			err := readBytes(patch(good, offMinor, minor, 2))
			var e *Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, "preamble.minor", e.Field)
			assert.Contains(t, e.Msg, "arch wavenet was added in format version 1.2")
		}
		// A newer minor version reads (its unknown keys would be ignored).
		require.NoError(t, readBytes(patch(good, offMinor, 3, 2)))
	}
}
