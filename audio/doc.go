// Package audio reads and writes the audio that arinfer's WaveNet models
// exchange (format/SPEC.md 3.9): mono 16-bit linear PCM as RIFF/WAVE files
// or as raw little-endian samples, and the μ-law coding between PCM samples
// and a model's K categories.
//
// Reading never panics and never allocates more than the input really holds:
// a truncated, hostile or unsupported file gives a one-line error that names
// the problem (and, where one helps, the sox command that converts the file).
// Writers report the first I/O error, and a WAVWriter made by CreateWAV
// leaves no partial file behind when it fails or is aborted.
//
// Recordings at another sample rate are not resampled here: CheckRate
// reports the mismatch with the sox command that converts the file.
package audio
