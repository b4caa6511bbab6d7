package lz4x

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"runtime"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/atomicfile"
)

// fileMemoryBudget caps the block buffers CompressFile and DecompressFile hold at once, keeping
// them well under 64 MiB for any file size and core count.
const fileMemoryBudget = 40 << 20

// filePerm is the mode of files written by CompressFile and DecompressFile.
const filePerm = 0o644

// fileIOBuffer is the size of the buffered reader and writer around files.
const fileIOBuffer = 256 << 10

// fileSlots returns how many block buffers of slotBytes to keep in flight: two per core so
// reading, compressing and writing overlap, within fileMemoryBudget.
func fileSlots(slotBytes int) int {
	return max(2, min(2*runtime.GOMAXPROCS(0), fileMemoryBudget/slotBytes))
}

// countingWriter counts the bytes that reach w.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// CompressFile compresses the file src into an LZ4 frame at dst and returns the number of bytes
// written to dst. The frame is the one CompressFrame makes (independent 1 MiB blocks, content
// checksum, level 0..12 with liblz4's meaning) and carries the content size when src is a
// regular file; lz4 -d and python-lz4 read it.
//
// The file is streamed: memory stays under 64 MiB whatever its size, and blocks are compressed
// on up to GOMAXPROCS goroutines. dst is replaced atomically: output goes to a temporary file in
// dst's directory that is synced and renamed over dst only on success, and removed on any error,
// so dst is never seen half-written; dst gets mode 0644. progress, if not nil, is called on the
// calling goroutine with (bytes of src read, size of src; 0 when unknown, as for a pipe) each
// time 64 MiB more have been read or 100 ms have passed, and once at the end.
//
// Errors: ErrBadLevel; ErrSourceChanged when src changes size while read; file errors wrapping
// the *os.PathError, so errors.Is(err, fs.ErrNotExist) works. Safe for concurrent use with
// distinct dst paths.
func CompressFile(src, dst string, level int, progress func(done, total int64)) (written int64, err error) {
	return CompressFileContext(context.Background(), src, dst, level, progress)
}

// CompressFileContext is CompressFile that stops when ctx is done: it checks ctx before reading each
// block, and then returns ctx's error (wrapped) with dst left as it was.
func CompressFileContext(ctx context.Context, src, dst string, level int, progress func(done, total int64)) (written int64, err error) {
	c, err := frameLevel(level)
	if err != nil {
		return 0, err
	}
	in, err := os.Open(src)
	if err != nil {
		return 0, fmt.Errorf("lz4x: %w", err)
	}
	defer in.Close()
	info, err := in.Stat()
	if err != nil {
		return 0, fmt.Errorf("lz4x: %w", err)
	}
	size := int64(-1)
	if info.Mode().IsRegular() {
		size = info.Size()
	}
	out, err := atomicfile.Create(dst, filePerm)
	if err != nil {
		return 0, fmt.Errorf("lz4x: %w", err)
	}
	defer out.Abort()
	bw := bufio.NewWriterSize(out, fileIOBuffer)
	w := &countingWriter{w: bw}

	var hdr [maxFrameHeaderLen]byte
	if _, err := w.Write(hdr[:putFrameHeader(hdr[:], frameBlockIndex, size)]); err != nil {
		return 0, fmt.Errorf("lz4x: %w", err)
	}

	type slot struct {
		in, out []byte
		n, m    int
	}
	// A small file needs no full-size block buffers; if it grows meanwhile, reading more just
	// takes more (smaller) blocks, and the size check below reports the change.
	bufSize := frameBlockSize
	if size >= 0 {
		bufSize = int(min(int64(frameBlockSize), max(size, 1)))
	}
	slots := make([]slot, fileSlots(2*frameBlockSize))
	meter := newProgressMeter(progress, max(size, 0))
	h := newXXH32()
	var read int64
	var word [4]byte
	err = runPipeline(len(slots), runtime.GOMAXPROCS(0),
		func(i int) (bool, error) {
			s := &slots[i]
			if err := ctx.Err(); err != nil {
				return false, fmt.Errorf("lz4x: %w", err)
			}
			if s.in == nil {
				s.in = make([]byte, bufSize)
				s.out = make([]byte, bufSize)
			}
			n, err := io.ReadFull(in, s.in)
			read += int64(n)
			switch err {
			case nil, io.ErrUnexpectedEOF:
			case io.EOF:
				return false, nil
			default:
				return false, fmt.Errorf("lz4x: %w", err)
			}
			s.n = n
			meter.update(read)
			return true, nil
		},
		func(i int) {
			s := &slots[i]
			s.m = 0
			if s.n >= 2 {
				s.m = compressSequences(s.out[:s.n-1], s.in[:s.n], c)
			}
		},
		func(i int) error {
			s := &slots[i]
			h.Write(s.in[:s.n])
			data := s.out[:s.m]
			binary.LittleEndian.PutUint32(word[:], uint32(s.m))
			if s.m == 0 {
				data = s.in[:s.n]
				binary.LittleEndian.PutUint32(word[:], uint32(s.n)|storedBit)
			}
			if _, err := w.Write(word[:]); err != nil {
				return fmt.Errorf("lz4x: %w", err)
			}
			if _, err := w.Write(data); err != nil {
				return fmt.Errorf("lz4x: %w", err)
			}
			return nil
		})
	if err != nil {
		return 0, err
	}
	if size >= 0 && read != size {
		return 0, fmt.Errorf("lz4x: %s was %d bytes when opened, %d when read: %w", src, size, read, ErrSourceChanged)
	}
	var trailer [ourTrailerLen]byte
	binary.LittleEndian.PutUint32(trailer[4:], h.Sum32())
	if _, err := w.Write(trailer[:]); err != nil {
		return 0, fmt.Errorf("lz4x: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return 0, fmt.Errorf("lz4x: %w", err)
	}
	if err := out.Commit(); err != nil {
		return 0, fmt.Errorf("lz4x: %w", err)
	}
	meter.finish(read)
	return w.n, nil
}
