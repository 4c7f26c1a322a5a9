package kernels

// matLayout is the order in which a tier's MatVec kernel streams a Mat's
// weights.
type matLayout uint8

const (
	// layoutRows is the generic kernel's: the stored weights widened to
	// float32, row-major (element (i, j) at i*n + j).
	layoutRows matLayout = iota
	// layoutPanel cuts the rows into panels of p (the last one padded with
	// zero rows) stored one after another, column-major inside a panel:
	// element (q*p + r, j) at q*p*n + j*p + r, in the stored type (float32
	// for F32, the 16-bit bits otherwise).
	layoutPanel
	// layoutPanelIL is layoutPanel for bfloat16 with each column's p
	// weights interleaved in groups of 2v rows (v = floats per vector
	// register): 32-bit word k of a group holds row k in its low half and
	// row k+v in its high half, so one load widens to two registers of v
	// rows with a shift (low halves) and a mask (high halves).
	layoutPanelIL
	// layoutPairs is the VDPBF16PS layout for BF16Dot: panels of p rows,
	// and inside a panel the column pairs (2c, 2c+1), c < ⌈n/2⌉, one after
	// another, each as p 32-bit words whose word r holds (W[q*p+r, 2c] low,
	// W[q*p+r, 2c+1] high); an odd n is padded with a zero column.
	layoutPairs
)

// matPacked is a Mat's weights in one tier's layout: f32 or u16 (the other
// nil), with p the panel height (0 for layoutRows).
type matPacked struct {
	layout matLayout
	p, v   int
	f32    []float32
	u16    []uint16
}

// packedFor returns a's weights laid out for tier t, packing them on first
// use. Concurrent first uses may both pack; one result is kept.
func (a *Mat) packedFor(t *impl) *matPacked {
	if p := a.packed[t.tier].Load(); p != nil {
		return p
	}
	a.packed[t.tier].CompareAndSwap(nil, packMat(a, t.matvec.kernel(a.wt)))
	return a.packed[t.tier].Load()
}

// packMat lays a's weights out for kernel k (nil: the generic kernel).
func packMat(a *Mat, k *matKernel) *matPacked {
	m, n := a.m, a.n
	if k == nil || k.layout == layoutRows {
		pk := &matPacked{layout: layoutRows}
		if a.wt == F32 {
			pk.f32 = a.w32
			return pk
		}
		pk.f32 = make([]float32, m*n)
		for i := range pk.f32 {
			pk.f32[i] = a.weight(i)
		}
		return pk
	}
	p := k.p
	panels := (m + p - 1) / p
	pk := &matPacked{layout: k.layout, p: p, v: k.v}
	switch k.layout {
	case layoutPanel:
		if a.wt == F32 {
			pk.f32 = make([]float32, panels*p*n)
			for i := 0; i < m; i++ {
				q, r := i/p, i%p
				for j, w := range a.w32[i*n : (i+1)*n] {
					pk.f32[q*p*n+j*p+r] = w
				}
			}
			return pk
		}
		pk.u16 = make([]uint16, panels*p*n)
		for i := 0; i < m; i++ {
			q, r := i/p, i%p
			for j, w := range a.w16[i*n : (i+1)*n] {
				pk.u16[q*p*n+j*p+r] = w
			}
		}
	case layoutPanelIL:
		v := k.v
		pk.u16 = make([]uint16, panels*p*n)
		for i := 0; i < m; i++ {
			q, r := i/p, i%p
			g, s := r/(2*v), r%(2*v) // group, row in group
			pos := g*2*v + 2*(s%v) + s/v
			for j, w := range a.w16[i*n : (i+1)*n] {
				pk.u16[q*p*n+j*p+pos] = w
			}
		}
	case layoutPairs:
		n2 := (n + 1) &^ 1
		pk.u16 = make([]uint16, panels*p*n2)
		for i := 0; i < m; i++ {
			q, r := i/p, i%p
			for j, w := range a.w16[i*n : (i+1)*n] {
				pk.u16[q*p*n2+(j/2)*2*p+2*r+j%2] = w
			}
		}
	}
	return pk
}
