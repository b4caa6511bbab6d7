package lz4x

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"io"
)

// maxDeflateRatio bounds what deflate can expand to: a 258-byte match costs at least about two
// bits, so one input byte yields at most about 1032 output bytes.
const maxDeflateRatio = 1032

// gzipMinLen is the smallest gzip member: a 10-byte header, an empty deflate stream and the
// 8-byte trailer.
const gzipMinLen = 20

// IsGzip reports whether src starts with the gzip magic (1f 8b), which is how the original
// extension's cache entries start. It only looks at the first two bytes.
func IsGzip(src []byte) bool {
	return len(src) >= 2 && src[0] == 0x1f && src[1] == 0x8b
}

// DecompressGzip decodes the gzip stream src (one or more members, as gzip and flate2 write
// them) into a new slice of at most limit bytes. The output is sized from the stream's trailer
// when that is plausible, and otherwise grows geometrically, so allocation never exceeds about
// twice the real output. Errors: ErrNotLZ4Frame when src is not gzip, ErrCorrupt when the stream
// is malformed, truncated or fails its CRC, ErrTooLarge when the output would exceed limit. src
// is not retained. Safe for concurrent use.
func DecompressGzip(src []byte, limit int64) ([]byte, error) {
	if !IsGzip(src) {
		return nil, fmt.Errorf("lz4x: neither LZ4 frame nor gzip: %w", ErrNotLZ4Frame)
	}
	limit = max(limit, 0)
	zr, err := gzip.NewReader(bytes.NewReader(src))
	if err != nil {
		return nil, fmt.Errorf("lz4x: gzip header (%v): %w", err, ErrCorrupt)
	}
	// ISIZE, the last member's size mod 2^32, is exact for the usual single member under 4 GiB.
	// One spare byte lets the final read see EOF without growing the buffer.
	var hint int64
	if len(src) >= gzipMinLen {
		hint = min(int64(binary.LittleEndian.Uint32(src[len(src)-4:])), limit, int64(len(src))*maxDeflateRatio)
	}
	out := make([]byte, 0, hint+1)
	for {
		if len(out) == cap(out) {
			if int64(len(out)) > limit {
				return nil, fmt.Errorf("lz4x: gzip stream decodes to more than the limit of %d bytes: %w", limit, ErrTooLarge)
			}
			grown := make([]byte, len(out), min(2*int64(cap(out))+4096, limit+1))
			copy(grown, out)
			out = grown
		}
		n, err := zr.Read(out[len(out):cap(out)])
		out = out[:len(out)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("lz4x: gzip (%v): %w", err, ErrCorrupt)
		}
	}
	if int64(len(out)) > limit {
		return nil, fmt.Errorf("lz4x: gzip stream decodes to more than the limit of %d bytes: %w", limit, ErrTooLarge)
	}
	return out, nil
}
