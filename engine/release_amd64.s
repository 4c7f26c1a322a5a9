//go:build !purego && !race

#include "textflag.h"

// func storeRelease(p *int64, v int64)
// A plain MOVQ: on amd64 every store is a release store (no store is
// reordered with an earlier load or store), and unlike sync/atomic's
// XCHGQ it does not wait for the line to come back from the core that
// polls it.
TEXT ·storeRelease(SB), NOSPLIT, $0-16
	MOVQ p+0(FP), AX
	MOVQ v+8(FP), BX
	MOVQ BX, (AX)
	RET
