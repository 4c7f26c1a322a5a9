//go:build race

package engine

// raceEnabled reports a -race build: the race detector makes sync.Pool drop
// items at random, so allocation counts mean nothing there.
const raceEnabled = true
