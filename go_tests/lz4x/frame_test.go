package lz4x_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/lz4x"
	"github.com/pierrec/lz4/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func compressFrame(t testing.TB, src []byte, level int) []byte {
	t.Helper()
	dst := make([]byte, lz4x.CompressFrameBound(len(src)))
	n, err := lz4x.CompressFrame(dst, src, level)
	require.NoError(t, err)
	return dst[:n]
}

func decompressFrame(t testing.TB, frame []byte) []byte {
	t.Helper()
	size, known, err := lz4x.FrameContentSize(frame)
	require.NoError(t, err)
	require.True(t, known)
	out := make([]byte, size)
	n, err := lz4x.DecompressFrame(out, frame)
	require.NoError(t, err)
	require.Equal(t, int(size), n)
	return out
}

// pierrecFrame decodes a frame with pierrec/lz4's reader, an independent implementation.
func pierrecFrame(t testing.TB, frame []byte) []byte {
	t.Helper()
	out, err := io.ReadAll(lz4.NewReader(bytes.NewReader(frame)))
	require.NoError(t, err)
	return out
}

func TestFrameRoundTrip(t *testing.T) {
	sizes := []int{0, 1, 100, 65536, 1<<20 - 1, 1 << 20, 1<<20 + 1, 5<<20 + 333}
	for _, ds := range datasets {
		for _, n := range sizes {
			for _, level := range []int{0, 2, 3, 9} {
				if level == 9 && n > 1<<20 && ds.name == "text" {
					continue // slow, and level 3 covers the high-compression path
				}
				t.Run(fmt.Sprintf("%s/%d/L%d", ds.name, n, level), func(t *testing.T) {
					src := ds.gen(n)
					frame := compressFrame(t, src, level)
					assert.LessOrEqual(t, len(frame), lz4x.CompressFrameBound(n))
					require.True(t, bytes.Equal(src, decompressFrame(t, frame)))
					require.True(t, bytes.Equal(src, pierrecFrame(t, frame)), "pierrec's reader differs")
					alloc, err := lz4x.DecompressFrameAlloc(frame, int64(n))
					require.NoError(t, err)
					require.True(t, bytes.Equal(src, alloc))
				})
			}
		}
	}
}

func TestFrameHeader(t *testing.T) {
	frame := compressFrame(t, text(3000), 0)
	assert.Equal(t, []byte{0x04, 0x22, 0x4D, 0x18}, frame[:4], "magic")
	// FLG: version 01, independent blocks, content size, content checksum.
	assert.Equal(t, byte(0x6C), frame[4])
	assert.Equal(t, uint64(3000), binary.LittleEndian.Uint64(frame[6:14]))
	assert.Equal(t, []byte{0, 0, 0, 0}, frame[len(frame)-8:len(frame)-4], "end mark")
}

func TestFrameEmptyInput(t *testing.T) {
	frame := compressFrame(t, nil, 0)
	assert.Len(t, frame, lz4x.CompressFrameBound(0))
	size, known, err := lz4x.FrameContentSize(frame)
	require.NoError(t, err)
	assert.True(t, known)
	assert.Zero(t, size)
	n, err := lz4x.DecompressFrame(nil, frame)
	require.NoError(t, err)
	assert.Zero(t, n)
}

func TestFrameDeterministicAcrossCores(t *testing.T) {
	src := text(6<<20 + 1)
	want := compressFrame(t, src, 0)
	for _, procs := range []int{1, 4} {
		withProcs(t, procs, func() {
			assert.True(t, bytes.Equal(want, compressFrame(t, src, 0)), "GOMAXPROCS=%d", procs)
			assert.True(t, bytes.Equal(src, decompressFrame(t, want)), "GOMAXPROCS=%d", procs)
		})
	}
}

func TestFrameLevelsShrink(t *testing.T) {
	src := text(512 << 10)
	prev := len(compressFrame(t, src, 0))
	for _, level := range []int{3, 6, 9, 12} {
		n := len(compressFrame(t, src, level))
		assert.Less(t, n, prev, "level %d should beat the level below", level)
		prev = n
	}
}

// TestFrameFastLevelFindsTextAfterIncompressibleData: the fast compressor probes faster through
// data that does not match, but starts again at its slowest pace after every match, so the text
// after a long run of weights within one block is compressed as well as text on its own.
func TestFrameFastLevelFindsTextAfterIncompressibleData(t *testing.T) {
	tail := text(200 << 10)
	alone := len(compressFrame(t, tail, 0))
	for _, head := range [][]byte{weights(800 << 10), random(800 << 10)} {
		src := append(append([]byte{}, head...), tail...)
		frame := compressFrame(t, src, 0)
		// The first 1 MiB block holds the head and the start of the tail.
		assert.Less(t, len(frame), len(head)+alone*11/10, "the text after the head was not compressed")
		require.True(t, bytes.Equal(src, decompressFrame(t, frame)))
	}
}

// TestFrameFastLevelExactBytes pins the fast compressor's sequences on small inputs, where the
// end rules decide: nothing matches in the last 12 bytes, and the last 5 are literals.
func TestFrameFastLevelExactBytes(t *testing.T) {
	tests := []struct {
		name  string
		src   []byte
		block []byte // the frame's one data block
	}{
		{"too short to match", []byte("abcabcabcabc"), nil}, // stored: no gain
		{"one run", bytes.Repeat([]byte("a"), 40), []byte{0x1F, 'a', 0x01, 0x00, 0x0F, 0x50, 'a', 'a', 'a', 'a', 'a'}},
		{"repeat", []byte("0123456789abcdef0123456789abcdef!!!!!"),
			append(append([]byte{0xFC, 0x01}, "0123456789abcdef"...), 0x10, 0x00, 0x50, '!', '!', '!', '!', '!')},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			frame := compressFrame(t, tt.src, 0)
			word := binary.LittleEndian.Uint32(frame[15:])
			if tt.block == nil {
				assert.NotZero(t, word&0x80000000, "block should be stored")
				return
			}
			require.Zero(t, word&0x80000000, "block should be compressed")
			assert.Equal(t, tt.block, frame[19:19+word])
		})
	}
}

func TestCompressFrameErrors(t *testing.T) {
	src := text(1000)
	tests := []struct {
		name  string
		dst   []byte
		level int
		want  error
	}{
		{"level -1", make([]byte, 2000), -1, lz4x.ErrBadLevel},
		{"level 13", make([]byte, 2000), 13, lz4x.ErrBadLevel},
		{"dst below bound", make([]byte, lz4x.CompressFrameBound(len(src))-1), 0, lz4x.ErrShortBuffer},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := lz4x.CompressFrame(tt.dst, src, tt.level)
			assert.ErrorIs(t, err, tt.want)
		})
	}
}

func TestDecompressFrameReadsOutsideFrames(t *testing.T) {
	want := readTestdata(t, "input.txt")
	tests := []struct {
		file      string
		sizeKnown bool
	}{
		{"cli_B4_size.lz4", true},
		{"cli_B4D_linked.lz4", false},
		{"cli_B5X_blocksum.lz4", false},
		{"cli_B6_nocrc_hc9.lz4", false},
		{"cli_B7_hc12.lz4", false},
		{"pylz4_frame_nosize.lz4", false},
		{"pylz4_frame_size_sum.lz4", true},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			frame := readTestdata(t, tt.file)
			size, known, err := lz4x.FrameContentSize(frame)
			require.NoError(t, err)
			assert.Equal(t, tt.sizeKnown, known)
			if known {
				assert.Equal(t, int64(len(want)), size)
			}
			out := make([]byte, len(want))
			n, err := lz4x.DecompressFrame(out, frame)
			require.NoError(t, err)
			assert.Equal(t, want, out[:n])
			alloc, err := lz4x.DecompressFrameAlloc(frame, 1<<30)
			require.NoError(t, err)
			assert.Equal(t, want, alloc)
			// Exactly the right size is enough; one byte less is not.
			_, err = lz4x.DecompressFrame(make([]byte, len(want)-1), frame)
			assert.ErrorIs(t, err, lz4x.ErrShortBuffer)
		})
	}
}

func TestDecompressFrameEmptyPythonFrame(t *testing.T) {
	out, err := lz4x.DecompressFrameAlloc(readTestdata(t, "pylz4_frame_empty.lz4"), 100)
	require.NoError(t, err)
	assert.Empty(t, out)
}

func TestDecompressFrameConcatenatedAndSkippable(t *testing.T) {
	a, b := text(70_000), weights(300_000)
	skippable := binary.LittleEndian.AppendUint32(binary.LittleEndian.AppendUint32(nil, 0x184D2A5F), 3)
	skippable = append(skippable, 1, 2, 3)
	var stream []byte
	stream = append(stream, skippable...)
	stream = append(stream, compressFrame(t, a, 0)...)
	stream = append(stream, skippable...)
	stream = append(stream, compressFrame(t, b, 3)...)
	want := append(append([]byte{}, a...), b...)

	size, known, err := lz4x.FrameContentSize(stream)
	require.NoError(t, err)
	assert.True(t, known)
	assert.Equal(t, int64(len(want)), size)
	assert.Equal(t, want, decompressFrame(t, stream))

	// One frame without a size makes the total unknown.
	stream = append(stream, readTestdata(t, "pylz4_frame_nosize.lz4")...)
	_, known, err = lz4x.FrameContentSize(stream)
	require.NoError(t, err)
	assert.False(t, known)
	got, err := lz4x.DecompressFrameAlloc(stream, 1<<30)
	require.NoError(t, err)
	assert.Equal(t, append(want, readTestdata(t, "input.txt")...), got)
}

func TestDecompressFrameRejects(t *testing.T) {
	good := compressFrame(t, text(200_000), 0)
	flip := func(i int) []byte {
		b := bytes.Clone(good)
		b[i] ^= 0x01
		return b
	}
	tests := []struct {
		name string
		src  []byte
		want error
	}{
		{"empty", nil, lz4x.ErrNotLZ4Frame},
		{"not a frame", []byte("hello, world"), lz4x.ErrNotLZ4Frame},
		{"gzip", readTestdata(t, "python_gzip6.gz"), lz4x.ErrNotLZ4Frame},
		{"legacy", readTestdata(t, "cli_legacy.lz4"), lz4x.ErrUnsupported},
		{"header checksum", flip(14), lz4x.ErrCorrupt},
		{"reserved flag", flip(4 + 1), lz4x.ErrCorrupt},
		{"content checksum", flip(len(good) - 1), lz4x.ErrCorrupt},
		{"block data", flip(len(good) / 2), lz4x.ErrCorrupt},
		{"trailing garbage", append(bytes.Clone(good), "junk"...), lz4x.ErrCorrupt},
		{"trailing bytes", append(bytes.Clone(good), 0, 0), lz4x.ErrCorrupt},
		{"truncated checksum", good[:len(good)-2], lz4x.ErrCorrupt},
		{"no end mark", good[:len(good)-8], lz4x.ErrCorrupt},
		{"truncated block", good[:len(good)/2], lz4x.ErrCorrupt},
		{"header only", good[:15], lz4x.ErrCorrupt},
		{"magic only", good[:4], lz4x.ErrCorrupt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := lz4x.DecompressFrame(make([]byte, 300_000), tt.src)
			assert.ErrorIs(t, err, tt.want)
			_, err = lz4x.DecompressFrameAlloc(tt.src, 1<<30)
			assert.ErrorIs(t, err, tt.want)
		})
	}
}

func TestDecompressFrameEveryTruncationFails(t *testing.T) {
	for _, file := range []string{"cli_B4D_linked.lz4", "cli_B5X_blocksum.lz4", "pylz4_frame_size_sum.lz4"} {
		frame := readTestdata(t, file)
		out := make([]byte, 1<<20)
		// Every byte boundary inside headers and trailers, and a spread through the data.
		for cut := 0; cut < len(frame); cut++ {
			if cut > 64 && cut < len(frame)-64 && cut%97 != 0 {
				continue
			}
			_, err := lz4x.DecompressFrame(out, frame[:cut])
			require.Error(t, err, "%s cut at %d decoded", file, cut)
		}
	}
}

func TestDecompressFrameDeclaredSizeMismatch(t *testing.T) {
	src := text(100_000)
	frame := compressFrame(t, src, 0)
	// Rewrite the declared size (and the header checksum byte along with it, via a fresh header
	// from a frame of the wrong size) so only the size disagrees with the blocks.
	other := compressFrame(t, src[:99_999], 0)
	lying := append(bytes.Clone(other[:15]), frame[15:]...)
	_, err := lz4x.DecompressFrame(make([]byte, 200_000), lying)
	assert.ErrorIs(t, err, lz4x.ErrCorrupt)
}

func TestDecompressFrameAllocLimits(t *testing.T) {
	src := text(1 << 20)
	sized := compressFrame(t, src, 0)
	unsized := readTestdata(t, "cli_B7_hc12.lz4")
	tests := []struct {
		name  string
		frame []byte
		limit int64
		want  error
	}{
		{"sized at limit", sized, 1 << 20, nil},
		{"sized over limit", sized, 1<<20 - 1, lz4x.ErrTooLarge},
		{"unsized at limit", unsized, 96 << 10, nil},
		{"unsized over limit", unsized, 96<<10 - 1, lz4x.ErrTooLarge},
		{"zero limit", sized, 0, lz4x.ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := lz4x.DecompressFrameAlloc(tt.frame, tt.limit)
			if tt.want == nil {
				assert.NoError(t, err)
			} else {
				assert.ErrorIs(t, err, tt.want)
			}
		})
	}
}

func TestDecompressFrameAllocGrowsForCompressibleUnsizedFrames(t *testing.T) {
	// 40 MiB of zeros compress to a few hundred KiB: far more than the first guess.
	src := make([]byte, 40<<20)
	frame := stripContentSize(t, compressFrame(t, src, 0))
	_, known, err := lz4x.FrameContentSize(frame)
	require.NoError(t, err)
	require.False(t, known)
	out, err := lz4x.DecompressFrameAlloc(frame, 1<<30)
	require.NoError(t, err)
	assert.True(t, bytes.Equal(src, out))
}

func TestFrameContentSizeRejectsImpossibleSize(t *testing.T) {
	// A frame claiming 1 TiB from one 8-byte block cannot be honest.
	var f []byte
	f = binary.LittleEndian.AppendUint32(f, 0x184D2204)
	f = append(f, 0x68, 0x40)                      // version, independent, content size; 64 KiB blocks
	f = binary.LittleEndian.AppendUint64(f, 1<<40) // content size
	f = append(f, headerChecksum(f[4:]))
	f = binary.LittleEndian.AppendUint32(f, 8)
	f = append(f, 0x1F, 'a', 1, 0, 0xFF, 0xFF, 0xFF, 0x00)
	f = binary.LittleEndian.AppendUint32(f, 0)
	_, _, err := lz4x.FrameContentSize(f)
	assert.ErrorIs(t, err, lz4x.ErrTooLarge)
	_, err = lz4x.DecompressFrameAlloc(f, 1<<50)
	assert.ErrorIs(t, err, lz4x.ErrTooLarge)
}

// stripContentSize rewrites a frame made by CompressFrame to carry no content size.
func stripContentSize(t testing.TB, frame []byte) []byte {
	t.Helper()
	require.Equal(t, byte(0x6C), frame[4])
	out := []byte{frame[0], frame[1], frame[2], frame[3], 0x64, frame[5]}
	out = append(out, headerChecksum(out[4:6]))
	return append(out, frame[15:]...)
}

// handFrame builds a frame with 1 MiB maximum blocks, independent, without content size, with a
// content checksum, holding one compressed block per part, so blocks can be shorter than the
// maximum anywhere in the frame (as a flushing writer makes them).
func handFrame(t testing.TB, parts ...[]byte) []byte {
	t.Helper()
	f := binary.LittleEndian.AppendUint32(nil, 0x184D2204)
	f = append(f, 0x64, 0x60) // version 01, independent blocks, content checksum; 1 MiB blocks
	f = append(f, headerChecksum(f[4:6]))
	var all []byte
	for _, p := range parts {
		block := compressBlock(t, p, 1)
		f = binary.LittleEndian.AppendUint32(f, uint32(len(block)))
		f = append(f, block...)
		all = append(all, p...)
	}
	f = binary.LittleEndian.AppendUint32(f, 0)
	return binary.LittleEndian.AppendUint32(f, xxh32(all))
}

func TestDecompressFrameShortBlocksAnywhere(t *testing.T) {
	src := text(3 << 20)
	tests := []struct {
		name string
		cuts []int // part boundaries in src
	}{
		{"short first", []int{100_000, 100_000 + 1<<20, 3 << 20}},
		{"short middle", []int{1 << 20, 1<<20 + 5000, 2<<20 + 5000, 3 << 20}},
		{"all short", []int{300_000, 600_000, 900_000, 1_200_000, 3 << 20}},
		{"full then short last", []int{1 << 20, 2 << 20, 3 << 20}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var parts [][]byte
			prev := 0
			for _, c := range tt.cuts {
				if c-prev > 1<<20 {
					parts = append(parts, src[prev:prev+1<<20])
					prev += 1 << 20
				}
				parts = append(parts, src[prev:c])
				prev = c
			}
			frame := handFrame(t, parts...)
			dst := make([]byte, len(src))
			n, err := lz4x.DecompressFrame(dst, frame)
			require.NoError(t, err)
			assert.True(t, bytes.Equal(src, dst[:n]))
			got, err := lz4x.DecompressFrameAlloc(frame, 1<<30)
			require.NoError(t, err)
			assert.True(t, bytes.Equal(src, got))

			dir := t.TempDir()
			in := writeFile(t, dir, "in.lz4", frame)
			_, err = lz4x.DecompressFile(in, filepath.Join(dir, "out"), nil)
			require.NoError(t, err)
			fileOut, err := os.ReadFile(filepath.Join(dir, "out"))
			require.NoError(t, err)
			assert.True(t, bytes.Equal(src, fileOut))
		})
	}
}

// TestFrameFastBarelyCompressible feeds the fast compressor blocks that shrink by a few bytes or
// not at all, so its output meets the end of the room it is given (one byte less than the block)
// at every kind of sequence: literal runs short and long, short and long matches, the final
// literals. Run under -race, checkptr also checks every unchecked access it makes.
func TestFrameFastBarelyCompressible(t *testing.T) {
	r := random(1 << 16)
	for n := 13; n < 700; n += 7 {
		for _, rep := range []int{4, 5, 8, 19, 40, 300} {
			for _, at := range []int{0, 1, n / 3, n - 17} {
				src := append([]byte{}, r[n:2*n]...)
				if at >= 0 && at+rep+rep <= n {
					copy(src[at+rep:at+2*rep], src[at:at+rep]) // one match of rep bytes
				}
				frame := compressFrame(t, src, 0)
				require.True(t, bytes.Equal(src, decompressFrame(t, frame)), "n=%d rep=%d at=%d", n, rep, at)
				require.True(t, bytes.Equal(src, pierrecFrame(t, frame)), "n=%d rep=%d at=%d", n, rep, at)
			}
		}
	}
}
