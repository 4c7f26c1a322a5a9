//go:build unix

package format

import (
	"os"

	"golang.org/x/sys/unix"
)

// mapFile maps size bytes of fd read-only. With prefault the kernel maps
// all pages at once (where supported), which is faster than faulting them
// in one by one when the whole file is about to be read anyway.
func mapFile(fd *os.File, size int, prefault bool) ([]byte, func() error, error) {
	populate := 0
	if prefault {
		populate = mapPopulate
	}
	b, err := unix.Mmap(int(fd.Fd()), 0, size, unix.PROT_READ, unix.MAP_SHARED|populate)
	if err != nil {
		return nil, nil, err
	}
	return b, func() error { return unix.Munmap(b) }, nil
}
