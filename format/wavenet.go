package format

import "strconv"

// Limits of the wavenet architecture (SPEC.md 3.8).
const (
	maxWaveCategories = 65536   // K for dist categorical
	maxWaveLayers     = 1024    // L, the number of dilations
	maxDilation       = 65536   // each d_l
	maxDilationSum    = 1 << 20 // the sum of the dilations
	maxWaveWidth      = 65536   // residual, gate, skip and head channels, classes
	maxSampleRate     = 1000000 // samples per second of an audio model
)

// wavenet decodes and checks the keys of a wavenet header (SPEC.md 3.8) in
// the order dilations, residual_channels, gate_channels, skip_channels,
// head_channels, classes, sample_rate. dims, shape, dist and categories
// have been decoded and checked.
func (p *hdrParser) wavenet(h *Header) error {
	var err error
	if h.Dilations, err = p.intList("dilations", true, 1, maxWaveLayers, 1, maxDilation); err != nil {
		return err
	}
	// At most 1024 entries of at most 2^16 each: the int64 sum cannot overflow.
	var sum int64
	for _, d := range h.Dilations {
		sum += int64(d)
	}
	if sum > maxDilationSum {
		return p.err("dilations", "sum to %d, but arch %s allows at most %d (receptive field 2 + sum)", sum, h.Arch, maxDilationSum)
	}
	for _, f := range []struct {
		key    string
		lo     int64
		target *int
	}{
		{"residual_channels", 1, &h.ResidualChannels},
		{"gate_channels", 1, &h.GateChannels},
		{"skip_channels", 1, &h.SkipChannels},
		{"head_channels", 1, &h.HeadChannels},
		{"classes", 0, &h.Classes},
	} {
		v, _, err := p.int(f.key, true, f.lo, maxWaveWidth)
		if err != nil {
			return err
		}
		*f.target = int(v)
	}
	rate, present, err := p.int("sample_rate", false, 1, maxSampleRate)
	if err != nil {
		return err
	}
	if present && h.Dist != Categorical {
		return p.err("sample_rate", "is present, but dist is %s: an audio model (mu-law codes) has dist categorical", h.Dist)
	}
	h.SampleRate = int(rate)
	return nil
}

// waveNetTensors lists the tensors of a wavenet header (SPEC.md 3.8) in
// canonical order. h passed validation, so every size is small enough for
// the products not to overflow.
func waveNetTensors(h *Header) []tensorSpec {
	f := func(name string, shape ...int64) tensorSpec { return tensorSpec{name, kindFloat, shape} }
	R, G, S := int64(h.ResidualChannels), int64(h.GateChannels), int64(h.SkipChannels)
	O, N := int64(h.HeadChannels), int64(h.Classes)
	C := int64(1)
	if h.Dist == Categorical {
		C = int64(h.Categories)
	}
	L := len(h.Dilations)
	specs := make([]tensorSpec, 0, 2+7*L+5)
	specs = append(specs, f("in_w", R, C, 2), f("in_b", R))
	for l := 1; l <= L; l++ {
		n := strconv.Itoa(l)
		specs = append(specs, f("dil"+n+"_w", 2*G, R, 2), f("dil"+n+"_b", 2*G))
		if N >= 1 {
			specs = append(specs, f("dil"+n+"_cls", N, 2*G))
		}
		if l < L {
			specs = append(specs, f("res"+n+"_w", R, G), f("res"+n+"_b", R))
		}
		specs = append(specs, f("skip"+n+"_w", S, G), f("skip"+n+"_b", S))
	}
	specs = append(specs, f("head1_w", O, S), f("head1_b", O), f("head2_w", C, O), f("head2_b", C))
	if N >= 1 {
		specs = append(specs, f("class_logits", N))
	}
	return specs
}
