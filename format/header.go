package format

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Top-level header keys of version 1.2 and the architectures that use them.
var (
	commonKeys = []string{"arch", "dims", "shape", "dist", "categories", "meta", "tensors"}
	archKeys   = map[string][]Arch{
		"hidden":            {NADE, MADE, LSTM, GRU},
		"masks":             {MADE},
		"direct":            {MADE},
		"embed":             {LSTM, GRU},
		"channels":          {PixelCNN, GatedPixelCNN},
		"layers":            {PixelCNN, GatedPixelCNN},
		"kernel_size":       {PixelCNN, GatedPixelCNN},
		"input_kernel":      {PixelCNN},
		"head_channels":     {PixelCNN, GatedPixelCNN, WaveNet},
		"classes":           {PixelCNN, GatedPixelCNN, WaveNet},
		"dilations":         {WaveNet},
		"residual_channels": {WaveNet},
		"gate_channels":     {WaveNet},
		"skip_channels":     {WaveNet},
		"sample_rate":       {WaveNet},
	}
	// reservedKeys were set aside in 1.0 for a later version and are still
	// undefined. See SPEC.md 2.1.
	reservedKeys = []string{"mask_types", "gated"}
	tensorKeys   = []string{"name", "dtype", "shape", "offset", "length"}
)

// checkDuplicateKeys walks the JSON text and reports the first object that
// repeats a key. encoding/json would silently keep the last value.
func checkDuplicateKeys(js []byte) error {
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.UseNumber()
	type frame struct {
		obj     bool
		wantKey bool
		keys    map[string]bool
		name    string // how the object is named in messages
		key     string // the key whose value is being read
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.obj && top.wantKey {
			if d, ok := tok.(json.Delim); ok && d == '}' {
				stack = stack[:len(stack)-1]
				continue
			}
			k, _ := tok.(string)
			if top.keys[k] {
				where := "the top-level object"
				if top.name != "" {
					where = "object " + top.name
				}
				return errors.New("duplicate key " + quote(k) + " in " + where)
			}
			top.keys[k] = true
			top.wantKey = false
			top.key = k
			continue
		}
		if top != nil && top.obj {
			top.wantKey = true
		}
		if d, ok := tok.(json.Delim); ok {
			switch d {
			case '{':
				name := ""
				if top != nil && top.obj {
					name = quote(top.key)
				}
				stack = append(stack, &frame{obj: true, wantKey: true, keys: map[string]bool{}, name: name})
			case '[':
				stack = append(stack, &frame{})
			case ']':
				stack = stack[:len(stack)-1]
			}
		}
	}
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// hdrParser decodes typed values from the top-level header object.
type hdrParser struct {
	path string
	m    map[string]json.RawMessage
}

func (p *hdrParser) err(key, format string, args ...any) *Error {
	return errorf(p.path, "header."+key, format, args...)
}

// raw returns the value of key, or nil if absent; null is an error.
func (p *hdrParser) raw(key string, required bool) (json.RawMessage, error) {
	v, ok := p.m[key]
	if !ok {
		if required {
			return nil, p.err(key, "required key is missing")
		}
		return nil, nil
	}
	if string(bytes.TrimSpace(v)) == "null" {
		return nil, p.err(key, "must not be null")
	}
	return v, nil
}

// int decodes a JSON integer in [lo, hi].
func (p *hdrParser) int(key string, required bool, lo, hi int64) (int64, bool, error) {
	v, err := p.raw(key, required)
	if v == nil || err != nil {
		return 0, false, err
	}
	n, err := decodeInt(v, lo, hi)
	if err != nil {
		return 0, false, p.err(key, "%s", err.Error())
	}
	return n, true, nil
}

func (p *hdrParser) intList(key string, required bool, minLen, maxLen int, lo, hi int64) ([]int, error) {
	v, err := p.raw(key, required)
	if v == nil || err != nil {
		return nil, err
	}
	out, err := decodeIntList(v, minLen, maxLen, lo, hi)
	if err != nil {
		return nil, p.err(key, "%s", err.Error())
	}
	return out, nil
}

func (p *hdrParser) str(key string, required bool) (string, bool, error) {
	v, err := p.raw(key, required)
	if v == nil || err != nil {
		return "", false, err
	}
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		return "", false, p.err(key, "want a string, found %s", clip(v))
	}
	return s, true, nil
}

// decodeInt decodes a JSON integer (no fraction, no exponent) in [lo, hi].
// v is a syntactically valid JSON value.
func decodeInt(v json.RawMessage, lo, hi int64) (int64, error) {
	s := string(bytes.TrimSpace(v))
	if !isJSONInteger(s) {
		return 0, errors.New("want an integer, found " + clip(v))
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < lo || n > hi {
		return 0, errors.New(sprintf("value %s outside [%d, %d]", s, lo, hi))
	}
	return n, nil
}

// decodeUint decodes a non-negative JSON integer below 2^64.
func decodeUint(v json.RawMessage) (uint64, error) {
	s := string(bytes.TrimSpace(v))
	if s == "-0" {
		s = "0"
	}
	if !isJSONInteger(s) || s[0] == '-' {
		return 0, errors.New("want a non-negative integer, found " + clip(v))
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, errors.New("want a non-negative integer below 2^64, found " + clip(v))
	}
	return n, nil
}

// isJSONInteger reports whether s is a JSON number without fraction or
// exponent: -?(0|[1-9][0-9]*).
func isJSONInteger(s string) bool {
	if strings.HasPrefix(s, "-") {
		s = s[1:]
	}
	if s == "" || (s[0] == '0' && len(s) > 1) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func decodeIntList(v json.RawMessage, minLen, maxLen int, lo, hi int64) ([]int, error) {
	var items []json.RawMessage
	if err := json.Unmarshal(v, &items); err != nil || items == nil {
		return nil, errors.New("want an array of integers, found " + clip(v))
	}
	if len(items) < minLen || len(items) > maxLen {
		return nil, errors.New(sprintf("array has %d entries, want between %d and %d", len(items), minLen, maxLen))
	}
	out := make([]int, len(items))
	for i, it := range items {
		n, err := decodeInt(it, lo, hi)
		if err != nil {
			return nil, errors.New(sprintf("entry %d: %s", i, err))
		}
		out[i] = int(n)
	}
	return out, nil
}

// clip shortens a JSON fragment for an error message.
func clip(v []byte) string {
	const max = 40
	s := string(bytes.TrimSpace(v))
	if len(s) > max {
		s = s[:max] + "..."
	}
	return s
}

// maxHyper bounds every size hyperparameter so that derived sizes such as
// 4*H or K+1 cannot overflow and orderings fit int32.
const maxHyper = math.MaxInt32 - 1

// parseHeader decodes and validates the JSON header: hyperparameters and
// tensor index. Architecture-level consistency (tensor shapes against
// hyperparameters) is checked later by validateArch.
func parseHeader(path string, js []byte, minor uint16, dataLen uint64) (Header, []TensorInfo, error) {
	var h Header
	if !json.Valid(js) {
		var v any
		err := json.Unmarshal(js, &v)
		return h, nil, &Error{Path: path, Field: "header", Msg: "invalid JSON", Err: err}
	}
	if err := checkDuplicateKeys(js); err != nil {
		return h, nil, &Error{Path: path, Field: "header", Msg: "invalid JSON", Err: err}
	}
	p := &hdrParser{path: path}
	if err := json.Unmarshal(js, &p.m); err != nil || p.m == nil {
		e := &Error{Path: path, Field: "header", Msg: "must be a JSON object"}
		if err != nil {
			e.Err = err
		}
		return h, nil, e
	}
	strict := minor <= VersionMinor

	arch, _, err := p.str("arch", true)
	if err != nil {
		return h, nil, err
	}
	h.Arch = Arch(arch)
	if !slices.Contains(knownArchs, h.Arch) {
		return h, nil, p.err("arch", "unknown architecture %q (this build, format %d.%d, knows %s)", arch, VersionMajor, VersionMinor, joinArchs())
	}
	if need := minVersionMinor(h.Arch); minor < need {
		return h, nil, errorf(path, "preamble.minor", "arch %s was added in format version %d.%d, but the file has version %d.%d (in %d.%d the name was reserved)",
			arch, VersionMajor, need, VersionMajor, minor, VersionMajor, minor)
	}

	// Keys: known and applicable, known but not for this arch, reserved, unknown.
	keys := make([]string, 0, len(p.m))
	for k := range p.m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if slices.Contains(commonKeys, k) {
			continue
		}
		if archs, ok := archKeys[k]; ok {
			if !slices.Contains(archs, h.Arch) {
				return h, nil, p.err(k, "key is not used by arch %s", h.Arch)
			}
			continue
		}
		if !strict {
			continue // added by a newer minor version: ignore
		}
		if slices.Contains(reservedKeys, k) {
			return h, nil, p.err(k, "key is reserved for a later version of the format; this build reads %d.%d", VersionMajor, VersionMinor)
		}
		return h, nil, p.err(k, "unknown key in a version %d.%d file", VersionMajor, minor)
	}

	dims, _, err := p.int("dims", true, 1, maxHyper)
	if err != nil {
		return h, nil, err
	}
	h.Dims = int(dims)
	if h.Shape, err = p.intList("shape", true, 1, MaxRank, 1, maxHyper); err != nil {
		return h, nil, err
	}
	prod := int64(1)
	for _, d := range h.Shape {
		prod *= int64(d)
		if prod > dims {
			break
		}
	}
	if prod != dims {
		return h, nil, p.err("shape", "shape %v has %d or more elements, but dims is %d", h.Shape, prod, dims)
	}
	dist, _, err := p.str("dist", true)
	if err != nil {
		return h, nil, err
	}
	h.Dist = Dist(dist)
	if h.Dist != Bernoulli && h.Dist != Categorical {
		return h, nil, p.err("dist", "unknown distribution %q (want bernoulli or categorical)", dist)
	}
	k, present, err := p.int("categories", false, 2, maxHyper)
	if err != nil {
		return h, nil, err
	}
	h.Categories = int(k)
	if !present {
		if h.Dist != Bernoulli {
			return h, nil, p.err("categories", "required key is missing (it may be omitted only for dist bernoulli)")
		}
		h.Categories = 2
	}
	switch h.Dist {
	case Bernoulli:
		if h.Categories != 2 {
			return h, nil, p.err("categories", "is %d, must be 2 for dist bernoulli", h.Categories)
		}
	case Categorical:
		switch {
		case h.Arch == LSTM || h.Arch == GRU:
		case h.Arch.IsImage():
			if h.Categories > maxImageCategories {
				return h, nil, p.err("categories", "is %d, but arch %s allows at most %d categories", h.Categories, h.Arch, maxImageCategories)
			}
		case h.Arch == WaveNet:
			if h.Categories > maxWaveCategories {
				return h, nil, p.err("categories", "is %d, but arch %s allows at most %d categories", h.Categories, h.Arch, maxWaveCategories)
			}
		default:
			return h, nil, p.err("dist", "arch %s supports only dist bernoulli in format %d.%d", h.Arch, VersionMajor, VersionMinor)
		}
	}

	switch h.Arch {
	case NADE:
		if h.Hidden, err = p.intList("hidden", true, 1, 1, 1, maxHyper); err != nil {
			return h, nil, err
		}
	case MADE:
		if h.Dims < 2 {
			return h, nil, p.err("dims", "made needs dims >= 2 (hidden degrees range over [1, dims-1]); use fvsbn for one dimension")
		}
		if h.Hidden, err = p.intList("hidden", true, 1, 1024, 1, maxHyper); err != nil {
			return h, nil, err
		}
		masks, _, err := p.int("masks", true, 1, maxHyper)
		if err != nil {
			return h, nil, err
		}
		h.Masks = int(masks)
		v, err := p.raw("direct", true)
		if err != nil {
			return h, nil, err
		}
		if err := json.Unmarshal(v, &h.Direct); err != nil {
			return h, nil, p.err("direct", "want true or false, found %s", clip(v))
		}
	case LSTM, GRU:
		if h.Hidden, err = p.intList("hidden", true, 1, 1024, 1, maxHyper); err != nil {
			return h, nil, err
		}
		for i, x := range h.Hidden {
			if x != h.Hidden[0] {
				return h, nil, p.err("hidden", "entry %d is %d but entry 0 is %d: all %s layers have the same size", i, x, h.Hidden[0], h.Arch)
			}
		}
		e, _, err := p.int("embed", true, 1, maxHyper)
		if err != nil {
			return h, nil, err
		}
		h.Embed = int(e)
	case PixelCNN, GatedPixelCNN:
		if err := p.image(&h); err != nil {
			return h, nil, err
		}
	case WaveNet:
		if err := p.wavenet(&h); err != nil {
			return h, nil, err
		}
	}

	if v, err := p.raw("meta", false); err != nil {
		return h, nil, err
	} else if v != nil {
		if t := bytes.TrimSpace(v); len(t) == 0 || t[0] != '{' {
			return h, nil, p.err("meta", "must be a JSON object, found %s", clip(v))
		}
		h.Meta = slices.Clone(bytes.TrimSpace(v))
	}

	v, err := p.raw("tensors", true)
	if err != nil {
		return h, nil, err
	}
	infos, err := parseIndex(path, v, strict, dataLen)
	if err != nil {
		return h, nil, err
	}
	return h, infos, nil
}

func joinArchs() string {
	s := make([]string, len(knownArchs))
	for i, a := range knownArchs {
		s[i] = string(a)
	}
	return strings.Join(s, ", ")
}

func joinDTypes() string {
	s := make([]string, len(knownDTypes))
	for i, d := range knownDTypes {
		s[i] = string(d)
	}
	return strings.Join(s, ", ")
}

// parseIndex decodes the tensor index and checks every entry against the
// data section of dataLen bytes: dtype, shape, length agreement, alignment,
// bounds, and order without overlap.
func parseIndex(path string, v json.RawMessage, strict bool, dataLen uint64) ([]TensorInfo, error) {
	var items []json.RawMessage
	if err := json.Unmarshal(v, &items); err != nil || items == nil {
		return nil, errorf(path, "header.tensors", "want an array of tensor entries, found %s", clip(v))
	}
	infos := make([]TensorInfo, 0, len(items))
	seen := make(map[string]bool, len(items))
	var prevEnd uint64
	prevName := ""
	for i, it := range items {
		field := sprintf("header.tensors[%d]", i)
		var m map[string]json.RawMessage
		if err := json.Unmarshal(it, &m); err != nil || m == nil {
			return nil, errorf(path, field, "want an object, found %s", clip(it))
		}
		for k := range m {
			if !slices.Contains(tensorKeys, k) && strict {
				return nil, errorf(path, field, "unknown key %q", k)
			}
		}
		// Every key present and not null before any is decoded (SPEC.md
		// 2.2): the first one missing, in the order name, dtype, shape,
		// offset, length, is the one an error names.
		for _, k := range tensorKeys {
			if r, ok := m[k]; !ok || string(bytes.TrimSpace(r)) == "null" {
				return nil, errorf(path, field+"."+k, "required key is missing or null")
			}
		}
		var t TensorInfo
		r := m["name"]
		if err := json.Unmarshal(r, &t.Name); err != nil {
			return nil, errorf(path, field+".name", "want a string, found %s", clip(r))
		}
		if t.Name == "" || len(t.Name) > MaxNameLen {
			return nil, errorf(path, field+".name", "name must be 1 to %d bytes, found %d", MaxNameLen, len(t.Name))
		}
		tf := sprintf("tensor %q", t.Name)
		if seen[t.Name] {
			return nil, errorf(path, tf, "appears twice in the tensor index")
		}
		seen[t.Name] = true
		r = m["dtype"]
		var dt string
		if err := json.Unmarshal(r, &dt); err != nil {
			return nil, errorf(path, tf+".dtype", "want a string, found %s", clip(r))
		}
		t.DType = DType(dt)
		if t.DType.Size() == 0 {
			return nil, errorf(path, tf+".dtype", "unknown dtype %q (this build, format %d.%d, reads %s)", dt, VersionMajor, VersionMinor, joinDTypes())
		}
		r = m["shape"]
		var err error
		if t.Shape, err = decodeIntList(r, 0, MaxRank, 1, math.MaxInt); err != nil {
			return nil, errorf(path, tf+".shape", "%s", err.Error())
		}
		// Overflow-safe element count, bounded by the data section.
		n := uint64(t.DType.Size())
		for _, d := range t.Shape {
			var ok bool
			if n, ok = mulCheck(n, uint64(d)); !ok || n > dataLen {
				return nil, errorf(path, tf+".shape", "shape %v needs more bytes than the %d-byte data section", t.Shape, dataLen)
			}
		}
		off, err := decodeUint(m["offset"])
		if err != nil {
			return nil, errorf(path, tf+".offset", "%s", err.Error())
		}
		length, err := decodeUint(m["length"])
		if err != nil {
			return nil, errorf(path, tf+".length", "%s", err.Error())
		}
		if length != n {
			return nil, errorf(path, tf+".length", "length is %d bytes, but shape %v of %s needs %d", length, t.Shape, t.DType, n)
		}
		if off%Alignment != 0 {
			return nil, errorf(path, tf+".offset", "offset %d is not a multiple of %d", off, Alignment)
		}
		if off > dataLen || length > dataLen-off {
			return nil, errorf(path, tf+".offset", "bytes [%d, %d+%d) run past the end of the %d-byte data section", off, off, length, dataLen)
		}
		if off < prevEnd {
			return nil, errorf(path, tf+".offset", "offset %d overlaps or precedes tensor %q, which ends at %d (tensors must be listed in data order without overlap)", off, prevName, prevEnd)
		}
		t.Offset, t.Length = int64(off), int64(length)
		prevEnd, prevName = off+length, t.Name
		infos = append(infos, t)
	}
	return infos, nil
}
