package kernels

import (
	"fmt"
	"testing"
)

// FuzzConv2D draws a convolution (kernel size, anchor, kept taps, channel
// counts), images (count, size, LD and ImgStride padding), a row range, acc
// and bias from the fuzz input and requires every tier to agree exactly
// with the generic one (the data are multiples of 1/16, so every sum is
// exact; see fuzz_blas_test.go), for Conv2D and for Conv2DAt at every pixel
// of the range, which must also equal Conv2D's result. Input padding is
// NaN, output padding a sentinel that must survive.
func FuzzConv2D(f *testing.F) {
	f.Add([]byte{}, uint8(3), uint8(3), int8(1), int8(1), uint64(0x0f), uint8(3), uint8(5), uint8(2), uint8(5), uint8(7), uint8(0), uint8(5), uint8(0))
	f.Add([]byte("pixelcnn"), uint8(2), uint8(3), int8(1), int8(1), ^uint64(0), uint8(17), uint8(33), uint8(3), uint8(4), uint8(9), uint8(1), uint8(3), uint8(0x15))
	f.Add([]byte{9, 8, 7}, uint8(1), uint8(2), int8(0), int8(2), ^uint64(0), uint8(1), uint8(64), uint8(1), uint8(6), uint8(6), uint8(2), uint8(6), uint8(0x2a))
	f.Add([]byte("batch"), uint8(3), uint8(3), int8(1), int8(1), uint64(0x1f), uint8(33), uint8(64), uint8(28), uint8(4), uint8(5), uint8(1), uint8(3), uint8(0x16))
	f.Add([]byte{0xff}, uint8(1), uint8(1), int8(0), int8(0), uint64(1), uint8(65), uint8(14), uint8(4), uint8(3), uint8(3), uint8(0), uint8(3), uint8(0x3f))
	f.Add([]byte("gated"), uint8(7), uint8(7), int8(3), int8(3), uint64(0xffffff), uint8(2), uint8(16), uint8(15), uint8(8), uint8(8), uint8(0), uint8(8), uint8(0x07))
	f.Add([]byte{1}, uint8(4), uint8(5), int8(-2), int8(6), uint64(0xa5a5a5), uint8(20), uint8(40), uint8(16), uint8(2), uint8(3), uint8(1), uint8(2), uint8(0x10))
	f.Fuzz(func(t *testing.T, data []byte, khb, kwb uint8, ayb, axb int8, mask uint64, cinb, coutb, nb, hb, wb, r0b, r1b, flags uint8) {
		kh, kw := 1+int(khb)%7, 1+int(kwb)%7
		ay, ax := int(ayb)%9, int(axb)%9
		cin, cout := 1+int(cinb)%70, 1+int(coutb)%70
		n, h, w := 1+int(nb)%20, 1+int(hb)%12, 1+int(wb)%12
		r0 := int(r0b) % (h + 1)
		r1 := r0 + int(r1b)%(h-r0+1)
		acc, withBias := flags&1 != 0, flags&2 != 0
		keep := func(a, b int) bool { return mask>>uint((a*kw+b)%64)&1 != 0 }
		wt := fuzzVals(data, 20, cout*cin*kh*kw)
		cw, err := NewConv(wt, cout, cin, kh, kw, ay, ax, keep)
		if err != nil {
			t.Fatal(err)
		}
		var bias []float32
		if withBias {
			bias = fuzzVals(data, 21, cout)
		}
		inLD, outLD := cin+int(flags>>2&3), cout+int(flags>>4&3)
		in := Image{N: n, H: h, W: w, LD: inLD, ImgStride: h*w*inLD + int(flags>>6)}
		in.Data = fuzzVals(data, 22, n*in.ImgStride)
		for i := range in.Data {
			if i%in.ImgStride >= h*w*inLD || i%in.ImgStride%inLD >= cin {
				in.Data[i] = nan32
			}
		}
		out0 := Image{N: n, H: h, W: w, LD: outLD, ImgStride: h*w*outLD + int(flags>>6)}
		out0.Data = fuzzVals(data, 23, n*out0.ImgStride)
		what := fmt.Sprintf("%dx%d anchor (%d,%d) mask %#x cin=%d cout=%d %dx%dx%d rows [%d,%d) flags %#x",
			kh, kw, ay, ax, mask, cin, cout, n, h, w, r0, r1, flags)
		requireTiersAgree(t, what, func() []float32 {
			out := out0
			out.Data = append([]float32(nil), out0.Data...)
			Conv2D(cw, in, r0, r1, out, bias, acc)
			at := out0
			at.Data = append([]float32(nil), out0.Data...)
			for r := r0; r < r1; r++ {
				for c := 0; c < w; c++ {
					Conv2DAt(cw, in, r, c, at, bias, acc)
				}
			}
			for i := range out.Data {
				if out.Data[i] != at.Data[i] && !(out.Data[i] != out.Data[i] && at.Data[i] != at.Data[i]) {
					t.Fatalf("%s: Conv2DAt element %d = %v, Conv2D %v", what, i, at.Data[i], out.Data[i])
				}
			}
			return out.Data
		})
	})
}
