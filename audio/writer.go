package audio

// SampleWriter is where generated audio goes, a WAVWriter or a RawWriter:
// WriteSamples appends samples, Close completes the output, and Abort gives
// it up (a WAVWriter made by CreateWAV removes its file). After an error,
// every later call returns that error; after Close or Abort, Abort does
// nothing.
type SampleWriter interface {
	WriteSamples(s []int16) error
	Close() error
	Abort() error
}

var (
	_ SampleWriter = (*WAVWriter)(nil)
	_ SampleWriter = (*RawWriter)(nil)
)
