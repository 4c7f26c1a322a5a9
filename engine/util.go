package engine

// Small helpers the models share: workspace slices grown to a size (kept
// when large enough, so the steady state allocates nothing), and sizes.

func growF(s []float32, n int) []float32 {
	if cap(s) < n {
		return make([]float32, n)
	}
	return s[:n]
}

func growF64(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	return s[:n]
}

func growInt(s []int, n int) []int {
	if cap(s) < n {
		return make([]int, n)
	}
	return s[:n]
}

func growI32(s []int32, n int) []int32 {
	if cap(s) < n {
		return make([]int32, n)
	}
	return s[:n]
}

// pad16 rounds n up to a multiple of 16 (64 bytes of float32).
func pad16(n int) int { return (n + 15) &^ 15 }

func sum(s []int) int {
	n := 0
	for _, v := range s {
		n += v
	}
	return n
}
