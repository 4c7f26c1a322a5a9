//go:build !purego && !race

#include "textflag.h"

// func storeRelease(p *int64, v int64)
// STLR: a store-release (every earlier load and store is visible before
// it), without the full barrier of sync/atomic's store.
TEXT ·storeRelease(SB), NOSPLIT, $0-16
	MOVD p+0(FP), R0
	MOVD v+8(FP), R1
	STLR R1, (R0)
	RET
