package kernels

// This file holds the pure-Go kernels. Each one's doc comment is the
// specification that every SIMD implementation of the same table entry must
// meet; tests check the other tiers against these functions.

// dotGeneric returns sum_{i<len(x)} x[i]*y[i]; len(y) >= len(x).
func dotGeneric(x, y []float32) float32 {
	y = y[:len(x)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += x[i] * y[i]
		s1 += x[i+1] * y[i+1]
		s2 += x[i+2] * y[i+2]
		s3 += x[i+3] * y[i+3]
	}
	for ; i < len(x); i++ {
		s0 += x[i] * y[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// axpyGeneric does y[i] += alpha*x[i] for i < len(x); len(y) >= len(x).
func axpyGeneric(alpha float32, x, y []float32) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] += alpha * v
	}
}

// scaleGeneric does x[i] *= alpha for every i.
func scaleGeneric(alpha float32, x []float32) {
	for i := range x {
		x[i] *= alpha
	}
}

// addGeneric does dst[i] = x[i] + y[i] for i < len(dst); len(x), len(y) >= len(dst).
func addGeneric(dst, x, y []float32) {
	x = x[:len(dst)]
	y = y[:len(dst)]
	for i := range dst {
		dst[i] = x[i] + y[i]
	}
}

// gemvGeneric does y[i] += sum_{j<n} a[i*lda+j]*x[j] for i < m.
func gemvGeneric(m, n int, a []float32, lda int, x, y []float32) {
	if m == 0 || n == 0 {
		return
	}
	x = x[:n]
	for i := 0; i < m; i++ {
		y[i] += dotGeneric(a[i*lda:i*lda+n], x)
	}
}

// gemvTGeneric does y[j] += sum_{i<m} a[i*lda+j]*x[i] for j < n.
func gemvTGeneric(m, n int, a []float32, lda int, x, y []float32) {
	if m == 0 || n == 0 {
		return
	}
	y = y[:n]
	for i := 0; i < m; i++ {
		axpyGeneric(x[i], a[i*lda:i*lda+n], y)
	}
}

// gemmMicroGeneric is the 4x4 micro-kernel:
// c[i*ldc+j] += sum_{p<k} a[p*4+i]*b[p*4+j] for i, j < 4.
func gemmMicroGeneric(k int, a, b, c []float32, ldc int) {
	var c00, c01, c02, c03, c10, c11, c12, c13 float32
	var c20, c21, c22, c23, c30, c31, c32, c33 float32
	a = a[:4*k]
	b = b[:4*k]
	for p := 0; p < 4*k; p += 4 {
		a0, a1, a2, a3 := a[p], a[p+1], a[p+2], a[p+3]
		b0, b1, b2, b3 := b[p], b[p+1], b[p+2], b[p+3]
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
