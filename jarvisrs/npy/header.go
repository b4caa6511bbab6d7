package npy

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// MaxHeaderSize is the largest header, in bytes, this package reads: numpy's own default
// max_header_size, above which np.load refuses a file unless it is fully trusted. Headers of the
// dtypes this package supports are under 200 bytes plus about 21 per dimension.
const MaxHeaderSize = 10000

// MaxDims is the largest number of dimensions accepted: numpy's limit.
const MaxDims = 64

// magic opens every .npy file.
const magic = "\x93NUMPY"

// Header describes the array in a .npy file. Descr is numpy's canonical dtype string ("<f4",
// "|u1", "|b1", ...; a one-byte type written with another byte-order character is reported with
// '|'), ItemSize its size in bytes. Shape is in elements per dimension, empty for a 0-d array.
// FortranOrder reports column-major data. DataOffset is the byte offset of the data from the
// start of the file. A Header is plain data: safe for concurrent reads.
type Header struct {
	Descr        string
	FortranOrder bool
	Shape        []int64
	DataOffset   int64
	ItemSize     int
}

// DataLen returns the size of the array data in bytes: the product of Shape times ItemSize
// (ParseHeader has checked that it fits in an int64).
func (h *Header) DataLen() int64 {
	n := int64(h.ItemSize)
	for _, d := range h.Shape {
		n *= d
	}
	return n
}

// preamble checks the magic and version at the start of head and returns the header length and
// the offset where the header text starts. head must hold at least 10 bytes, 12 for versions 2.0
// and 3.0, which is reported by returning need > len(head) and no error.
func preamble(head []byte) (hlen, start, need int, version [2]byte, err error) {
	if len(head) < 10 {
		return 0, 0, 10, version, nil
	}
	if string(head[:6]) != magic {
		return 0, 0, 0, version, fmt.Errorf("%w: not an npy file (no \\x93NUMPY magic)", ErrMalformed)
	}
	version = [2]byte{head[6], head[7]}
	switch version {
	case [2]byte{1, 0}:
		return int(binary.LittleEndian.Uint16(head[8:10])), 10, 10, version, nil
	case [2]byte{2, 0}, [2]byte{3, 0}:
		if len(head) < 12 {
			return 0, 0, 12, version, nil
		}
		n := binary.LittleEndian.Uint32(head[8:12])
		if n > MaxHeaderSize {
			return 0, 0, 0, version, fmt.Errorf("%w: header length %d exceeds the %d-byte limit", ErrTooLarge, n, MaxHeaderSize)
		}
		return int(n), 12, 12, version, nil
	default:
		return 0, 0, 0, version, fmt.Errorf("%w: format version %d.%d (supported: 1.0, 2.0, 3.0)", ErrUnsupported, version[0], version[1])
	}
}

// ParseHeader parses the header at the start of a .npy file. head holds the file's first bytes,
// at least through the end of the header (more is ignored). It checks the magic, the version
// (1.0, 2.0 or 3.0), the header length (at most MaxHeaderSize, else ErrTooLarge), that the header
// is a Python dict literal with exactly the keys 'descr', 'fortran_order' and 'shape', no
// duplicates, a supported descr, a bool fortran_order, and a tuple shape of at most MaxDims
// non-negative ints whose byte size fits in an int64. It does not check that the data fits in
// the file; ReadHeader does. head is not retained. Safe for concurrent use.
func ParseHeader(head []byte) (*Header, error) {
	hlen, start, need, version, err := preamble(head)
	if err != nil {
		return nil, err
	}
	if need > len(head) {
		return nil, fmt.Errorf("%w: %d bytes, too short for the %d-byte preamble", ErrMalformed, len(head), need)
	}
	if hlen > MaxHeaderSize {
		return nil, fmt.Errorf("%w: header length %d exceeds the %d-byte limit", ErrTooLarge, hlen, MaxHeaderSize)
	}
	if start+hlen > len(head) {
		return nil, fmt.Errorf("%w: header of %d bytes is truncated at %d", ErrMalformed, hlen, len(head)-start)
	}
	p := &literalParser{data: head[start : start+hlen], allowLong: version[0] < 3}
	dict, err := p.value(0)
	if p.skipSpace(); err == nil && p.pos < len(p.data) {
		err = p.errorf("trailing data after the header dict: %s", p.describe())
	}
	if err != nil {
		kind := ErrMalformed
		if p.unsupported {
			kind = ErrUnsupported
		}
		return nil, fmt.Errorf("%w: header: %v", kind, err)
	}
	h, err := fromDict(dict)
	if err != nil {
		return nil, err
	}
	h.DataOffset = int64(start + hlen)
	return h, nil
}

// fromDict checks the header dict the way numpy's reader does, and more strictly.
func fromDict(dict pyValue) (*Header, error) {
	if dict.kind != pyDict {
		return nil, fmt.Errorf("%w: header is %s, not a dict", ErrMalformed, dict.kind)
	}
	var descr, fortran, shape *pyValue
	for i := 0; i < len(dict.items); i += 2 {
		switch dict.items[i].str {
		case "descr":
			descr = &dict.items[i+1]
		case "fortran_order":
			fortran = &dict.items[i+1]
		case "shape":
			shape = &dict.items[i+1]
		default:
			return nil, fmt.Errorf("%w: unexpected header key %s", ErrMalformed, quoteShort(dict.items[i].str))
		}
	}
	for _, k := range []struct {
		name string
		v    *pyValue
	}{{"descr", descr}, {"fortran_order", fortran}, {"shape", shape}} {
		if k.v == nil {
			return nil, fmt.Errorf("%w: header lacks the key '%s'", ErrMalformed, k.name)
		}
	}

	h := &Header{}
	switch descr.kind {
	case pyStr:
		var err error
		if h.Descr, h.ItemSize, err = canonicalDescr(descr.str); err != nil {
			return nil, err
		}
	case pyList:
		return nil, fmt.Errorf("%w: structured dtype (descr is a list of fields)", ErrUnsupported)
	case pyTuple:
		return nil, fmt.Errorf("%w: subarray dtype (descr is a tuple)", ErrUnsupported)
	default:
		return nil, fmt.Errorf("%w: descr is %s, not a dtype string", ErrMalformed, descr.kind)
	}

	if fortran.kind != pyBool {
		return nil, fmt.Errorf("%w: fortran_order is %s, not True or False", ErrMalformed, fortran.kind)
	}
	h.FortranOrder = fortran.flag

	if shape.kind != pyTuple {
		return nil, fmt.Errorf("%w: shape is %s, not a tuple", ErrMalformed, shape.kind)
	}
	if len(shape.items) > MaxDims {
		return nil, fmt.Errorf("%w: %d dimensions, more than %d", ErrUnsupported, len(shape.items), MaxDims)
	}
	h.Shape = make([]int64, len(shape.items))
	count := int64(1)
	for i, d := range shape.items {
		switch {
		case d.kind != pyInt:
			return nil, fmt.Errorf("%w: shape element %d is %s, not an int", ErrMalformed, i, d.kind)
		case d.tooBig:
			return nil, fmt.Errorf("%w: shape element %d is too large", ErrMalformed, i)
		case d.num < 0:
			return nil, fmt.Errorf("%w: shape element %d is negative (%d)", ErrMalformed, i, d.num)
		case d.num == 0:
		case count > math.MaxInt64/d.num:
			return nil, fmt.Errorf("%w: shape %s overflows a 64-bit byte count", ErrMalformed, shapeString(shape.items))
		default:
			count *= d.num
		}
		h.Shape[i] = d.num
	}
	// Zero dimensions are skipped above so the check does not depend on their position; a shape
	// too large to index is refused even when a zero makes it empty.
	if count > math.MaxInt64/int64(h.ItemSize) {
		return nil, fmt.Errorf("%w: shape %s overflows a 64-bit byte count", ErrMalformed, shapeString(shape.items))
	}
	return h, nil
}

// shapeString renders a parsed shape for an error message.
func shapeString(items []pyValue) string {
	s := "("
	for i, d := range items {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprint(d.num)
	}
	return s + ")"
}

// ReadHeader reads and validates the header of a .npy file of fileSize bytes, reading only the
// header, and checks that the array data (DataLen bytes at DataOffset) fits in the file; bytes
// after the data are allowed, as numpy allows them. r is only read; ReadHeader is safe for
// concurrent use if r is. I/O errors from r are wrapped and returned as they are (a short read is
// ErrMalformed).
func ReadHeader(r io.ReaderAt, fileSize int64) (*Header, error) {
	var pre [12]byte
	n := int64(len(pre))
	if fileSize < n {
		n = max(fileSize, 0)
	}
	if err := readFullAt(r, pre[:n], 0); err != nil {
		return nil, err
	}
	hlen, start, need, _, err := preamble(pre[:n])
	if err != nil {
		return nil, err
	}
	if need > int(n) {
		return nil, fmt.Errorf("%w: file is %d bytes, too short for the %d-byte preamble", ErrMalformed, fileSize, need)
	}
	if hlen > MaxHeaderSize {
		return nil, fmt.Errorf("%w: header length %d exceeds the %d-byte limit", ErrTooLarge, hlen, MaxHeaderSize)
	}
	if int64(start+hlen) > fileSize {
		return nil, fmt.Errorf("%w: header of %d bytes runs past the end of the %d-byte file", ErrMalformed, hlen, fileSize)
	}
	head := make([]byte, start+hlen)
	if err := readFullAt(r, head, 0); err != nil {
		return nil, err
	}
	h, err := ParseHeader(head)
	if err != nil {
		return nil, err
	}
	if dataLen := h.DataLen(); dataLen > fileSize-h.DataOffset {
		return nil, fmt.Errorf("%w: %s array of shape %v needs %d data bytes, the file has %d after the header", ErrMalformed, h.Descr, h.Shape, dataLen, fileSize-h.DataOffset)
	}
	return h, nil
}

// readFullAt fills buf from r at off; running out of file is ErrMalformed (the file changed size
// or fileSize was wrong), other errors are the reader's own.
func readFullAt(r io.ReaderAt, buf []byte, off int64) error {
	n, err := r.ReadAt(buf, off)
	if n == len(buf) {
		return nil
	}
	if err == nil || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: file ends %d bytes into the %d-byte read at offset %d", ErrMalformed, n, len(buf), off)
	}
	return fmt.Errorf("npy: reading %d bytes at offset %d: %w", len(buf), off, err)
}
