package quant

import (
	"fmt"
	"math"
	"strings"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/kernels"
)

// GGUFKind is a llama.cpp block quantization format. Its value is ggml's type id
// (GGMLQuantizationType in the gguf Python package).
type GGUFKind int

// The GGUF kinds this package implements.
const (
	// Q4_0: blocks of 32 values as a float16 scale d and 16 bytes of 4-bit codes; x ≈ d*(q-8).
	Q4_0 GGUFKind = 2
	// Q8_0: blocks of 32 values as a float16 scale d and 32 signed bytes; x ≈ d*q.
	Q8_0 GGUFKind = 8
)

// GGUFBlockLen is the number of values in one Q8_0 or Q4_0 block. Blocks run along the last
// axis, which must be a multiple of it.
const GGUFBlockLen = kernels.GGUFBlockLen

// ParseGGUFKind returns the kind named s: "Q8_0" or "Q4_0", in any letter case. Other names
// return ErrKind.
func ParseGGUFKind(s string) (GGUFKind, error) {
	switch strings.ToUpper(s) {
	case "Q8_0":
		return Q8_0, nil
	case "Q4_0":
		return Q4_0, nil
	}
	return 0, fmt.Errorf("%q: %w", s, ErrKind)
}

// String returns the kind's ggml name ("Q8_0", "Q4_0"), or "GGUFKind(n)" for other values.
func (k GGUFKind) String() string {
	switch k {
	case Q8_0:
		return "Q8_0"
	case Q4_0:
		return "Q4_0"
	}
	return fmt.Sprintf("GGUFKind(%d)", int(k))
}

// blockBytes is the size of one encoded block, or 0 for an unknown kind.
func (k GGUFKind) blockBytes() int {
	switch k {
	case Q8_0:
		return 2 + GGUFBlockLen
	case Q4_0:
		return 2 + GGUFBlockLen/2
	}
	return 0
}

// BytesFor returns the encoded size in bytes of n values: n/32 blocks of 34 bytes (Q8_0) or 18
// bytes (Q4_0). Errors: ErrKind for an unknown kind, ErrShape when n is negative or not a
// multiple of 32 (or the size overflows int).
func (k GGUFKind) BytesFor(n int) (int, error) {
	bb := k.blockBytes()
	if bb == 0 {
		return 0, fmt.Errorf("%v: %w", k, ErrKind)
	}
	if n < 0 || n%GGUFBlockLen != 0 {
		return 0, fmt.Errorf("%v: %d values are not a whole number of %d-value blocks: %w", k, n, GGUFBlockLen, ErrShape)
	}
	blocks := n / GGUFBlockLen
	if blocks > math.MaxInt/bb {
		return 0, fmt.Errorf("%v: %d values overflow: %w", k, n, ErrShape)
	}
	return blocks * bb, nil
}

// ggufRows checks a tensor of n values with rows of rowLen values and returns its encoded size.
func ggufRows(fn string, k GGUFKind, n, rowLen int) (int, error) {
	if k.blockBytes() == 0 {
		return 0, fmt.Errorf("%s: %v: %w", fn, k, ErrKind)
	}
	if rowLen < 0 || rowLen%GGUFBlockLen != 0 || (rowLen == 0 && n != 0) || (rowLen > 0 && n%rowLen != 0) {
		return 0, fmt.Errorf("%s: row length %d must be a positive multiple of %d dividing %d values: %w",
			fn, rowLen, GGUFBlockLen, n, ErrShape)
	}
	size, err := k.BytesFor(n)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", fn, err)
	}
	return size, nil
}
