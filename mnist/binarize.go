package mnist

// Seed is the SplitMix64 seed of the binarization ("arinfer!" as a
// big-endian uint64).
const Seed uint64 = 0x6172696E66657221

const (
	golden = 0x9E3779B97F4A7C15
	mix1   = 0xBF58476D1CE4E5B9
	mix2   = 0x94D049BB133111EB
)

// SplitMix64At returns output number k+1 of the SplitMix64 generator seeded
// with seed, i.e. the finalizer applied to seed + (k+1)*0x9E3779B97F4A7C15.
func SplitMix64At(seed, k uint64) uint64 {
	z := seed + (k+1)*golden
	z = (z ^ z>>30) * mix1
	z = (z ^ z>>27) * mix2
	return z ^ z>>31
}

// BinarizePixel returns 1 with probability intensity/255 using the random
// draw of global pixel index k (see the package documentation), else 0.
func BinarizePixel(intensity uint8, k uint64) uint8 {
	u24 := SplitMix64At(Seed, k) >> 40
	if u24*255 < uint64(intensity)<<24 {
		return 1
	}
	return 0
}

// Binarize returns the binarization of the intensities src whose first
// element has global pixel index first: element j is
// BinarizePixel(src[j], first+j).
func Binarize(src []uint8, first uint64) []uint8 {
	dst := make([]uint8, len(src))
	for j, v := range src {
		dst[j] = BinarizePixel(v, first+uint64(j))
	}
	return dst
}
