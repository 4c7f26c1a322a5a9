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
// It gathers the rows into a panel and runs gemmMicroGeneric on it: the
// same arithmetic, step for step (on the stack for the k <= kc of the
// generic tier's GEMM blocks).
func gemmMicroRowsGeneric(k1 int, a1 []float32, k2 int, a2 []float32, lda int, b, c []float32, ldc int) {
	if !checkMicroRows(4, 4, k1, a1, k2, a2, lda, b, c, ldc) {
		return
	}
	var stack [4 * 256]float32
	panel := stack[:]
	if k := k1 + k2; 4*k > len(stack) {
		panel = make([]float32, 4*k)
	}
	for i := 0; i < 4; i++ {
		for p := 0; p < k1; p++ {
			panel[4*p+i] = a1[i*lda+p]
		}
		for p := 0; p < k2; p++ {
			panel[4*(k1+p)+i] = a2[i*lda+p]
		}
	}
	gemmMicroGeneric(k1+k2, panel, b, c, ldc)
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
