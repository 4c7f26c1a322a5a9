//go:build linux

package format

import "golang.org/x/sys/unix"

const mapPopulate = unix.MAP_POPULATE
