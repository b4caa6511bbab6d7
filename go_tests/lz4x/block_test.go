package lz4x_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"testing"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/lz4x"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func compressBlock(t testing.TB, src []byte, level int) []byte {
	t.Helper()
	dst := make([]byte, lz4x.CompressBlockBound(len(src)))
	n, err := lz4x.CompressBlockHC(dst, src, level)
	require.NoError(t, err)
	return dst[:n]
}

func TestCompressBlockHCRoundTrip(t *testing.T) {
	// Sizes straddle the token's 15-literal boundary, the 64 KiB window, and the 1 MiB segments
	// that large inputs are split into and joined back from.
	sizes := []int{0, 1, 4, 5, 12, 13, 14, 15, 16, 270, 271, 4096, 65536, 65537, 1 << 20, 1<<20 + 1, 2<<20 + 12345}
	for _, ds := range datasets {
		for _, n := range sizes {
			for _, level := range []int{1, 9, 12} {
				if level == 12 && n > 1<<20 && ds.name == "text" {
					continue // seconds of work that level 9 already covers
				}
				t.Run(fmt.Sprintf("%s/%d/L%d", ds.name, n, level), func(t *testing.T) {
					src := ds.gen(n)
					block := compressBlock(t, src, level)
					assert.LessOrEqual(t, len(block), lz4x.CompressBlockBound(n))
					out := make([]byte, n)
					m, err := lz4x.DecompressBlock(out, block)
					require.NoError(t, err)
					require.Equal(t, n, m)
					require.True(t, bytes.Equal(src, out), "round trip differs")
				})
			}
		}
	}
}

func TestCompressBlockHCExactBytes(t *testing.T) {
	tests := []struct {
		name string
		src  []byte
		want []byte
	}{
		// liblz4 encodes empty input as a single token with no literals and no match.
		{"empty", nil, []byte{0x00}},
		{"one byte", []byte("a"), []byte{0x10, 'a'}},
		// Too short to hold a match (the last 12 bytes may not start one): all literals.
		{"short", []byte("abcabcabcabc"), append([]byte{0xC0}, "abcabcabcabc"...)},
		// 15 literals need one extra length byte, 0.
		{"fifteen", []byte("0123456789abcde"), append([]byte{0xF0, 0x00}, "0123456789abcde"...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, compressBlock(t, tt.src, 12))
		})
	}
}

func TestCompressBlockHCIncompressibleIsLiteralOnly(t *testing.T) {
	src := random(100_000)
	block := compressBlock(t, src, 12)
	// Token 0xF0, then (n-15)/255 bytes of 255, the remainder, and the literals.
	rest := len(src) - 15
	want := []byte{0xF0}
	want = append(want, bytes.Repeat([]byte{255}, rest/255)...)
	want = append(want, byte(rest%255))
	want = append(want, src...)
	assert.Equal(t, want, block)
}

func TestCompressBlockHCDeterministicAcrossCores(t *testing.T) {
	src := text(3<<20 + 7)
	want := compressBlock(t, src, 6)
	for _, procs := range []int{1, 3} {
		withProcs(t, procs, func() {
			assert.Equal(t, want, compressBlock(t, src, 6), "GOMAXPROCS=%d", procs)
		})
	}
}

func TestCompressBlockHCLevelsShrink(t *testing.T) {
	src := text(256 << 10)
	prev := math.MaxInt
	for _, level := range []int{1, 3, 6, 9, 12} {
		n := len(compressBlock(t, src, level))
		assert.LessOrEqual(t, n, prev, "level %d should not be larger than the level below", level)
		prev = n
	}
}

func TestCompressBlockHCErrors(t *testing.T) {
	src := text(1000)
	tests := []struct {
		name  string
		dst   []byte
		level int
		want  error
	}{
		{"level 0", make([]byte, 2000), 0, lz4x.ErrBadLevel},
		{"level 13", make([]byte, 2000), 13, lz4x.ErrBadLevel},
		{"negative level", make([]byte, 2000), -1, lz4x.ErrBadLevel},
		{"dst below bound", make([]byte, lz4x.CompressBlockBound(len(src))-1), 9, lz4x.ErrShortBuffer},
		{"nil dst", nil, 9, lz4x.ErrShortBuffer},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := lz4x.CompressBlockHC(tt.dst, src, tt.level)
			assert.ErrorIs(t, err, tt.want)
		})
	}
}

func TestCompressBlockBound(t *testing.T) {
	tests := []struct{ n, want int }{
		{0, 16}, {1, 17}, {255, 272}, {1 << 20, 1<<20 + 4112 + 16},
		{-1, 0}, {0x7E000000, 0x7E000000 + 0x7E000000/255 + 16}, {0x7E000001, 0},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, lz4x.CompressBlockBound(tt.n), "n=%d", tt.n)
	}
}

func TestDecompressBlockReadsLiblz4(t *testing.T) {
	want := readTestdata(t, "input.txt")
	out := make([]byte, len(want))
	n, err := lz4x.DecompressBlock(out, readTestdata(t, "pylz4_block_hc12.bin"))
	require.NoError(t, err)
	assert.Equal(t, want, out[:n])

	size, payload, err := lz4x.ReadSizePrefix(readTestdata(t, "pylz4_block_store_size.bin"))
	require.NoError(t, err)
	require.Equal(t, len(want), size)
	out = make([]byte, size)
	n, err = lz4x.DecompressBlock(out, payload)
	require.NoError(t, err)
	assert.Equal(t, want, out[:n])
}

func TestDecompressBlockCapacityIsABound(t *testing.T) {
	src := text(10_000)
	block := compressBlock(t, src, 9)
	// A larger capacity gives the exact output; a smaller one is an error, never a short result.
	out := make([]byte, 20_000)
	n, err := lz4x.DecompressBlock(out, block)
	require.NoError(t, err)
	assert.Equal(t, src, out[:n])
	_, err = lz4x.DecompressBlock(make([]byte, len(src)-1), block)
	assert.ErrorIs(t, err, lz4x.ErrCorrupt)
}

func TestDecompressBlockCorrupt(t *testing.T) {
	good := compressBlock(t, text(5000), 9)
	tests := []struct {
		name string
		src  []byte
	}{
		{"empty", nil},
		{"truncated", good[:len(good)/2]},
		{"literal run past end", []byte{0xF0, 0xFF, 0xFF, 'a'}},
		{"offset zero", []byte{0x14, 'a', 0x00, 0x00, 0x50, 'a', 'b', 'c', 'd', 'e'}},
		{"offset before start", []byte{0x14, 'a', 0x09, 0x00, 0x50, 'a', 'b', 'c', 'd', 'e'}},
		{"garbage", bytes.Repeat([]byte{0xFF}, 64)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := lz4x.DecompressBlock(make([]byte, 10_000), tt.src)
			assert.ErrorIs(t, err, lz4x.ErrCorrupt)
		})
	}
}

func TestCheckClaimedSize(t *testing.T) {
	tests := []struct {
		claimed int64
		n       int
		want    error
	}{
		{0, 0, nil},
		{100, 1, nil},
		{255*1000 + 64, 1000, nil},
		{255*1000 + 65, 1000, lz4x.ErrTooLarge},
		{1 << 40, 10, lz4x.ErrTooLarge},
		{-1, 10, lz4x.ErrCorrupt},
	}
	for _, tt := range tests {
		err := lz4x.CheckClaimedSize(tt.claimed, tt.n)
		if tt.want == nil {
			assert.NoError(t, err, "claimed %d from %d", tt.claimed, tt.n)
		} else {
			assert.ErrorIs(t, err, tt.want, "claimed %d from %d", tt.claimed, tt.n)
		}
	}
}

func TestMaxBlockDecompressedSizeHolds(t *testing.T) {
	// The most compressible input there is: the bound must still cover it.
	for _, n := range []int{0, 1, 100, 1 << 20} {
		block := compressBlock(t, make([]byte, n), 12)
		assert.LessOrEqual(t, int64(n), lz4x.MaxBlockDecompressedSize(len(block)), "n=%d", n)
	}
}

func TestReadSizePrefix(t *testing.T) {
	prefixed := func(size uint32, payload []byte) []byte {
		return append(binary.LittleEndian.AppendUint32(nil, size), payload...)
	}
	tests := []struct {
		name     string
		src      []byte
		wantSize int
		wantLen  int
		want     error
	}{
		{"empty payload", prefixed(0, nil), 0, 0, nil},
		{"ok", prefixed(5, []byte{0x50, 'h', 'e', 'l', 'l', 'o'}[:6]), 5, 6, nil},
		{"short", []byte{1, 2, 3}, 0, 0, lz4x.ErrCorrupt},
		{"nil", nil, 0, 0, lz4x.ErrCorrupt},
		{"negative as int32", prefixed(0x80000000, []byte{0}), 0, 0, lz4x.ErrCorrupt},
		{"absurd for payload", prefixed(1<<30, []byte{0x00}), 0, 0, lz4x.ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			size, payload, err := lz4x.ReadSizePrefix(tt.src)
			if tt.want != nil {
				assert.ErrorIs(t, err, tt.want)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.wantSize, size)
			assert.Len(t, payload, tt.wantLen)
		})
	}
}
