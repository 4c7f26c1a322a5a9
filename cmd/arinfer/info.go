package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/arinfer/arinfer/format"
)

func runInfo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("info", "--model m.arw", stdout)
	model := fs.String("model", "", "model `file` (.arw)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *model == "" {
		return badInput("--model is required")
	}
	f, err := format.Open(*model)
	if err != nil {
		return usageError{err}
	}
	defer f.Close()
	h := f.Header()
	major, minor := f.Version()
	fmt.Fprintf(stdout, "file:         %s (format %d.%d)\n", *model, major, minor)
	fmt.Fprintf(stdout, "architecture: %s\n", h.Arch)
	fmt.Fprintf(stdout, "dims:         %d, shape %v, %s with %d categories\n", h.Dims, h.Shape, h.Dist, h.Categories)
	if len(h.Hidden) > 0 {
		fmt.Fprintf(stdout, "hidden:       %v\n", h.Hidden)
	}
	if h.Arch == format.MADE {
		fmt.Fprintf(stdout, "masks:        %d, direct connection: %v\n", h.Masks, h.Direct)
	}
	if h.Arch.IsImage() {
		fmt.Fprintf(stdout, "layers:       %d, channels %d, kernel %dx%d", h.Layers, h.Channels, h.KernelSize, h.KernelSize)
		if h.Arch == format.PixelCNN {
			fmt.Fprintf(stdout, ", input kernel %dx%d (mask A)", h.InputKernel, h.InputKernel)
		}
		fmt.Fprintf(stdout, ", head %d\n", h.HeadChannels)
	}
	if h.Arch == format.WaveNet {
		rho := 2
		for _, d := range h.Dilations {
			rho += d
		}
		fmt.Fprintf(stdout, "layers:       %d, dilations %v (receptive field %d steps)\n", len(h.Dilations), h.Dilations, rho)
		fmt.Fprintf(stdout, "channels:     residual %d, gate %d, skip %d, head %d\n", h.ResidualChannels, h.GateChannels, h.SkipChannels, h.HeadChannels)
		if h.SampleRate > 0 {
			fmt.Fprintf(stdout, "audio:        %d Hz, %d mu-law levels (sequences of any length; shape is one item)\n", h.SampleRate, h.Categories)
		}
	}
	if h.Arch.IsImage() || h.Arch == format.WaveNet {
		if h.Classes > 0 {
			fmt.Fprintf(stdout, "classes:      %d (class-conditional; scores are log sum_y p(y) p(x|y))\n", h.Classes)
		} else {
			fmt.Fprintf(stdout, "classes:      none (unconditional)\n")
		}
	}
	params := 0
	fmt.Fprintln(stdout, "tensors:")
	for _, t := range f.Tensors() {
		n := 1
		for _, s := range t.Shape {
			n *= s
		}
		if t.DType != format.I32 {
			params += n
		}
		fmt.Fprintf(stdout, "  %-12s %-8s %v\n", t.Name, t.DType, t.Shape)
	}
	fmt.Fprintf(stdout, "parameters:   %d stored floats\n", params)
	cs := f.Checksums()
	fmt.Fprintf(stdout, "checksums:    CRC-32 preamble %08x, header %08x, data %08x: all verified\n", cs.Preamble, cs.Header, cs.Data)
	if st, err := os.Stat(*model); err == nil {
		fmt.Fprintf(stdout, "file size:    %d bytes\n", st.Size())
	}
	if len(h.Meta) > 0 {
		fmt.Fprintf(stdout, "meta:         %s\n", h.Meta)
	}
	return nil
}
