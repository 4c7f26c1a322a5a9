package engine

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// adviseHuge asks the kernel to back the n bytes at p (whole huge pages,
// which the caller has not touched yet) with transparent huge pages (MADV_HUGEPAGE; a kernel whose THP setting is "madvise", the
// common default, gives them to asked-for memory only). A model's large
// weight arrays are written once at load: in 4 kB pages that is a page
// fault per 4 kB, which costs more than the writing (about 15 us a fault
// on a virtual machine: a 7.9 MB float16 MADE's 22 MB of weights and
// tables took some 80 ms of faults to open and sample once), and the
// sampler's table lookups miss the TLB less in 2 MB pages. The advice is
// a hint: a kernel without huge pages ignores it or refuses it, and so do
// we.
func adviseHuge(p unsafe.Pointer, n uintptr) {
	_ = unix.Madvise(unsafe.Slice((*byte)(p), n), unix.MADV_HUGEPAGE)
}
