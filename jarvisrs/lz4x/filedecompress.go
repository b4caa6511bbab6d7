package lz4x

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/atomicfile"
)

// DecompressFile decodes the LZ4 frames in the file src into the file dst and returns the number
// of bytes written. It reads what DecompressFrame reads (concatenated and skippable frames, any
// block size, linked or independent blocks, with or without checksums or content size) and
// verifies every checksum and declared size before dst appears.
//
// The file is streamed: memory stays under 64 MiB whatever its size, and independent blocks are
// decoded on up to GOMAXPROCS goroutines. dst is replaced atomically, as by CompressFile (mode
// 0644), and is left untouched on any error. progress, if not nil, is called on the calling
// goroutine with (compressed bytes of src read, size of src) each time 64 MiB more have been
// read or 100 ms have passed, and once at the end.
//
// Errors: ErrNotLZ4Frame (checked before dst is touched), ErrCorrupt, ErrUnsupported, and file
// errors wrapping the *os.PathError. Safe for concurrent use with distinct dst paths.
func DecompressFile(src, dst string, progress func(done, total int64)) (written int64, err error) {
	return DecompressFileContext(context.Background(), src, dst, progress)
}

// DecompressFileContext is DecompressFile that stops when ctx is done: it checks ctx before reading
// each block, and then returns ctx's error (wrapped) with dst left as it was.
func DecompressFileContext(ctx context.Context, src, dst string, progress func(done, total int64)) (written int64, err error) {
	in, err := os.Open(src)
	if err != nil {
		return 0, fmt.Errorf("lz4x: %w", err)
	}
	defer in.Close()
	info, err := in.Stat()
	if err != nil {
		return 0, fmt.Errorf("lz4x: %w", err)
	}
	cr := &countingReader{r: in}
	fr := &streamFrames{r: bufio.NewReaderSize(cr, fileIOBuffer)}
	if err := fr.checkMagic(); err != nil {
		return 0, err
	}
	out, err := atomicfile.Create(dst, filePerm)
	if err != nil {
		return 0, fmt.Errorf("lz4x: %w", err)
	}
	defer out.Abort()
	bw := bufio.NewWriterSize(out, fileIOBuffer)
	w := &countingWriter{w: bw}
	meter := newProgressMeter(progress, info.Size())
	sink := streamSink{w: w}
	slots := make([]streamBlock, fileSlots(2*blockMaxSizes[7]))
	err = runPipeline(len(slots), runtime.GOMAXPROCS(0),
		func(i int) (bool, error) {
			if err := ctx.Err(); err != nil {
				return false, fmt.Errorf("lz4x: %w", err)
			}
			more, err := fr.next(&slots[i])
			meter.update(cr.n)
			return more, err
		},
		func(i int) { slots[i].decode() },
		func(i int) error { return sink.drain(&slots[i]) })
	if err != nil {
		return 0, err
	}
	if err := bw.Flush(); err != nil {
		return 0, fmt.Errorf("lz4x: %w", err)
	}
	if err := out.Commit(); err != nil {
		return 0, fmt.Errorf("lz4x: %w", err)
	}
	meter.finish(cr.n)
	return w.n, nil
}

// countingReader counts the bytes read from r.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// streamBlock is one unit of a streamed frame: a data block, or the end of a frame.
type streamBlock struct {
	hdr      *frameHeader
	frameEnd bool   // true: the end mark; sum is the content checksum
	stored   bool   // data block stored verbatim
	sum      uint32 // block or content checksum, per the frame's flags
	in       []byte // block data as read
	out      []byte // room for a compressed block's history and output
	data     []byte // the decoded output, within out
	decoded  bool
	err      error
}

// decode verifies the block checksum and decodes independent blocks; blocks of linked frames
// need their predecessors and are decoded in order by streamSink.
func (b *streamBlock) decode() {
	b.err, b.decoded = nil, false
	if b.frameEnd {
		return
	}
	if b.hdr.blockChecksum() {
		if got := xxh32Sum(b.in); got != b.sum {
			b.err = fmt.Errorf("lz4x: block checksum %#08x, frame says %#08x: %w", got, b.sum, ErrCorrupt)
			return
		}
	}
	if b.stored || !b.hdr.independent() {
		return
	}
	b.data, b.err = b.uncompress(nil)
	b.decoded = true
}

// uncompress decodes the block into b.out and returns the decoded bytes. history is the output
// that a linked block's matches may reach back into (nil for independent blocks); it is copied
// in front of the block, since the decoder needs it contiguous with the output.
func (b *streamBlock) uncompress(history []byte) ([]byte, error) {
	if need := linkedWindow + b.hdr.blockMax; cap(b.out) < need {
		b.out = make([]byte, need)
	}
	start := linkedWindow - len(history)
	copy(b.out[start:], history)
	out := b.out[start : linkedWindow+b.hdr.blockMax]
	end := decodeBlock(out, len(history), b.in)
	if end < 0 {
		return nil, fmt.Errorf("lz4x: block does not decode: %w", ErrCorrupt)
	}
	return out[len(history):end], nil
}

// streamFrames parses frames from a stream, one block at a time.
type streamFrames struct {
	r      *bufio.Reader
	cur    *frameHeader // frame being read; nil between frames
	frames int
	buf    [maxFrameHeaderLen]byte
}

// checkMagic fails unless the stream starts like LZ4 frame data.
func (s *streamFrames) checkMagic() error {
	b, err := s.r.Peek(4)
	if err != nil {
		return fmt.Errorf("lz4x: %d-byte input: %w", len(b), ErrNotLZ4Frame)
	}
	switch magic := binary.LittleEndian.Uint32(b); {
	case magic == frameMagic, magic&skippableMask == skippableMagic:
		return nil
	case magic == legacyMagic:
		return fmt.Errorf("lz4x: legacy LZ4 frame (lz4 -l): %w", ErrUnsupported)
	default:
		return fmt.Errorf("lz4x: magic %#08x: %w", magic, ErrNotLZ4Frame)
	}
}

// truncated turns the end of input inside a frame into corruption; other errors pass through.
func truncated(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("lz4x: input ends inside a frame: %w", ErrCorrupt)
	}
	return fmt.Errorf("lz4x: %w", err)
}

func (s *streamFrames) readUint32() (uint32, error) {
	if _, err := io.ReadFull(s.r, s.buf[:4]); err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint32(s.buf[:4]), nil
}

// next loads the next data block or frame end into b. It returns false at the clean end of the
// input, which is only allowed between frames.
func (s *streamFrames) next(b *streamBlock) (bool, error) {
	for s.cur == nil {
		magic, err := s.readUint32()
		if err == io.EOF {
			return false, nil
		}
		if err != nil {
			return false, truncated(err)
		}
		switch {
		case magic == frameMagic:
			if err := s.readHeader(); err != nil {
				return false, err
			}
		case magic&skippableMask == skippableMagic:
			n, err := s.readUint32()
			if err != nil {
				return false, truncated(err)
			}
			if _, err := io.CopyN(io.Discard, s.r, int64(n)); err != nil {
				return false, truncated(err)
			}
		case magic == legacyMagic:
			return false, fmt.Errorf("lz4x: legacy LZ4 frame (lz4 -l): %w", ErrUnsupported)
		default:
			return false, fmt.Errorf("lz4x: data after frame %d is not a frame (magic %#08x): %w", s.frames, magic, ErrCorrupt)
		}
	}
	h := s.cur
	*b = streamBlock{hdr: h, in: b.in[:0], out: b.out}
	word, err := s.readUint32()
	if err != nil {
		return false, truncated(err)
	}
	if word == 0 {
		b.frameEnd = true
		if h.contentChecksum() {
			if b.sum, err = s.readUint32(); err != nil {
				return false, truncated(err)
			}
		}
		s.cur = nil
		s.frames++
		return true, nil
	}
	n := int(word &^ storedBit)
	if n > h.blockMax {
		return false, fmt.Errorf("lz4x: block of %d bytes exceeds the frame's %d-byte blocks: %w", n, h.blockMax, ErrCorrupt)
	}
	b.stored = word&storedBit != 0
	if cap(b.in) < n {
		b.in = make([]byte, h.blockMax)
	}
	b.in = b.in[:n]
	if _, err := io.ReadFull(s.r, b.in); err != nil {
		return false, truncated(err)
	}
	if h.blockChecksum() {
		if b.sum, err = s.readUint32(); err != nil {
			return false, truncated(err)
		}
	}
	return true, nil
}

// readHeader reads the descriptor that follows a frame magic.
func (s *streamFrames) readHeader() error {
	binary.LittleEndian.PutUint32(s.buf[:], frameMagic)
	if _, err := io.ReadFull(s.r, s.buf[4:6]); err != nil {
		return truncated(err)
	}
	n := headerLenFor(s.buf[4])
	if _, err := io.ReadFull(s.r, s.buf[6:n]); err != nil {
		return truncated(err)
	}
	h, err := parseFrameHeader(s.buf[:n])
	if err != nil {
		return fmt.Errorf("lz4x: frame %d: %w", s.frames, err)
	}
	s.cur = &h
	return nil
}

// streamSink writes decoded blocks in order, decoding linked blocks itself, and checks each
// frame's size and checksum at its end.
type streamSink struct {
	w      io.Writer
	h      xxh32
	inited bool
	size   uint64 // bytes of the current frame so far
	window []byte // last 64 KiB of a linked frame's output
	frames int
}

func (k *streamSink) drain(b *streamBlock) error {
	if b.err != nil {
		return b.err
	}
	if !k.inited {
		k.h, k.size, k.window, k.inited = newXXH32(), 0, k.window[:0], true
	}
	h := b.hdr
	if b.frameEnd {
		k.inited = false
		k.frames++
		if h.hasSize() && k.size != h.contentSize {
			return fmt.Errorf("lz4x: frame %d decoded to %d bytes, header declares %d: %w", k.frames-1, k.size, h.contentSize, ErrCorrupt)
		}
		if h.contentChecksum() && k.h.Sum32() != b.sum {
			return fmt.Errorf("lz4x: frame %d content checksum %#08x, frame says %#08x: %w", k.frames-1, k.h.Sum32(), b.sum, ErrCorrupt)
		}
		return nil
	}
	var data []byte
	switch {
	case b.stored:
		data = b.in
	case b.decoded:
		data = b.data
	default:
		var err error
		if data, err = b.uncompress(k.window); err != nil {
			return err
		}
	}
	if !h.independent() {
		k.remember(data)
	}
	if h.contentChecksum() {
		k.h.Write(data)
	}
	k.size += uint64(len(data))
	if h.hasSize() && k.size > h.contentSize {
		return fmt.Errorf("lz4x: frame %d decodes past its declared %d bytes: %w", k.frames, h.contentSize, ErrCorrupt)
	}
	if _, err := k.w.Write(data); err != nil {
		return fmt.Errorf("lz4x: %w", err)
	}
	return nil
}

// remember keeps the last linkedWindow bytes of output for the next linked block.
func (k *streamSink) remember(data []byte) {
	if len(data) >= linkedWindow {
		k.window = append(k.window[:0], data[len(data)-linkedWindow:]...)
		return
	}
	if keep := linkedWindow - len(data); len(k.window) > keep {
		k.window = append(k.window[:0], k.window[len(k.window)-keep:]...)
	}
	k.window = append(k.window, data...)
}
