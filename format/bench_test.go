package format

import (
	"bytes"
	"hash/crc32"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// benchModel is a MNIST-sized MADE (D=784, one hidden layer of 500): about
// 3.1 MB of float32 weights.
func benchModel(tb testing.TB) []byte {
	h := Header{Arch: MADE, Dims: 784, Shape: []int{28, 28}, Dist: Bernoulli, Categories: 2,
		Hidden: []int{500}, Masks: 1}
	b, err := Encode(h, sampleTensors("bench", h, F32))
	require.NoError(tb, err)
	return b
}

func benchFile(b *testing.B) (string, []byte) {
	data := benchModel(b)
	path := filepath.Join(b.TempDir(), "made784.arw")
	h := Header{Arch: MADE, Dims: 784, Shape: []int{28, 28}, Dist: Bernoulli, Categories: 2,
		Hidden: []int{500}, Masks: 1}
	require.NoError(b, WriteFile(path, h, sampleTensors("bench", h, F32)))
	return path, data
}

// BenchmarkOpen measures Open (mmap) + full validation including the data
// checksum + Close.
func BenchmarkOpen(b *testing.B) {
	path, data := benchFile(b)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		f, err := Open(path)
		if err != nil {
			b.Fatal(err)
		}
		f.Close()
	}
}

// BenchmarkOpenSkipDataChecksum is Open with the data CRC deferred: the
// cost of structural validation alone.
func BenchmarkOpenSkipDataChecksum(b *testing.B) {
	path, data := benchFile(b)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		f, err := OpenOptions(path, Options{SkipDataChecksum: true})
		if err != nil {
			b.Fatal(err)
		}
		f.Close()
	}
}

// BenchmarkChecksum is the CRC-32 of the data section alone.
func BenchmarkChecksum(b *testing.B) {
	data := benchModel(b)
	_, sec := splitFile(data)
	b.SetBytes(int64(len(sec)))
	for b.Loop() {
		crc32.ChecksumIEEE(sec)
	}
}

// BenchmarkRead is Read from memory: a copy plus full validation.
func BenchmarkRead(b *testing.B) {
	data := benchModel(b)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Read(bytes.NewReader(data), int64(len(data))); err != nil {
			b.Fatal(err)
		}
	}
}
