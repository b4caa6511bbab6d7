package lz4x_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"testing"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/lz4x"
	"github.com/pierrec/lz4/v4"
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
					// pierrec/lz4's decoder is an independent check of the format.
					clear(out)
					m, err = lz4.UncompressBlock(block, out)
					require.NoError(t, err)
					require.True(t, bytes.Equal(src, out[:m]), "pierrec's decoder differs")
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

// TestCompressBlockHCMatchesLiblz4 pins level 12 to liblz4's own output: the optimal parser
// prices sequences as liblz4's does and the match finder returns the same (longest, then
// nearest) match, so on a single-segment input the blocks are identical.
func TestCompressBlockHCMatchesLiblz4(t *testing.T) {
	got := compressBlock(t, readTestdata(t, "input.txt"), 12)
	assert.True(t, bytes.Equal(readTestdata(t, "pylz4_block_hc12.bin"), got), "%d bytes, liblz4 wrote %d", len(got), len(readTestdata(t, "pylz4_block_hc12.bin")))
}

// TestCompressBlockHCIndependentOfEarlierCalls: the compressors' pooled state (hash tables that
// are not cleared between uses) must never leak into the output.
func TestCompressBlockHCIndependentOfEarlierCalls(t *testing.T) {
	src := text(70_000)
	want := map[int][]byte{}
	for _, level := range []int{1, 5, 12} {
		want[level] = compressBlock(t, src, level)
	}
	for _, other := range [][]byte{text(3 << 20), weights(200_000), make([]byte, 100_000), text(10), src[1000:]} {
		for _, level := range []int{1, 5, 12} {
			compressBlock(t, other, level)
			assert.Equal(t, want[level], compressBlock(t, src, level), "level %d after %d other bytes", level, len(other))
		}
	}
}

// TestCompressBlockHCFindsTextAfterWeights: high compression never skips ahead, so the text that
// follows incompressible weights in a checkpoint is compressed as well as on its own.
func TestCompressBlockHCFindsTextAfterWeights(t *testing.T) {
	tail := text(100 << 10)
	for _, level := range []int{1, 9, 12} {
		alone := len(compressBlock(t, tail, level))
		head := weights(300 << 10)
		src := append(append([]byte{}, head...), tail...)
		block := compressBlock(t, src, level)
		assert.Less(t, len(block), len(head)+alone+len(head)/100, "level %d", level)
	}
}

func TestCompressBlockHCIncompressibleIsNearlyLiteralOnly(t *testing.T) {
	src := random(100_000)
	block := compressBlock(t, src, 12)
	// A literal-only block: token 0xF0, (n-15)/255 bytes of 255, the remainder, the literals.
	literalOnly := 1 + (len(src)-15)/255 + 1 + len(src)
	// Random data has a few chance 4-byte repeats within 64 KiB, each worth a byte or so, as
	// liblz4 finds too (it gives 100393 bytes for 100000 random ones); nothing more.
	assert.LessOrEqual(t, len(block), literalOnly)
	assert.Greater(t, len(block), literalOnly-8)
	out := make([]byte, len(src))
	n, err := lz4x.DecompressBlock(out, block)
	require.NoError(t, err)
	assert.Equal(t, src, out[:n])
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
		name     string
		src      []byte
		capacity int
	}{
		{"empty", nil, 10_000},
		{"truncated mid-literals", good[:len(good)/2], 10_000},
		{"literal run past end", []byte{0xF0, 0xFF, 0xFF, 'a'}, 10_000},
		{"token only promises literals", []byte{0x50}, 100},
		{"offset before start", []byte{0x14, 'a', 0x09, 0x00, 0x50, 'a', 'b', 'c', 'd', 'e'}, 10_000},
		{"garbage", bytes.Repeat([]byte{0xFF}, 64), 10_000},
		// The end rules: the block must end with literals, and only a sequence near the end may
		// hold its last literals. liblz4 rejects all of these, which is how it notices a block
		// cut right after a match.
		{"ends with a match", []byte{0x14, 'a', 0x01, 0x00}, 100},
		{"match within 12 bytes of the end", []byte{0x14, 'a', 0x01, 0x00, 0x10, 'z'}, 100},
		{"ends inside the offset", []byte{0x14, 'a', 0x01}, 100},
		{"ends inside a match length", append([]byte{0x1F, 'a', 0x01, 0x00, 0xFF}, make([]byte, 20)...)[:5], 100},
		{"match into the last 5 bytes of the capacity", []byte{0x14, 'a', 0x01, 0x00, 0x10, 'z'}, 10},
		{"output beyond the capacity", []byte{0x50, 'a', 'b', 'c', 'd', 'e'}, 4},
		{"zero capacity, non-empty block", []byte{0x10, 'a'}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := lz4x.DecompressBlock(make([]byte, tt.capacity), tt.src)
			assert.ErrorIs(t, err, lz4x.ErrCorrupt)
		})
	}
}

// TestDecompressBlockAcceptsWhatLiblz4Accepts covers blocks the format's description calls odd but
// liblz4 decodes; callers' data was checked by liblz4, so rejecting them would break it.
func TestDecompressBlockAcceptsWhatLiblz4Accepts(t *testing.T) {
	tests := []struct {
		name     string
		src      []byte
		capacity int
		want     []byte
	}{
		{"empty block, zero capacity", []byte{0x00}, 0, []byte{}},
		{"empty block", []byte{0x00}, 100, []byte{}},
		// The last token's match nibble is ignored: the literals end the block.
		{"final token with a match nibble", append([]byte{0x61}, make([]byte, 6)...), 6, make([]byte, 6)},
		// liblz4 does not reject offset 0 but writes zeros (it clears the bytes, then copies them
		// onto themselves).
		{"offset zero", []byte{0x00, 0x00, 0x00, 0x50, 'a', 'b', 'c', 'd', 'e'}, 100, []byte("\x00\x00\x00\x00abcde")},
		{"offset zero after literals", []byte{0x10, 'z', 0x00, 0x00, 0x50, 'a', 'b', 'c', 'd', 'e'}, 100, []byte("z\x00\x00\x00\x00abcde")},
		{"offset one run", []byte{0x1A, 'x', 0x01, 0x00, 0x50, 'a', 'b', 'c', 'd', 'e'}, 100, []byte("xxxxxxxxxxxxxxxabcde")},
		// A capacity larger than the output is a bound, not an exact size.
		{"capacity larger than output", []byte{0x30, 'a', 'b', 'c'}, 1000, []byte("abc")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dst := make([]byte, tt.capacity)
			n, err := lz4x.DecompressBlock(dst, tt.src)
			require.NoError(t, err)
			assert.Equal(t, tt.want, dst[:n])
		})
	}
}

// TestDecompressBlockTruncations cuts real blocks (ours and liblz4's) at every byte. A cut block
// must fail, except where it still ends with a complete literal run: a cut just after a
// sequence's literals, which liblz4 also decodes when that sequence is far enough from the
// previous one (TestDecompressBlockAgreesWithLiblz4 checks exactly which); then the output must
// be the input up to there.
func TestDecompressBlockTruncations(t *testing.T) {
	src := readTestdata(t, "input.txt")
	blocks := map[string][]byte{
		"ours":   compressBlock(t, src, 12),
		"liblz4": readTestdata(t, "pylz4_block_hc12.bin"),
	}
	for name, block := range blocks {
		t.Run(name, func(t *testing.T) {
			ends := literalEnds(t, block)
			dst := make([]byte, len(src))
			accepted := 0
			for cut := 0; cut < len(block); cut++ {
				n, err := lz4x.DecompressBlock(dst, block[:cut])
				if err != nil {
					require.ErrorIs(t, err, lz4x.ErrCorrupt)
					continue
				}
				want, ok := ends[cut]
				require.True(t, ok, "cut %d of %d is inside a sequence but decoded", cut, len(block))
				require.Equal(t, want, n, "cut %d", cut)
				require.Equal(t, src[:n], dst[:n], "cut %d", cut)
				accepted++
			}
			t.Logf("%d of %d cuts end after a literal run and decode, of %d such points", accepted, len(block), len(ends))
		})
	}
}

// literalEnds walks a valid block and maps each position where a sequence's literals end (before
// its offset) to the output length there.
func literalEnds(t *testing.T, b []byte) map[int]int {
	t.Helper()
	ends := map[int]int{}
	ip, op := 0, 0
	for ip < len(b) {
		tok := b[ip]
		ip++
		lit := int(tok >> 4)
		if lit == 15 {
			for b[ip] == 255 {
				lit += 255
				ip++
			}
			lit += int(b[ip])
			ip++
		}
		ip += lit
		op += lit
		ends[ip] = op
		if ip == len(b) {
			break
		}
		ip += 2
		ml := int(tok & 15)
		if ml == 15 {
			for b[ip] == 255 {
				ml += 255
				ip++
			}
			ml += int(b[ip])
			ip++
		}
		op += ml + 4
	}
	delete(ends, len(b)) // the whole block
	return ends
}

// TestDecompressBlockCopies checks the decoder's match copying, which takes different paths for
// short and long matches, small and large offsets, and distance from the end of the capacity,
// against a plain byte-by-byte decoder.
func TestDecompressBlockCopies(t *testing.T) {
	prefix := text(100)
	for offset := 0; offset <= 40; offset++ {
		for _, ml := range []int{4, 5, 7, 8, 9, 15, 16, 17, 18, 19, 20, 24, 31, 32, 33, 40, 64, 65, 100, 300} {
			for _, lit := range []int{0, 1, 7, 14, 15, 16, 40} {
				for _, tail := range []int{12, 13, 60, 200} { // at least the 12 bytes after the last match
					block := sequenceBlock(prefix, lit, offset, ml, tail)
					want, ok := refDecode(block)
					require.True(t, ok)
					for _, slack := range []int{0, 1, 64, 1000} {
						dst := make([]byte, len(want)+slack)
						n, err := lz4x.DecompressBlock(dst, block)
						require.NoError(t, err, "offset %d ml %d lit %d tail %d slack %d", offset, ml, lit, tail, slack)
						require.Equal(t, want, dst[:n], "offset %d ml %d lit %d tail %d slack %d", offset, ml, lit, tail, slack)
					}
				}
			}
		}
	}
}

// sequenceBlock builds a block of prefix as literals, one sequence of lit literals and a match
// (offset, ml), and tail final literals.
func sequenceBlock(prefix []byte, lit, offset, ml, tail int) []byte {
	var b []byte
	putSeq := func(lits []byte, matchNibble byte) {
		n := len(lits)
		if n >= 15 {
			b = append(b, 0xF0|matchNibble)
			for n -= 15; n >= 255; n -= 255 {
				b = append(b, 255)
			}
			b = append(b, byte(n))
		} else {
			b = append(b, byte(n)<<4|matchNibble)
		}
		b = append(b, lits...)
	}
	putSeq(prefix, 0) // a match of 4 from the prefix's first bytes follows
	b = append(b, byte(len(prefix)), 0)
	lits := bytes.Repeat([]byte("L"), lit)
	m := ml - 4
	if m >= 15 {
		putSeq(lits, 15)
		b = append(b, byte(offset), byte(offset>>8))
		for m -= 15; m >= 255; m -= 255 {
			b = append(b, 255)
		}
		b = append(b, byte(m))
	} else {
		putSeq(lits, byte(m))
		b = append(b, byte(offset), byte(offset>>8))
	}
	putSeq(bytes.Repeat([]byte("T"), tail), 0)
	return b
}

// refDecode decodes a structurally valid block byte by byte (offset 0 giving zeros, as liblz4
// does), without the end rules. ok is false if the block runs out or reaches before its start.
func refDecode(b []byte) (out []byte, ok bool) {
	out = []byte{}
	ip := 0
	readLen := func(n int) (int, bool) {
		for {
			if ip >= len(b) {
				return 0, false
			}
			x := b[ip]
			ip++
			n += int(x)
			if x != 255 {
				return n, true
			}
		}
	}
	for {
		if ip >= len(b) {
			return nil, false
		}
		tok := b[ip]
		ip++
		lit := int(tok >> 4)
		if lit == 15 {
			if lit, ok = readLen(lit); !ok {
				return nil, false
			}
		}
		if lit > len(b)-ip {
			return nil, false
		}
		out = append(out, b[ip:ip+lit]...)
		ip += lit
		if ip == len(b) {
			return out, true
		}
		if len(b)-ip < 2 {
			return nil, false
		}
		offset := int(b[ip]) | int(b[ip+1])<<8
		ip += 2
		ml := int(tok & 15)
		if ml == 15 {
			if ml, ok = readLen(ml); !ok {
				return nil, false
			}
		}
		ml += 4
		if offset > len(out) {
			return nil, false
		}
		for range ml {
			if offset == 0 {
				out = append(out, 0)
			} else {
				out = append(out, out[len(out)-offset])
			}
		}
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
