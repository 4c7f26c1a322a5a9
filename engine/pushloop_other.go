//go:build (!amd64 && !arm64) || purego

package engine

// madeLoopFor: the sampler loop is in assembly on amd64 and arm64 only;
// elsewhere (and with purego) the Go loop runs.
func madeLoopFor(p *madePush) func(*madeLoop) { return nil }
