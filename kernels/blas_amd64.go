//go:build !purego

package kernels

// The amd64 vector, GEMV and GEMM kernels live in kernels_amd64.s and
// gemm_amd64.s. Each assembly routine (suffix Asm) trusts its sizes; the Go
// function of the same name without the suffix checks them the way the
// generic kernel does (it panics on a short slice instead of touching memory
// it does not own) and is what goes into the kernel table. The spec of each
// routine is the generic kernel named in its comment (generic.go).

// fillAVX2BLAS installs the AVX2+FMA vector, GEMV and GEMM kernels.
func fillAVX2BLAS(t *impl) {
	t.dot = dotAVX2
	t.axpy = axpyAVX2
	t.scale = scaleAVX2
	t.add = addAVX2
	t.gemv = gemvAVX2
	t.gemvT = gemvTAVX2
	// 6x16 register tile (12 ymm accumulators). A kc x 16 B panel (16 KiB)
	// stays in L1 while the 6-row A panels stream from an mc x kc block in
	// L2; the kc x nc block of B lives in L3.
	t.mr, t.nr = 6, 16
	t.mc, t.kc, t.nc = 144, 256, 4096
	t.gemmMicro = gemmMicro6x16AVX2
	t.gemmMicroRows = gemmMicroRows6x16AVX2
}

// fillAVX512BLAS installs the AVX-512F vector, GEMV and GEMM kernels.
func fillAVX512BLAS(t *impl) {
	t.dot = dotAVX512
	t.axpy = axpyAVX512
	t.gemv = gemvAVX512
	t.gemvT = gemvTAVX512
	// 14x32 register tile (28 zmm accumulators, 2 for B, 2 for A).
	t.mr, t.nr = 14, 32
	t.mc, t.kc, t.nc = 14*12, 256, 4096
	t.gemmMicro = gemmMicro14x32AVX512
	t.gemmMicroRows = gemmMicroRows14x32AVX512
}

// dotAVX2 is dotGeneric.
func dotAVX2(x, y []float32) float32 {
	return dotAVX2Asm(x, y[:len(x)])
}

// axpyAVX2 is axpyGeneric.
func axpyAVX2(alpha float32, x, y []float32) {
	axpyAVX2Asm(alpha, x, y[:len(x)])
}

// dotAVX512 is dotGeneric.
func dotAVX512(x, y []float32) float32 {
	return dotAVX512Asm(x, y[:len(x)])
}

// axpyAVX512 is axpyGeneric.
func axpyAVX512(alpha float32, x, y []float32) {
	axpyAVX512Asm(alpha, x, y[:len(x)])
}

// scaleAVX2 is scaleGeneric.
func scaleAVX2(alpha float32, x []float32) { scaleAVX2Asm(alpha, x) }

// addAVX2 is addGeneric.
func addAVX2(dst, x, y []float32) {
	addAVX2Asm(dst, x[:len(dst)], y[:len(dst)])
}

// checkGemv panics unless a, x and y hold an m x n GEMV (x of length n, y of
// length m, or the reverse when trans is set); it reports whether there is
// any work.
func checkGemv(trans bool, m, n int, a []float32, lda int, x, y []float32) bool {
	if m <= 0 || n <= 0 {
		return false
	}
	if lda < n {
		panic("kernels: gemv: lda < n")
	}
	_ = a[(m-1)*lda+n-1]
	if trans {
		_, _ = x[m-1], y[n-1]
	} else {
		_, _ = x[n-1], y[m-1]
	}
	return true
}

// gemvAVX2 is gemvGeneric.
func gemvAVX2(m, n int, a []float32, lda int, x, y []float32) {
	if checkGemv(false, m, n, a, lda, x, y) {
		gemvAVX2Asm(m, n, a, lda, x, y)
	}
}

// gemvTAVX2 is gemvTGeneric.
func gemvTAVX2(m, n int, a []float32, lda int, x, y []float32) {
	if checkGemv(true, m, n, a, lda, x, y) {
		gemvTAVX2Asm(m, n, a, lda, x, y)
	}
}

// gemvAVX512 is gemvGeneric.
func gemvAVX512(m, n int, a []float32, lda int, x, y []float32) {
	if checkGemv(false, m, n, a, lda, x, y) {
		gemvAVX512Asm(m, n, a, lda, x, y)
	}
}

// gemvTAVX512 is gemvTGeneric.
func gemvTAVX512(m, n int, a []float32, lda int, x, y []float32) {
	if checkGemv(true, m, n, a, lda, x, y) {
		gemvTAVX512Asm(m, n, a, lda, x, y)
	}
}

// checkMicro panics unless a, b and c hold a k-step mr x nr micro-kernel
// call; it reports whether there is any work.
func checkMicro(mr, nr, k int, a, b, c []float32, ldc int) bool {
	if k <= 0 {
		return false
	}
	if ldc < nr {
		panic("kernels: gemm micro-kernel: ldc < nr")
	}
	_, _, _ = a[k*mr-1], b[k*nr-1], c[(mr-1)*ldc+nr-1]
	return true
}

// gemmMicro6x16AVX2 is the 6x16 micro-kernel:
// c[i*ldc+j] += sum_{p<k} a[p*6+i]*b[p*16+j] for i < 6, j < 16.
func gemmMicro6x16AVX2(k int, a, b, c []float32, ldc int) {
	if checkMicro(6, 16, k, a, b, c, ldc) {
		gemmMicro6x16AVX2Asm(k, a, b, c, ldc)
	}
}

// gemmMicro14x32AVX512 is the 14x32 micro-kernel:
// c[i*ldc+j] += sum_{p<k} a[p*14+i]*b[p*32+j] for i < 14, j < 32.
func gemmMicro14x32AVX512(k int, a, b, c []float32, ldc int) {
	if checkMicro(14, 32, k, a, b, c, ldc) {
		gemmMicro14x32AVX512Asm(k, a, b, c, ldc)
	}
}

// gemmMicroRows6x16AVX2 is the 6x16 micro-kernel on unpacked A
// (gemmMicroRowsGeneric's spec for mr = 6, nr = 16).
func gemmMicroRows6x16AVX2(k1 int, a1 []float32, k2 int, a2 []float32, lda int, b, c []float32, ldc int) {
	if checkMicroRows(6, 16, k1, a1, k2, a2, lda, b, c, ldc) {
		gemmMicroRows6x16AVX2Asm(k1, k2, rowsPtr(a1, k1), rowsPtr(a2, k2), lda, &b[0], &c[0], ldc)
	}
}

// gemmMicroRows14x32AVX512 is the 14x32 micro-kernel on unpacked A
// (gemmMicroRowsGeneric's spec for mr = 14, nr = 32).
func gemmMicroRows14x32AVX512(k1 int, a1 []float32, k2 int, a2 []float32, lda int, b, c []float32, ldc int) {
	if checkMicroRows(14, 32, k1, a1, k2, a2, lda, b, c, ldc) {
		gemmMicroRows14x32AVX512Asm(k1, k2, rowsPtr(a1, k1), rowsPtr(a2, k2), lda, &b[0], &c[0], ldc)
	}
}

// rowsPtr returns the first element of a segment of k > 0 steps, nil for
// an empty one (never read).
func rowsPtr(a []float32, k int) *float32 {
	if k == 0 {
		return nil
	}
	return &a[0]
}

// dotAVX2Asm returns sum_{i<len(x)} x[i]*y[i]; len(y) >= len(x).
//
//go:noescape
func dotAVX2Asm(x, y []float32) float32

// axpyAVX2Asm does y[i] += alpha*x[i] for i < len(x); len(y) >= len(x).
//
//go:noescape
func axpyAVX2Asm(alpha float32, x, y []float32)

// dotAVX512Asm is dotAVX2Asm with AVX-512F.
//
//go:noescape
func dotAVX512Asm(x, y []float32) float32

// axpyAVX512Asm is axpyAVX2Asm with AVX-512F.
//
//go:noescape
func axpyAVX512Asm(alpha float32, x, y []float32)

// scaleAVX2Asm does x[i] *= alpha for every i.
//
//go:noescape
func scaleAVX2Asm(alpha float32, x []float32)

// addAVX2Asm does dst[i] = x[i] + y[i] for i < len(dst); len(x), len(y) >= len(dst).
//
//go:noescape
func addAVX2Asm(dst, x, y []float32)

// gemvAVX2Asm does, for m, n > 0,
//
//	for i := 0; i < m; i++ {
//		for j := 0; j < n; j++ {
//			y[i] += a[i*lda+j] * x[j]
//		}
//	}
//
//go:noescape
func gemvAVX2Asm(m, n int, a []float32, lda int, x, y []float32)

// gemvTAVX2Asm does, for m, n > 0,
//
//	for i := 0; i < m; i++ {
//		for j := 0; j < n; j++ {
//			y[j] += a[i*lda+j] * x[i]
//		}
//	}
//
//go:noescape
func gemvTAVX2Asm(m, n int, a []float32, lda int, x, y []float32)

// gemvAVX512Asm is gemvAVX2Asm with AVX-512F.
//
//go:noescape
func gemvAVX512Asm(m, n int, a []float32, lda int, x, y []float32)

// gemvTAVX512Asm is gemvTAVX2Asm with AVX-512F.
//
//go:noescape
func gemvTAVX512Asm(m, n int, a []float32, lda int, x, y []float32)

// gemmMicro6x16AVX2Asm does, for k > 0,
//
//	for p := 0; p < k; p++ {
//		for i := 0; i < 6; i++ {
//			for j := 0; j < 16; j++ {
//				c[i*ldc+j] += a[p*6+i] * b[p*16+j]
//			}
//		}
//	}
//
//go:noescape
func gemmMicro6x16AVX2Asm(k int, a, b, c []float32, ldc int)

// gemmMicro14x32AVX512Asm does, for k > 0,
//
//	for p := 0; p < k; p++ {
//		for i := 0; i < 14; i++ {
//			for j := 0; j < 32; j++ {
//				c[i*ldc+j] += a[p*14+i] * b[p*32+j]
//			}
//		}
//	}
//
//go:noescape
func gemmMicro14x32AVX512Asm(k int, a, b, c []float32, ldc int)

// gemmMicroRows6x16AVX2Asm does, for k1 + k2 > 0, with acc zero,
//
//	for p := 0; p < k1+k2; p++ {
//		for i := 0; i < 6; i++ {
//			a := a1[i*lda+p] // a2[i*lda+p-k1] for p >= k1
//			for j := 0; j < 16; j++ {
//				acc[i][j] += a * b[p*16+j]
//			}
//		}
//	}
//	c[i*ldc+j] += acc[i][j] // i < 6, j < 16
//
//go:noescape
func gemmMicroRows6x16AVX2Asm(k1, k2 int, a1, a2 *float32, lda int, b, c *float32, ldc int)

// gemmMicroRows14x32AVX512Asm does, for k1 + k2 > 0, with acc zero,
//
//	for p := 0; p < k1+k2; p++ {
//		for i := 0; i < 14; i++ {
//			a := a1[i*lda+p] // a2[i*lda+p-k1] for p >= k1
//			for j := 0; j < 32; j++ {
//				acc[i][j] += a * b[p*32+j]
//			}
//		}
//	}
//	c[i*ldc+j] += acc[i][j] // i < 14, j < 32
//
//go:noescape
func gemmMicroRows14x32AVX512Asm(k1, k2 int, a1, a2 *float32, lda int, b, c *float32, ldc int)
