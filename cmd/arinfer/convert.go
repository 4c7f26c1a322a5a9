package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"

	"github.com/arinfer/arinfer/engine"
	"github.com/arinfer/arinfer/format"
)

func runConvert(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("convert", "--model in.arw --dtype float16 -o out.arw", stdout)
	model := fs.String("model", "", "model `file` to convert (.arw)")
	dtype := fs.String("dtype", "float16", "dtype of the float tensors: float32, float16 or bfloat16")
	out := fs.String("o", "", "output `file` (.arw)")
	if err := parse(fs, args); err != nil {
		return err
	}
	var mk func(name string, shape []int, v []float32) format.Tensor
	switch format.DType(*dtype) {
	case format.F32:
		mk = format.Float32Tensor
	case format.F16:
		mk = format.Float16Tensor
	case format.BF16:
		mk = format.BFloat16Tensor
	default:
		return badInput("--dtype %q: want float32, float16 or bfloat16", *dtype)
	}
	if *model == "" || *out == "" {
		return badInput("--model and -o are required")
	}
	if err := checkOutDir(*out); err != nil {
		return err
	}
	f, err := format.Open(*model)
	if err != nil {
		return usageError{err}
	}
	defer f.Close()
	before, err := engine.FromFile(f)
	if err != nil {
		return usageError{err}
	}
	var ts []format.Tensor
	for _, ti := range f.Tensors() {
		if ti.DType.IsFloat() {
			v, shape, err := f.Float32(ti.Name)
			if err != nil {
				return err
			}
			ts = append(ts, mk(ti.Name, shape, v))
			continue
		}
		t, err := f.Tensor(ti.Name)
		if err != nil {
			return err
		}
		ts = append(ts, t)
	}
	// Check the converted model on the same inputs before writing it.
	enc, err := format.Encode(f.Header(), ts)
	if err != nil {
		return err
	}
	conv, err := format.Read(bytesReaderAt(enc), int64(len(enc)))
	if err != nil {
		return err
	}
	after, err := engine.FromFile(conv)
	if err != nil {
		return err
	}
	mean0, mean1, maxd, err := compareModels(ctx, before, after)
	if err != nil {
		return err
	}
	if math.IsNaN(mean1) || math.IsInf(mean1, 0) {
		return fmt.Errorf("converted model gives a non-finite log-likelihood (%v); not written", mean1)
	}
	if err := format.WriteFile(*out, f.Header(), ts); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s (%s, %d bytes)\n", *out, *dtype, len(enc))
	fmt.Fprintf(stdout, "check on 1000 random binary inputs: mean log p %.6f before, %.6f after, largest change %.3g nats\n", mean0, mean1, maxd)
	return nil
}

type bytesReaderAt []byte

func (b bytesReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 || off > int64(len(b)) {
		return 0, io.EOF
	}
	n := copy(p, b[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// compareModels scores the same 1000 random binary inputs (fixed seed)
// with both models.
func compareModels(ctx context.Context, a, b engine.Model) (meanA, meanB, maxDiff float64, err error) {
	const n = 1000
	D := a.Info().Dims
	rng := rand.New(rand.NewPCG(1, 1))
	x := make([]float32, n*D)
	for i := range x {
		x[i] = float32(rng.IntN(2))
	}
	la, lb := make([]float64, n), make([]float64, n)
	if err = a.LogProb(ctx, x, la); err != nil {
		return
	}
	if err = b.LogProb(ctx, x, lb); err != nil {
		return
	}
	for i := range la {
		meanA += la[i] / n
		meanB += lb[i] / n
		maxDiff = max(maxDiff, math.Abs(la[i]-lb[i]))
	}
	return
}
