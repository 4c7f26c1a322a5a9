//go:build unix && !linux

package format

const mapPopulate = 0
