package safetensors

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"unicode/utf8"
)

// MaxHeaderSize is the largest header, in bytes, that is read or written: the reference
// implementation's limit (100,000,000 bytes, not MiB), which keeps a hostile length prefix from
// forcing a huge allocation.
const MaxHeaderSize = 100_000_000

// MaxDims is the largest number of dimensions a tensor may have: numpy's limit, so every
// accepted tensor can become an array.
const MaxDims = 64

// metadataKey is the reserved header key holding free-form string metadata, not a tensor.
const metadataKey = "__metadata__"

// Tensor locates one tensor in a file. Offset is absolute (from the start of the file) and
// Length is in bytes, equal to the product of Shape times DType.Size(). A scalar has an empty
// Shape and one element; a Shape containing 0 has Length 0. Offset need not be a multiple of the
// element size: the format does not require alignment, although files written by the reference
// implementation and by Writer are aligned.
type Tensor struct {
	Name   string
	DType  DType
	Shape  []int64
	Offset int64
	Length int64
}

// Header is a validated safetensors header. Tensors are sorted by Offset (ties, which only
// zero-length tensors can produce, by Name) and exactly tile the data section, which runs from
// DataStart (bytes from the start of the file, 8 + header length) to the end of the file.
// Metadata is nil when the header has no "__metadata__" entry (or it is null). A Header is
// plain data: safe for concurrent reads.
type Header struct {
	Tensors   []Tensor
	Metadata  map[string]string
	DataStart int64
}

// ReadHeader reads and validates the header of a safetensors file of fileSize bytes, reading only
// the 8-byte length prefix and the header itself, never tensor data. It enforces everything
// Parse does, and that the claimed header length is at most MaxHeaderSize (else ErrTooLarge), at
// least 2 and fits in the file. r is only read; ReadHeader is safe for concurrent use if r
// is. I/O errors from r are wrapped and returned as they are (a short read is ErrMalformed).
func ReadHeader(r io.ReaderAt, fileSize int64) (*Header, error) {
	if fileSize < 8 {
		return nil, fmt.Errorf("%w: file is %d bytes, shorter than the 8-byte header length", ErrMalformed, fileSize)
	}
	var prefix [8]byte
	if err := readFullAt(r, prefix[:], 0); err != nil {
		return nil, err
	}
	n := binary.LittleEndian.Uint64(prefix[:])
	if n > MaxHeaderSize {
		return nil, fmt.Errorf("%w: header length %d exceeds the %d-byte limit", ErrTooLarge, n, MaxHeaderSize)
	}
	if n < 2 {
		return nil, fmt.Errorf("%w: header length %d is too small to hold a JSON object", ErrMalformed, n)
	}
	if int64(n) > fileSize-8 {
		return nil, fmt.Errorf("%w: header length %d exceeds the %d bytes after the length prefix", ErrMalformed, n, fileSize-8)
	}
	buf := make([]byte, n)
	if err := readFullAt(r, buf, 8); err != nil {
		return nil, err
	}
	return Parse(buf, fileSize-8-int64(n))
}

// readFullAt fills buf from r at off; running out of file is ErrMalformed (the file changed
// size under us or fileSize was wrong), other errors are the reader's own.
func readFullAt(r io.ReaderAt, buf []byte, off int64) error {
	n, err := r.ReadAt(buf, off)
	if n == len(buf) {
		return nil
	}
	if err == nil || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: file ends %d bytes into the %d-byte read at offset %d", ErrMalformed, n, len(buf), off)
	}
	return fmt.Errorf("safetensors: reading %d bytes at offset %d: %w", len(buf), off, err)
}

// Parse validates headerJSON (the N header bytes, without the length prefix) against a data
// section of dataSize bytes and returns the tensors it describes, with offsets computed as if the
// header sat at the start of a file (DataStart = 8 + len(headerJSON)). It checks: UTF-8, a single
// JSON object (surrounding whitespace allowed, so the writer's space padding is fine), no
// duplicate keys at any level, no lone surrogate escapes, nesting no deeper than the reference
// allows (127 levels), each tensor having a supported "dtype", a "shape" of at most MaxDims
// non-negative integers and "data_offsets" of two non-negative integers with begin <= end <=
// dataSize, element count times element size equal to
// end - begin without overflow, and tensors tiling the data section exactly (no gaps, overlaps or
// trailing bytes; the reference implementation rejects those too). Unknown keys inside a tensor
// entry are checked for JSON validity and otherwise ignored, as the reference does. headerJSON is
// not retained. Safe for concurrent use.
func Parse(headerJSON []byte, dataSize int64) (*Header, error) {
	if len(headerJSON) > MaxHeaderSize {
		return nil, fmt.Errorf("%w: header length %d exceeds the %d-byte limit", ErrTooLarge, len(headerJSON), MaxHeaderSize)
	}
	if dataSize < 0 {
		return nil, fmt.Errorf("%w: negative data section size %d", ErrMalformed, dataSize)
	}
	if !utf8.Valid(headerJSON) {
		return nil, fmt.Errorf("%w: header is not valid UTF-8", ErrMalformed)
	}
	h := &Header{DataStart: 8 + int64(len(headerJSON))}
	// Size the tensor list from a cheap count of entries, capped by the smallest possible entry
	// (about 47 bytes), so a hostile header cannot make the estimate exceed what its length
	// justifies.
	estimate := min(bytes.Count(headerJSON, []byte(`"data_offsets"`)), len(headerJSON)/minTensorEntry)
	h.Tensors = make([]Tensor, 0, estimate)
	seen := make(map[string]struct{}, estimate)
	s := &scanner{data: headerJSON}
	err := s.beginObject()
	for first := true; err == nil; first = false {
		var key []byte
		var ok bool
		if key, ok, err = s.nextMember(first); err != nil || !ok {
			break
		}
		if _, dup := seen[string(key)]; dup {
			err = s.errorf("duplicate key %s", quoteShort(string(key)))
			break
		}
		name := string(key)
		seen[name] = struct{}{}
		if name == metadataKey {
			h.Metadata, err = parseMetadata(s)
			continue
		}
		var t Tensor
		if t, err = parseTensor(s, name, dataSize); err == nil {
			t.Offset += h.DataStart
			h.Tensors = append(h.Tensors, t)
		}
	}
	if err == nil && !s.atEnd() {
		err = s.errorf("trailing data after the header object: %s", s.describe())
	}
	if err != nil {
		if errors.Is(err, ErrMalformed) || errors.Is(err, ErrUnsupported) {
			return nil, err
		}
		return nil, fmt.Errorf("%w: header: %v", ErrMalformed, err)
	}
	slices.SortFunc(h.Tensors, func(a, b Tensor) int {
		return cmp.Or(cmp.Compare(a.Offset, b.Offset), cmp.Compare(a.Length, b.Length), cmp.Compare(a.Name, b.Name))
	})
	covered := h.DataStart
	for _, t := range h.Tensors {
		if t.Offset != covered {
			begin, end := t.Offset-h.DataStart, t.Offset-h.DataStart+t.Length
			if t.Offset < covered {
				return nil, fmt.Errorf("%w: tensor %s: data_offsets [%d, %d] overlap the previous tensor, which ends at %d", ErrMalformed, quoteShort(t.Name), begin, end, covered-h.DataStart)
			}
			return nil, fmt.Errorf("%w: tensor %s: data_offsets [%d, %d] leave a gap after byte %d", ErrMalformed, quoteShort(t.Name), begin, end, covered-h.DataStart)
		}
		covered += t.Length
	}
	if covered-h.DataStart != dataSize {
		return nil, fmt.Errorf("%w: tensors cover %d bytes of a %d-byte data section", ErrMalformed, covered-h.DataStart, dataSize)
	}
	return h, nil
}

// minTensorEntry is the length of the shortest possible tensor entry,
// `"":{"dtype":"I8","shape":[],"data_offsets":[0,0]}`, plus its separating comma.
const minTensorEntry = 49

// parseMetadata reads the "__metadata__" value: null, or an object of strings.
func parseMetadata(s *scanner) (map[string]string, error) {
	if s.peek() == 'n' && s.literal("null") {
		return nil, nil
	}
	md := make(map[string]string)
	err := s.beginObject()
	for first := true; err == nil; first = false {
		var key []byte
		var ok bool
		if key, ok, err = s.nextMember(first); err != nil || !ok {
			break
		}
		if _, dup := md[string(key)]; dup {
			err = s.errorf("duplicate key %s", quoteShort(string(key)))
			break
		}
		if s.peek() != '"' {
			err = s.errorf("value of %s: expected a string, found %s", quoteShort(string(key)), s.describe())
			break
		}
		name := string(key)
		md[name], err = s.readString()
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrMalformed, metadataKey, err)
	}
	return md, nil
}

// parseTensor reads and checks one tensor entry. The returned Offset is relative to the data
// section; the caller makes it absolute.
func parseTensor(s *scanner, name string, dataSize int64) (Tensor, error) {
	fail := func(kind error, format string, args ...any) (Tensor, error) {
		return Tensor{}, fmt.Errorf("%w: tensor %s: %s", kind, quoteShort(name), fmt.Sprintf(format, args...))
	}
	var (
		dtypeName            []byte
		shape                []int64
		offsets              [2]int64
		nOffsets             int
		haveDType, haveShape bool
		haveOffsets          bool
		others               map[string]struct{}
	)
	err := s.beginObject()
	for first := true; err == nil; first = false {
		var key []byte
		var ok bool
		if key, ok, err = s.nextMember(first); err != nil || !ok {
			break
		}
		var dup bool
		switch string(key) {
		case "dtype":
			dup, haveDType = haveDType, true
			if !dup {
				if s.peek() != '"' {
					err = s.errorf("dtype: expected a string, found %s", s.describe())
					break
				}
				dtypeName, err = s.readStringBytes()
			}
		case "shape":
			dup, haveShape = haveShape, true
			if !dup {
				if shape, err = s.readUintArray(make([]int64, 0, 4)); err != nil {
					err = fmt.Errorf("shape: %w", err)
				}
			}
		case "data_offsets":
			dup, haveOffsets = haveOffsets, true
			if !dup {
				var got []int64
				if got, err = s.readUintArray(offsets[:0]); err != nil {
					err = fmt.Errorf("data_offsets: %w", err)
				} else if nOffsets = len(got); nOffsets == 2 {
					offsets = [2]int64{got[0], got[1]}
				}
			}
		default:
			if _, dup = others[string(key)]; !dup {
				if others == nil {
					others = make(map[string]struct{})
				}
				others[string(key)] = struct{}{}
				err = s.skipValue(3) // inside the header object and the tensor object
			}
		}
		if dup {
			err = s.errorf("duplicate key %s", quoteShort(string(key)))
		}
	}
	if err != nil {
		return fail(ErrMalformed, "%v", err)
	}
	switch {
	case !haveDType:
		return fail(ErrMalformed, `missing "dtype"`)
	case !haveShape:
		return fail(ErrMalformed, `missing "shape"`)
	case !haveOffsets:
		return fail(ErrMalformed, `missing "data_offsets"`)
	}
	dt, ok := dtypeNames[string(dtypeName)]
	if !ok {
		if knownUnsupported[DType(dtypeName)] {
			return fail(ErrUnsupported, "dtype %s is not supported", dtypeName)
		}
		return fail(ErrMalformed, "unknown dtype %s", quoteShort(string(dtypeName)))
	}
	if len(shape) > MaxDims {
		return fail(ErrUnsupported, "%d dimensions, more than %d", len(shape), MaxDims)
	}
	if nOffsets != 2 {
		return fail(ErrMalformed, "data_offsets has %d elements, want 2", nOffsets)
	}
	begin, end := offsets[0], offsets[1]
	if begin > end {
		return fail(ErrMalformed, "data_offsets [%d, %d] begin after end", begin, end)
	}
	if end > dataSize {
		return fail(ErrMalformed, "data_offsets [%d, %d] end past the %d-byte data section", begin, end, dataSize)
	}
	nbytes, ok := byteSize(dt, shape)
	if !ok {
		return fail(ErrMalformed, "shape %v of %s overflows a 64-bit byte count", shape, dt)
	}
	if nbytes != end-begin {
		return fail(ErrMalformed, "shape %v of %s needs %d bytes, data_offsets [%d, %d] hold %d", shape, dt, nbytes, begin, end, end-begin)
	}
	return Tensor{Name: name, DType: dt, Shape: shape, Offset: begin, Length: nbytes}, nil
}

// byteSize returns the number of bytes of a tensor, reporting false if any partial product of
// the shape (zero dimensions skipped) or the final byte count overflows int64. Skipping zeros
// makes the answer independent of dimension order; a huge shape is refused even when a zero
// dimension makes it empty, because no consumer could index it.
func byteSize(dt DType, shape []int64) (int64, bool) {
	count, empty := int64(1), false
	for _, d := range shape {
		if d < 0 {
			return 0, false
		}
		if d == 0 {
			empty = true
			continue
		}
		if count > math.MaxInt64/d {
			return 0, false
		}
		count *= d
	}
	size := int64(dt.Size())
	if count > math.MaxInt64/size {
		return 0, false
	}
	if empty {
		return 0, true
	}
	return count * size, true
}
