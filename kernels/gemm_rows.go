package kernels

// The GEMM micro-kernel on unpacked A: when the mr rows of a tile read
// input pixels that lie lda floats apart (consecutive pixels of one image
// row, or of a one-column image such as a sequence laid out as H = time,
// W = 1) and inside the image, a convolution's A tile is already a
// row-major matrix, one per tap. Packing it into an mr-row panel copies
// every input value once per output panel and costs, at the small K and N
// of a WaveNet layer (K = 64..128, N = 64..256), as much as a fifth of
// the multiply-adds. A tier's gemmMicroRows reads the rows in place
// instead, in up to two segments (two taps, or a tap split by a K block)
// that continue the same accumulators, so its result equals the packed
// micro-kernel's on the gathered panel bit for bit. Tiers without one
// (nil) pack.

// gemmMicroRowsGeneric is the 4x4 micro-kernel on unpacked A:
//
//	acc[i][j] = sum_{p<k1} a1[i*lda+p]*b[p*4+j] + sum_{p<k2} a2[i*lda+p]*b[(k1+p)*4+j]
//	c[i*ldc+j] += acc[i][j]   for i, j < 4
//
// with the arithmetic of gemmMicroGeneric, step for step.
func gemmMicroRowsGeneric(k1 int, a1 []float32, k2 int, a2 []float32, lda int, b, c []float32, ldc int) {
	if !checkMicroRows(4, 4, k1, a1, k2, a2, lda, b, c, ldc) {
		return
	}
	var c00, c01, c02, c03, c10, c11, c12, c13 float32
	var c20, c21, c22, c23, c30, c31, c32, c33 float32
	for s := 0; s < 2; s++ {
		a, k, bs := a1, k1, b[:4*k1]
		if s == 1 {
			a, k, bs = a2, k2, b[4*k1:4*(k1+k2)]
		}
		if k == 0 {
			continue
		}
		r0, r1, r2, r3 := a[:k], a[lda:lda+k], a[2*lda:2*lda+k], a[3*lda:3*lda+k]
		for p := 0; p < k; p++ {
			a0, a1, a2, a3 := r0[p], r1[p], r2[p], r3[p]
			bp := bs[4*p : 4*p+4]
			b0, b1, b2, b3 := bp[0], bp[1], bp[2], bp[3]
			c00 += a0 * b0
			c01 += a0 * b1
			c02 += a0 * b2
			c03 += a0 * b3
			c10 += a1 * b0
			c11 += a1 * b1
			c12 += a1 * b2
			c13 += a1 * b3
			c20 += a2 * b0
			c21 += a2 * b1
			c22 += a2 * b2
			c23 += a2 * b3
			c30 += a3 * b0
			c31 += a3 * b1
			c32 += a3 * b2
			c33 += a3 * b3
		}
	}
	r := c[0 : 3*ldc+4]
	r[0] += c00
	r[1] += c01
	r[2] += c02
	r[3] += c03
	r = r[ldc:]
	r[0] += c10
	r[1] += c11
	r[2] += c12
	r[3] += c13
	r = r[ldc:]
	r[0] += c20
	r[1] += c21
	r[2] += c22
	r[3] += c23
	r = r[ldc:]
	r[0] += c30
	r[1] += c31
	r[2] += c32
	r[3] += c33
}

// checkMicroRows panics unless the segments, b and c hold an mr x nr
// micro-kernel call on unpacked A (each non-empty segment: mr rows lda
// apart of its k floats); it reports whether there is any work.
func checkMicroRows(mr, nr, k1 int, a1 []float32, k2 int, a2 []float32, lda int, b, c []float32, ldc int) bool {
	if k1 < 0 || k2 < 0 || k1+k2 == 0 {
		return false
	}
	if ldc < nr || lda < 1 {
		panic("kernels: gemm micro-kernel on rows: ldc < nr or lda < 1")
	}
	if k1 > 0 {
		_ = a1[(mr-1)*lda+k1-1]
	}
	if k2 > 0 {
		_ = a2[(mr-1)*lda+k2-1]
	}
	_, _ = b[(k1+k2)*nr-1], c[(mr-1)*ldc+nr-1]
	return true
}
