//go:build (!amd64 && !arm64) || purego || race

package engine

import "sync/atomic"

// storeRelease stores v at p with (at least) release ordering: here
// atomic.StoreInt64, which the race detector also sees as the
// synchronization it is.
func storeRelease(p *int64, v int64) { atomic.StoreInt64(p, v) }
