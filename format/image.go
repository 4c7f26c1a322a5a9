package format

import "strconv"

// Limits of the image architectures (SPEC.md 3.5).
const (
	maxImageSide       = 65535   // H and W
	maxImagePixels     = 1 << 20 // D = H*W
	maxImageCategories = 65536   // K for dist categorical
	maxImageWidth      = 65536   // channels, head_channels, classes
	maxImageLayers     = 1024
	maxKernel          = 255
)

// image checks the shape of a pixelcnn or gatedpixelcnn header and decodes
// its integer keys (SPEC.md 3.5), in the order channels, layers,
// kernel_size, input_kernel, head_channels, classes. dims and shape have
// been decoded and agree.
func (p *hdrParser) image(h *Header) error {
	if len(h.Shape) != 2 {
		return p.err("shape", "is %v, but arch %s needs exactly [H, W] (one channel per pixel)", h.Shape, h.Arch)
	}
	if h.Shape[0] > maxImageSide || h.Shape[1] > maxImageSide {
		return p.err("shape", "is %v, but arch %s allows at most %d rows and %d columns", h.Shape, h.Arch, maxImageSide, maxImageSide)
	}
	if h.Dims > maxImagePixels {
		return p.err("shape", "%v has %d pixels, but arch %s allows at most %d", h.Shape, h.Dims, h.Arch, maxImagePixels)
	}
	gated := h.Arch == GatedPixelCNN
	minLayers, minKernel := int64(0), int64(1)
	if gated {
		minLayers, minKernel = 1, 3
	}
	var err error
	if h.Channels, err = p.imageInt("channels", 1, maxImageWidth, false); err != nil {
		return err
	}
	if h.Layers, err = p.imageInt("layers", minLayers, maxImageLayers, false); err != nil {
		return err
	}
	if h.KernelSize, err = p.imageInt("kernel_size", minKernel, maxKernel, true); err != nil {
		return err
	}
	if !gated {
		if h.InputKernel, err = p.imageInt("input_kernel", 3, maxKernel, true); err != nil {
			return err
		}
	}
	if h.HeadChannels, err = p.imageInt("head_channels", 1, maxImageWidth, false); err != nil {
		return err
	}
	if h.Classes, err = p.imageInt("classes", 0, maxImageWidth, false); err != nil {
		return err
	}
	return nil
}

// imageInt decodes a required integer key in [lo, hi], odd if odd is set.
func (p *hdrParser) imageInt(key string, lo, hi int64, odd bool) (int, error) {
	v, _, err := p.int(key, true, lo, hi)
	if err != nil {
		return 0, err
	}
	if odd && v%2 == 0 {
		return 0, p.err(key, "is %d, must be odd", v)
	}
	return int(v), nil
}

// imageTensors lists the tensors of a pixelcnn (SPEC.md 3.6) or
// gatedpixelcnn (3.7) header in canonical order. h passed validation, so
// every size is small enough for the products not to overflow.
func imageTensors(h *Header) []tensorSpec {
	f := func(name string, shape ...int64) tensorSpec { return tensorSpec{name, kindFloat, shape} }
	F, L, k := int64(h.Channels), h.Layers, int64(h.KernelSize)
	O, N := int64(h.HeadChannels), int64(h.Classes)
	C := int64(1)
	if h.Dist == Categorical {
		C = int64(h.Categories)
	}
	var specs []tensorSpec
	cls := func(name string, width int64) {
		if N >= 1 {
			specs = append(specs, f(name, N, width))
		}
	}
	if h.Arch == PixelCNN {
		k0 := int64(h.InputKernel)
		specs = append(specs, f("in_w", F, 1, k0, k0), f("in_b", F))
		cls("in_cls", F)
		for l := 1; l <= L; l++ {
			n := strconv.Itoa(l)
			specs = append(specs, f("res"+n+"_w", F, F, k, k), f("res"+n+"_b", F))
			cls("res"+n+"_cls", F)
		}
	} else {
		half := (k - 1) / 2
		for l := 1; l <= L; l++ {
			n := strconv.Itoa(l)
			in, hw := F, f("h"+n+"_w", 2*F, F, 1, half+1)
			if l == 1 {
				in, hw = 1, f("h"+n+"_w", 2*F, 1, 1, half)
			}
			specs = append(specs, f("v"+n+"_w", 2*F, in, half+1, k), f("v"+n+"_b", 2*F))
			cls("v"+n+"_cls", 2*F)
			specs = append(specs, hw, f("h"+n+"_b", 2*F))
			cls("h"+n+"_cls", 2*F)
			specs = append(specs, f("vh"+n+"_w", 2*F, 2*F), f("vh"+n+"_b", 2*F),
				f("ho"+n+"_w", F, F), f("ho"+n+"_b", F))
		}
	}
	specs = append(specs, f("head1_w", O, F), f("head1_b", O), f("head2_w", C, O), f("head2_b", C))
	if N >= 1 {
		specs = append(specs, f("class_logits", N))
	}
	return specs
}
