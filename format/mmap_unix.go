//go:build unix

package format

import (
	"os"

	"golang.org/x/sys/unix"
)

// mapFile maps size bytes of fd read-only. (MAP_POPULATE was measured and
// did not help: the kernel's fault-around already maps file pages in
// batches.)
func mapFile(fd *os.File, size int) ([]byte, func() error, error) {
	b, err := unix.Mmap(int(fd.Fd()), 0, size, unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		return nil, nil, err
	}
	return b, func() error { return unix.Munmap(b) }, nil
}
