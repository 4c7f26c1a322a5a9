//go:build !unix

package format

import (
	"errors"
	"os"
)

// mapFile is not available on this platform; Open falls back to reading.
func mapFile(fd *os.File, size int) ([]byte, func() error, error) {
	return nil, nil, errors.New("memory mapping not supported")
}
