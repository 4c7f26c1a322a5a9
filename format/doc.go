// Package format reads, validates and writes .arw files, the weight format
// of arinfer.
//
// An .arw file is a 64-byte binary preamble (magic, version, section
// lengths and CRC-32 checksums), a bounded UTF-8 JSON header (architecture,
// hyperparameters, free-form metadata and the tensor index), zero padding,
// and a data section in which every tensor starts on a 64-byte boundary.
// All integers and tensor elements are little-endian. The normative
// description is SPEC.md in this directory; this package is one
// implementation of it and python/arw.py is another.
//
// [Open] memory-maps a file (on unix) and returns float32 and int32 tensors
// as zero-copy views of the mapping; [Read] reads from any [io.ReaderAt].
// Both validate everything before returning: the preamble, every offset and
// length against the file size, the checksums, the JSON header, the tensor
// index and the architecture's own consistency (every required tensor with
// the shape its hyperparameters imply, orderings that are permutations,
// degrees in range). A file that passes validation fully defines a model's
// log-likelihood; see SPEC.md for the equations of each architecture.
//
// [Write] and [WriteFile] produce canonical files: the same header and
// tensors always give the same bytes.
package format
