package main

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/arinfer/arinfer/engine"
)

// streamView draws the first few samples of a batch in the terminal while
// they are generated, two pixel rows per text line with the upper half
// block character (foreground = upper pixel, background = lower pixel), so
// the model's generation order is visible. Pixels not drawn yet are grey.
type streamView struct {
	w       *bufio.Writer
	h, wd   int
	shown   int
	k       int       // values per pixel (2: binary; 256: grey levels)
	px      [][]int16 // per shown example: -1 not yet drawn, else the grey level 0..255
	live    bool      // animate in place (a terminal); else print the last frame only
	delay   time.Duration
	started bool
}

const maxStreamed = 4

func newStreamView(w io.Writer, h, wd, k, batch int, live bool, delay time.Duration) *streamView {
	v := &streamView{w: bufio.NewWriterSize(w, 1<<16), h: h, wd: wd, k: k, shown: min(batch, maxStreamed), live: live, delay: delay}
	v.px = make([][]int16, v.shown)
	for e := range v.px {
		v.px[e] = make([]int16, h*wd)
		for i := range v.px[e] {
			v.px[e][i] = -1
		}
	}
	return v
}

// set records known pixel values before sampling starts.
func (v *streamView) set(e, dim int, val float32) {
	if e < v.shown {
		v.px[e][dim] = v.grey(val)
	}
}

func (v *streamView) onStep(s engine.Step) {
	changed := -1
	for e := 0; e < v.shown; e++ {
		d := s.Dim
		if s.Dims != nil {
			d = int(s.Dims[e])
		}
		v.px[e][d] = v.grey(s.Values[e])
		changed = d / v.wd
	}
	if !v.live {
		return
	}
	if !v.started {
		v.frame()
		v.started = true
	} else if s.Dims != nil {
		v.redraw() // examples draw different pixels: refresh everything
	} else {
		v.line(changed / 2)
	}
	v.w.Flush()
	if v.delay > 0 {
		time.Sleep(v.delay)
	}
}

func (v *streamView) lines() int { return (v.h + 1) / 2 }

// frame prints the whole picture and leaves the cursor below it.
func (v *streamView) frame() {
	for l := 0; l < v.lines(); l++ {
		v.printLine(l)
		v.w.WriteString("\n")
	}
}

// redraw moves the cursor to the picture's top and prints it again.
func (v *streamView) redraw() {
	fmt.Fprintf(v.w, "\x1b[%dA\r", v.lines())
	v.frame()
}

// line reprints text line l in place.
func (v *streamView) line(l int) {
	up := v.lines() - l
	fmt.Fprintf(v.w, "\x1b[%dA\r", up)
	v.printLine(l)
	fmt.Fprintf(v.w, "\x1b[%dB\r", up)
}

// grey maps a pixel value 0..k-1 to a grey level 0..255.
func (v *streamView) grey(val float32) int16 {
	return int16(max(0, min(255, math.Round(float64(val)/float64(v.k-1)*255))))
}

// colour returns the xterm-256 colour of a grey level, or of a pixel not
// drawn yet (-1): black and white are 16 and 231, the grey ramp 232..255
// lies between.
func colour(g int16) int {
	switch {
	case g < 0:
		return 238
	case g == 0:
		return 16
	case g == 255:
		return 231
	}
	return 232 + int(math.Round(float64(g)/255*23))
}

func (v *streamView) printLine(l int) {
	for e := 0; e < v.shown; e++ {
		if e > 0 {
			v.w.WriteString("  ")
		}
		for c := 0; c < v.wd; c++ {
			top := v.px[e][2*l*v.wd+c]
			bot := int16(-1)
			if 2*l+1 < v.h {
				bot = v.px[e][(2*l+1)*v.wd+c]
			}
			fmt.Fprintf(v.w, "\x1b[38;5;%dm\x1b[48;5;%dm▀", colour(top), colour(bot))
		}
		v.w.WriteString("\x1b[0m")
	}
}

// finish prints the last frame when not animating, and flushes.
func (v *streamView) finish() {
	if !v.live {
		v.frame()
	}
	v.w.Flush()
}
