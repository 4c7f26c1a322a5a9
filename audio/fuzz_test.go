package audio

import (
	"bytes"
	"math"
	"strings"
	"testing"
)

// FuzzReadWAV: any input is read or refused with a one-line error, never a
// panic; what is read writes back and reads again the same.
func FuzzReadWAV(f *testing.F) {
	data := chunk("data", pcmData(someSamples...))
	for _, c := range wavCases() {
		f.Add(c.file)
	}
	f.Add(wavFile(chunk("LIST", []byte("INFO")), pcmFmt(16000), chunk("JUNK", []byte{1}), data))
	f.Add(wavFile(extFmt(1, 16000, 2, 16, 16, tagPCM), chunkSized("data", 0xFFFFFFFF, pcmData(1, 2, 3))))
	f.Add(wavFile(pcmFmt(16000), chunkSized("data", 0x7FFFF000, pcmData(1, 2))))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ReadWAV(bytes.NewReader(b))
		if err != nil {
			if msg := err.Error(); !strings.HasPrefix(msg, "wav: ") || strings.Contains(msg, "\n") {
				t.Fatalf("error %q: want one line starting with \"wav: \"", msg)
			}
			if p.Rate != 0 || p.Samples != nil {
				t.Fatalf("error %v with PCM %d Hz, %d samples", err, p.Rate, len(p.Samples))
			}
			return
		}
		if p.Rate < 1 || p.Rate > MaxRate || 2*len(p.Samples) > len(b) {
			t.Fatalf("read %d Hz, %d samples from %d bytes", p.Rate, len(p.Samples), len(b))
		}
		var buf bytes.Buffer
		if err := WriteWAV(&buf, p); err != nil {
			t.Fatal(err)
		}
		q, err := ReadWAV(&buf)
		if err != nil || q.Rate != p.Rate || !equalSamples(p.Samples, q.Samples) {
			t.Fatalf("rewritten file reads %d Hz, %d samples, %v; want %d Hz, %d samples", q.Rate, len(q.Samples), err, p.Rate, len(p.Samples))
		}
	})
}

func equalSamples(a, b []int16) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// FuzzReadRaw: raw input reads back exactly or, with an odd length, fails.
func FuzzReadRaw(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{1})
	f.Add(pcmData(someSamples...))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ReadRaw(bytes.NewReader(b), 16000)
		if len(b)%2 == 1 {
			if err == nil {
				t.Fatal("odd length accepted")
			}
			return
		}
		if err != nil || !bytes.Equal(pcmData(p.Samples...), b) {
			t.Fatalf("%d bytes read as %d samples, %v", len(b), len(p.Samples), err)
		}
	})
}

// FuzzMuLaw: codes are in range, decode(encode(s)) is within the
// quantization bound, and the slice functions agree with the scalar ones
// or refuse a bad code.
func FuzzMuLaw(f *testing.F) {
	f.Add(int16(0), uint16(255), float32(3))
	f.Add(int16(-32768), uint16(1), float32(-1))
	f.Add(int16(32767), uint16(65535), float32(math.NaN()))
	f.Add(int16(123), uint16(15), float32(2.5))
	f.Fuzz(func(t *testing.T, s int16, km1 uint16, code float32) {
		k := int(km1) + 1
		if k < MinCodes {
			if EncodeCodes([]float32{0}, []int16{s}, k) == nil || DecodeCodes([]int16{0}, []float32{code}, k) == nil {
				t.Fatalf("k=%d accepted", k)
			}
			return
		}
		c := MuLawEncode(s, k)
		if c < 0 || c >= k {
			t.Fatalf("k=%d: code %d of %d", k, c, s)
		}
		mu := float64(k - 1)
		a := math.Abs(float64(s) / 32768)
		bound := 32768*math.Log(1+mu)/(mu*mu)*(1+mu*a)*math.Pow(1+mu, 1/mu) + 0.5 + 1e-9
		if e := math.Abs(float64(MuLawDecode(c, k)) - float64(s)); e > bound {
			t.Fatalf("k=%d s=%d: decodes back %v away (bound %v)", k, s, e, bound)
		}
		codes := []float32{7}
		if err := EncodeCodes(codes, []int16{s}, k); err != nil || codes[0] != float32(c) {
			t.Fatalf("EncodeCodes: %v, %v; want %d", codes[0], err, c)
		}
		out := []int16{7}
		err := DecodeCodes(out, []float32{code}, k)
		valid := code >= 0 && code < float32(k) && code == float32(math.Trunc(float64(code)))
		switch {
		case valid && (err != nil || out[0] != MuLawDecode(int(code), k)):
			t.Fatalf("DecodeCodes(%v): %d, %v", code, out[0], err)
		case !valid && (err == nil || out[0] != 7):
			t.Fatalf("DecodeCodes(%v) accepted: %d", code, out[0])
		}
	})
}
