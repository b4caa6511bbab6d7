package lz4x_test

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/lz4x"
	"github.com/pierrec/lz4/v4"
)

// Under -fuzz, two things were measured to stall the workers, so the bodies avoid them: testify's
// ordering assertions (require.LessOrEqual took a worker from ~20k execs/s to a few per second;
// plain comparisons are used instead) and large allocations (a 1 MiB make costs milliseconds
// there; output buffers are allocated once and limits kept at 256 KiB).
const fuzzLimit = 256 << 10

// Seeds shared by the decoder fuzzers: real outputs of liblz4 and of this package, so mutations
// start from structure the decoders must walk deeply.
func addDecoderSeeds(f *testing.F, kind string) {
	switch kind {
	case "block":
		f.Add(readTestdata(f, "pylz4_block_hc12.bin")[:4000])
		f.Add(compressBlock(f, text(3000), 9))
		f.Add(compressBlock(f, nil, 12))
		f.Add([]byte{0x1F, 'a', 1, 0, 0xFF, 0x00, 0x50, 'a', 'b', 'c', 'd', 'e'})
	case "frame":
		for _, name := range []string{"cli_B4D_linked.lz4", "cli_B5X_blocksum.lz4", "cli_B7_hc12.lz4",
			"pylz4_frame_size_sum.lz4", "pylz4_frame_empty.lz4", "cli_legacy.lz4"} {
			f.Add(readTestdata(f, name))
		}
		f.Add(compressFrame(f, mixed(100_000), 0))
		f.Add(compressFrame(f, nil, 0))
	}
	f.Add([]byte{})
	f.Add([]byte{0x00})
}

// isOneOf reports whether err wraps one of the given sentinels.
func isOneOf(err error, sentinels ...error) bool {
	for _, s := range sentinels {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}

func FuzzDecompressBlock(f *testing.F) {
	addDecoderSeeds(f, "block")
	f.Add([]byte{0x14, 'a', 0x01, 0x00})                           // ends with a match
	f.Add(append([]byte{0x61}, make([]byte, 6)...))                // final token with a match nibble
	f.Add([]byte{0x00, 0x00, 0x00, 0x50, 'a', 'b', 'c', 'd', 'e'}) // offset 0
	guard := bytes.Repeat([]byte{0xA5}, 8)
	buf := make([]byte, fuzzLimit+len(guard))
	f.Fuzz(func(t *testing.T, src []byte) {
		// Capacities around what the block would decode to, where the end rules bite.
		ref, refOK := refDecode(src)
		caps := []int{0, 1, len(src), 4 * len(src), 1 << 16}
		if refOK {
			caps = append(caps, len(ref), len(ref)+1, len(ref)+5, len(ref)+12, len(ref)+64, max(0, len(ref)-1))
		}
		for _, capacity := range caps {
			capacity = min(capacity, fuzzLimit)
			dst := buf[:capacity+len(guard)]
			copy(dst[capacity:], guard)
			n, err := lz4x.DecompressBlock(dst[:capacity], src)
			if err != nil && !errors.Is(err, lz4x.ErrCorrupt) {
				t.Fatalf("error %v does not wrap ErrCorrupt", err)
			}
			if n > capacity {
				t.Fatalf("wrote %d bytes into %d", n, capacity)
			}
			if !bytes.Equal(guard, dst[capacity:]) {
				t.Fatal("wrote past len(dst)")
			}
			// Whatever the end rules accept is a structurally valid block, decoded as a plain
			// byte-by-byte decoder decodes it.
			if err == nil && (!refOK || !bytes.Equal(ref, dst[:n])) {
				t.Fatalf("accepted with capacity %d, but the reference decoder gives ok=%v and different bytes", capacity, refOK)
			}
		}
	})
}

func FuzzDecompressFrame(f *testing.F) {
	addDecoderSeeds(f, "frame")
	buf := make([]byte, fuzzLimit)
	f.Fuzz(func(t *testing.T, src []byte) {
		size, known, sizeErr := lz4x.FrameContentSize(src)
		alloc, allocErr := lz4x.DecompressFrameAlloc(src, fuzzLimit)
		dst := buf
		if allocErr == nil {
			dst = buf[:len(alloc)]
		}
		n, err := lz4x.DecompressFrame(dst, src)
		for _, e := range []error{sizeErr, allocErr, err} {
			if e != nil && !isOneOf(e, lz4x.ErrCorrupt, lz4x.ErrNotLZ4Frame, lz4x.ErrTooLarge,
				lz4x.ErrUnsupported, lz4x.ErrShortBuffer) {
				t.Fatalf("unexpected error %v", e)
			}
		}
		if sizeErr != nil && allocErr == nil {
			t.Fatalf("the header walk failed (%v) but decoding succeeded", sizeErr)
		}
		if allocErr != nil {
			return
		}
		// Two paths over the same input must agree.
		if err != nil {
			t.Fatalf("DecompressFrameAlloc succeeded, DecompressFrame failed: %v", err)
		}
		if !bytes.Equal(alloc, dst[:n]) {
			t.Fatal("DecompressFrame and DecompressFrameAlloc disagree")
		}
		if known && size != int64(len(alloc)) {
			t.Fatalf("FrameContentSize says %d, decoded %d", size, len(alloc))
		}
	})
}

func FuzzDecompressGzip(f *testing.F) {
	f.Add(readTestdata(f, "python_gzip6.gz"))
	f.Add(gzipBytes(f, []byte("hello"), []byte(" world")))
	f.Add([]byte{0x1f, 0x8b})
	f.Fuzz(func(t *testing.T, src []byte) {
		out, err := lz4x.DecompressGzip(src, fuzzLimit)
		if err != nil {
			if !isOneOf(err, lz4x.ErrCorrupt, lz4x.ErrNotLZ4Frame, lz4x.ErrTooLarge) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if len(out) > fuzzLimit {
			t.Fatalf("%d bytes exceed the limit", len(out))
		}
	})
}

func FuzzReadSizePrefix(f *testing.F) {
	f.Add(readTestdata(f, "pylz4_block_store_size.bin"))
	f.Add([]byte{0, 0, 0, 0})
	f.Add([]byte{0xFF, 0xFF, 0xFF, 0x7F, 0})
	f.Fuzz(func(t *testing.T, src []byte) {
		size, payload, err := lz4x.ReadSizePrefix(src)
		if err != nil {
			if !isOneOf(err, lz4x.ErrCorrupt, lz4x.ErrTooLarge) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if !bytes.Equal(src[4:], payload) {
			t.Fatal("payload is not the bytes after the prefix")
		}
		if err := lz4x.CheckClaimedSize(int64(size), len(payload)); err != nil {
			t.Fatalf("accepted size fails CheckClaimedSize: %v", err)
		}
		// The check is what makes allocating size safe: at most 255 bytes per payload byte.
		out := make([]byte, size)
		if n, err := lz4x.DecompressBlock(out, payload); err == nil && n > size {
			t.Fatalf("decoded %d bytes into %d", n, size)
		}
	})
}

func FuzzBlockRoundTrip(f *testing.F) {
	f.Add([]byte{}, uint8(12))
	f.Add([]byte("abcabcabcabcabcabcabcabc"), uint8(1))
	f.Add(text(5000), uint8(9))
	f.Add(weights(4096), uint8(3))
	f.Fuzz(func(t *testing.T, src []byte, level uint8) {
		block := make([]byte, lz4x.CompressBlockBound(len(src)))
		k, err := lz4x.CompressBlockHC(block, src, int(level%12)+1)
		if err != nil {
			t.Fatal(err)
		}
		out := make([]byte, len(src))
		n, err := lz4x.DecompressBlock(out, block[:k])
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(src, out[:n]) {
			t.Fatal("round trip differs")
		}
		// Two independent decoders: pierrec/lz4's and a plain byte-by-byte one.
		clear(out)
		if n, err := lz4.UncompressBlock(block[:k], out); err != nil || !bytes.Equal(src, out[:n]) {
			t.Fatalf("pierrec's decoder: %v", err)
		}
		if ref, ok := refDecode(block[:k]); !ok || !bytes.Equal(src, ref) {
			t.Fatal("the reference decoder differs")
		}
	})
}

func FuzzFrameRoundTrip(f *testing.F) {
	f.Add([]byte{}, uint8(0))
	f.Add([]byte("abcabcabcabcabcabcabcabc"), uint8(3))
	f.Add(text(5000), uint8(12))
	f.Add(weights(4096), uint8(0))
	f.Fuzz(func(t *testing.T, src []byte, level uint8) {
		frame := make([]byte, lz4x.CompressFrameBound(len(src)))
		k, err := lz4x.CompressFrame(frame, src, int(level%13))
		if err != nil {
			t.Fatal(err)
		}
		frame = frame[:k]
		out := make([]byte, len(src))
		n, err := lz4x.DecompressFrame(out, frame)
		if err != nil || !bytes.Equal(src, out[:n]) {
			t.Fatalf("DecompressFrame: %v, equal=%v", err, bytes.Equal(src, out[:n]))
		}
		alloc, err := lz4x.DecompressFrameAlloc(frame, int64(len(src)))
		if err != nil || !bytes.Equal(src, alloc) {
			t.Fatalf("DecompressFrameAlloc: %v, equal=%v", err, bytes.Equal(src, alloc))
		}
		// pierrec/lz4's frame reader, an independent decoder.
		if got, err := io.ReadAll(lz4.NewReader(bytes.NewReader(frame))); err != nil || !bytes.Equal(src, got) {
			t.Fatalf("pierrec's reader: %v, equal=%v", err, bytes.Equal(src, got))
		}
	})
}
