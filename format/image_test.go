package format

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// imageHeader returns a small valid header of an image architecture.
func imageHeader(arch Arch, dist Dist, classes int) Header {
	h := Header{Arch: arch, Dims: 12, Shape: []int{3, 4}, Dist: dist, Categories: 2,
		Channels: 2, Layers: 2, KernelSize: 3, HeadChannels: 3, Classes: classes}
	if dist == Categorical {
		h.Categories = 5
	}
	if arch == PixelCNN {
		h.InputKernel = 5
	}
	return h
}

func TestImageHeadersRoundTrip(t *testing.T) {
	for _, arch := range []Arch{PixelCNN, GatedPixelCNN} {
		for _, dist := range []Dist{Bernoulli, Categorical} {
			for _, classes := range []int{0, 3} {
				h := imageHeader(arch, dist, classes)
				t.Run(sprintf("%s/%s/classes=%d", arch, dist, classes), func(t *testing.T) {
					b, err := Encode(h, sampleTensors("", h, F32))
					require.NoError(t, err)
					f, err := Read(bytes.NewReader(b), int64(len(b)))
					require.NoError(t, err)
					assert.Equal(t, h, f.Header())
					major, minor := f.Version()
					assert.Equal(t, 1, major)
					assert.Equal(t, 1, minor, "image architectures are written as version 1.1")
				})
			}
		}
	}
}

func TestImageExpectedTensors(t *testing.T) {
	names, err := ExpectedTensors(imageHeader(PixelCNN, Bernoulli, 0))
	require.NoError(t, err)
	assert.Equal(t, []string{"in_w", "in_b", "res1_w", "res1_b", "res2_w", "res2_b",
		"head1_w", "head1_b", "head2_w", "head2_b"}, names)
	names, err = ExpectedTensors(imageHeader(PixelCNN, Categorical, 2))
	require.NoError(t, err)
	assert.Equal(t, []string{"in_w", "in_b", "in_cls", "res1_w", "res1_b", "res1_cls", "res2_w", "res2_b", "res2_cls",
		"head1_w", "head1_b", "head2_w", "head2_b", "class_logits"}, names)
	names, err = ExpectedTensors(imageHeader(GatedPixelCNN, Bernoulli, 0))
	require.NoError(t, err)
	assert.Equal(t, []string{
		"v1_w", "v1_b", "h1_w", "h1_b", "vh1_w", "vh1_b", "ho1_w", "ho1_b",
		"v2_w", "v2_b", "h2_w", "h2_b", "vh2_w", "vh2_b", "ho2_w", "ho2_b",
		"head1_w", "head1_b", "head2_w", "head2_b"}, names)
	names, err = ExpectedTensors(imageHeader(GatedPixelCNN, Categorical, 4))
	require.NoError(t, err)
	assert.Equal(t, []string{
		"v1_w", "v1_b", "v1_cls", "h1_w", "h1_b", "h1_cls", "vh1_w", "vh1_b", "ho1_w", "ho1_b",
		"v2_w", "v2_b", "v2_cls", "h2_w", "h2_b", "h2_cls", "vh2_w", "vh2_b", "ho2_w", "ho2_b",
		"head1_w", "head1_b", "head2_w", "head2_b", "class_logits"}, names)
}

// TestImageTensorShapes checks the shapes of SPEC.md 3.6 and 3.7 with
// F=2, k=3 (n=1), k0=5, O=3, N=3, K=5 (C=5).
func TestImageTensorShapes(t *testing.T) {
	shapes := func(h Header) map[string][]int64 {
		m := map[string][]int64{}
		for _, s := range expectedTensors(&h) {
			assert.Equal(t, kindFloat, s.kind, s.name)
			m[s.name] = s.shape
		}
		return m
	}
	p := shapes(imageHeader(PixelCNN, Categorical, 3))
	for name, want := range map[string][]int64{
		"in_w": {2, 1, 5, 5}, "in_b": {2}, "in_cls": {3, 2},
		"res1_w": {2, 2, 3, 3}, "res2_b": {2}, "res2_cls": {3, 2},
		"head1_w": {3, 2}, "head1_b": {3}, "head2_w": {5, 3}, "head2_b": {5}, "class_logits": {3},
	} {
		assert.Equal(t, want, p[name], name)
	}
	g := shapes(imageHeader(GatedPixelCNN, Categorical, 3))
	for name, want := range map[string][]int64{
		"v1_w": {4, 1, 2, 3}, "v1_b": {4}, "v1_cls": {3, 4},
		"h1_w": {4, 1, 1, 1}, "h1_b": {4}, "h1_cls": {3, 4},
		"vh1_w": {4, 4}, "vh1_b": {4}, "ho1_w": {2, 2}, "ho1_b": {2},
		"v2_w": {4, 2, 2, 3}, "h2_w": {4, 2, 1, 2}, "h2_cls": {3, 4},
		"head1_w": {3, 2}, "head2_w": {5, 3}, "head2_b": {5}, "class_logits": {3},
	} {
		assert.Equal(t, want, g[name], name)
	}
	h := imageHeader(GatedPixelCNN, Bernoulli, 0)
	h.KernelSize = 7
	g = shapes(h)
	assert.Equal(t, []int64{4, 1, 4, 7}, g["v1_w"])
	assert.Equal(t, []int64{4, 1, 1, 3}, g["h1_w"])
	assert.Equal(t, []int64{4, 2, 1, 4}, g["h2_w"])
	assert.Equal(t, []int64{1, 3}, g["head2_w"])
}

// TestImageHeaderLimits checks every limit of SPEC.md 3.5 at the boundary:
// the largest (or smallest) allowed value is accepted and the next one is
// refused, naming the field.
func TestImageHeaderLimits(t *testing.T) {
	cases := []struct {
		name  string
		arch  Arch
		edit  func(h *Header)
		field string // "" when valid
	}{
		{"pixels at the limit", PixelCNN, func(h *Header) { h.Shape = []int{1024, 1024} }, ""},
		{"pixels beyond the limit", PixelCNN, func(h *Header) { h.Shape = []int{1025, 1024} }, "header.shape"},
		{"tallest image", GatedPixelCNN, func(h *Header) { h.Shape = []int{65535, 16} }, ""},
		{"too tall", GatedPixelCNN, func(h *Header) { h.Shape = []int{65536, 1} }, "header.shape"},
		{"widest image", PixelCNN, func(h *Header) { h.Shape = []int{1, 65535} }, ""},
		{"too wide", PixelCNN, func(h *Header) { h.Shape = []int{1, 65536} }, "header.shape"},
		{"widest pixel count overflow", PixelCNN, func(h *Header) { h.Shape = []int{65535, 17} }, "header.shape"},
		{"rank 1", PixelCNN, func(h *Header) { h.Shape = []int{12} }, "header.shape"},
		{"rank 3", GatedPixelCNN, func(h *Header) { h.Shape = []int{1, 3, 4} }, "header.shape"},
		{"one pixel", GatedPixelCNN, func(h *Header) { h.Shape = []int{1, 1} }, ""},
		{"most categories", PixelCNN, func(h *Header) { h.Dist, h.Categories = Categorical, 65536 }, ""},
		{"too many categories", PixelCNN, func(h *Header) { h.Dist, h.Categories = Categorical, 65537 }, "header.categories"},
		{"bernoulli with 3 categories", PixelCNN, func(h *Header) { h.Categories = 3 }, "header.categories"},
		{"most channels", GatedPixelCNN, func(h *Header) { h.Channels = 65536 }, ""},
		{"too many channels", GatedPixelCNN, func(h *Header) { h.Channels = 65537 }, "header.channels"},
		{"no channels", PixelCNN, func(h *Header) { h.Channels = 0 }, "header.channels"},
		{"pixelcnn without layers", PixelCNN, func(h *Header) { h.Layers = 0 }, ""},
		{"gatedpixelcnn without layers", GatedPixelCNN, func(h *Header) { h.Layers = 0 }, "header.layers"},
		{"most layers", GatedPixelCNN, func(h *Header) { h.Layers = 1024 }, ""},
		{"too many layers", PixelCNN, func(h *Header) { h.Layers = 1025 }, "header.layers"},
		{"pixelcnn kernel 1", PixelCNN, func(h *Header) { h.KernelSize = 1 }, ""},
		{"gatedpixelcnn kernel 1", GatedPixelCNN, func(h *Header) { h.KernelSize = 1 }, "header.kernel_size"},
		{"largest kernel", GatedPixelCNN, func(h *Header) { h.KernelSize = 255 }, ""},
		{"kernel too large", PixelCNN, func(h *Header) { h.KernelSize = 257 }, "header.kernel_size"},
		{"even kernel", GatedPixelCNN, func(h *Header) { h.KernelSize = 254 }, "header.kernel_size"},
		{"negative kernel", PixelCNN, func(h *Header) { h.KernelSize = -3 }, "header.kernel_size"},
		{"largest input kernel", PixelCNN, func(h *Header) { h.InputKernel = 255 }, ""},
		{"input kernel 1", PixelCNN, func(h *Header) { h.InputKernel = 1 }, "header.input_kernel"},
		{"even input kernel", PixelCNN, func(h *Header) { h.InputKernel = 4 }, "header.input_kernel"},
		{"input kernel on gatedpixelcnn", GatedPixelCNN, func(h *Header) { h.InputKernel = 3 }, "header.input_kernel"},
		{"most head channels", PixelCNN, func(h *Header) { h.HeadChannels = 65536 }, ""},
		{"too many head channels", PixelCNN, func(h *Header) { h.HeadChannels = 65537 }, "header.head_channels"},
		{"no head channels", GatedPixelCNN, func(h *Header) { h.HeadChannels = 0 }, "header.head_channels"},
		{"most classes", GatedPixelCNN, func(h *Header) { h.Classes = 65536 }, ""},
		{"too many classes", GatedPixelCNN, func(h *Header) { h.Classes = 65537 }, "header.classes"},
		{"negative classes", PixelCNN, func(h *Header) { h.Classes = -1 }, "header.classes"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := imageHeader(c.arch, Bernoulli, 2)
			c.edit(&h)
			h.Dims = h.Shape[0]
			for _, d := range h.Shape[1:] {
				h.Dims *= d
			}
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

func TestImageKeysOnOtherArchsAreRefused(t *testing.T) {
	// Header fields of the image architectures are refused by the writer
	// for the other architectures, and the other architectures' fields by
	// the image architectures.
	for _, c := range []struct {
		arch Arch
		edit func(*Header)
		want string
	}{
		{FVSBN, func(h *Header) { h.Channels = 2 }, "header.channels: is set, but arch fvsbn does not use it"},
		{FVSBN, func(h *Header) { h.Layers = 2 }, "header.layers: is set"},
		{FVSBN, func(h *Header) { h.KernelSize = 3 }, "header.kernel_size: is set"},
		{FVSBN, func(h *Header) { h.InputKernel = 3 }, "header.input_kernel: is set"},
		{FVSBN, func(h *Header) { h.HeadChannels = 3 }, "header.head_channels: is set"},
		{FVSBN, func(h *Header) { h.Classes = 3 }, "header.classes: is set"},
		{GatedPixelCNN, func(h *Header) { h.InputKernel = 3 }, "header.input_kernel: is set, but arch gatedpixelcnn does not use it"},
		{PixelCNN, func(h *Header) { h.Hidden = []int{3} }, "header.hidden: is set, but arch pixelcnn does not use it"},
		{GatedPixelCNN, func(h *Header) { h.Embed = 3 }, "header.embed: is set"},
	} {
		h := sampleHeaders()[string(c.arch)]
		ts := sampleTensors(string(c.arch), h, F32)
		c.edit(&h)
		_, err := Encode(h, ts)
		assert.ErrorContains(t, err, c.want)
	}
}

func TestImageHeaderClone(t *testing.T) {
	h := sampleHeaders()["pixelcnn"]
	c := h.Clone()
	assert.Equal(t, h, c)
	c.Shape[0] = 9
	assert.Equal(t, 3, h.Shape[0], "Clone copies the shape")
}
