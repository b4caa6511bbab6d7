package jarvisrs

import (
	"errors"
	"fmt"
	"os"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/cache"
	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/lz4x"
	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/memstat"
)

// Expansion bounds used when an output's size is not written in its header: deflate cannot expand
// more than 1032:1 and LZ4 about 255:1, so more output than this means the input is hostile.
const (
	gzipMaxRatio = 1032
	lz4MaxRatio  = 256
	slackBytes   = 1 << 16
)

// RustModelLoader is the Go half of the Python RustModelLoader: LZ4 frame compression at a fixed
// level and the on-disk cache of compressed models. Safe for concurrent use.
type RustModelLoader struct {
	dir   *cache.Dir
	level int
}

// NewRustModelLoader opens (creating it mode 0700) the cache directory cacheDir and validates the
// LZ4 level, 0 (fastest) to 12 (smallest). A symlinked cache directory or one owned by another
// user is refused.
func NewRustModelLoader(cacheDir string, compressionLevel int) (_ *RustModelLoader, err error) {
	defer recoverPanic(&err)
	if compressionLevel < 0 || compressionLevel > 12 {
		return nil, valueErrorf("compression_level must be between 0 and 12, got %d", compressionLevel)
	}
	cacheDir, err = decodePath(cacheDir)
	if err != nil {
		return nil, err
	}
	if cacheDir == "" {
		return nil, valueErrorf("cache_dir must not be empty")
	}
	dir, err := cache.Open(cacheDir)
	if err != nil {
		return nil, cacheError(err)
	}
	return &RustModelLoader{dir: dir, level: compressionLevel}, nil
}

// cacheError codes cache failures: an unsafe directory is an OSError with a clear message.
func cacheError(err error) error {
	if errors.Is(err, cache.ErrUnsafeDir) {
		return withCode(codeOS, err)
	}
	return osError(err)
}

// CompressionLevel is the LZ4 level used by Compress and the cache.
func (l *RustModelLoader) CompressionLevel() int { return l.level }

// CompressBound is the largest LZ4 frame Compress can produce from n bytes.
func (l *RustModelLoader) CompressBound(n int) int { return lz4x.CompressFrameBound(n) }

// Compress writes an LZ4 frame (content checksum, content size, independent blocks) of the n bytes
// at src into the dstCap bytes at dst and returns its length; dstCap >= CompressBound(n). A large
// output gets huge pages while memory is plentiful (adviseHugeOutput).
func (l *RustModelLoader) Compress(src uintptr, n int, dst uintptr, dstCap int) (written int, err error) {
	defer recoverPanic(&err)
	if err := checkBuf(src, n, "data"); err != nil {
		return 0, err
	}
	if err := checkBuf(dst, dstCap, "output"); err != nil {
		return 0, err
	}
	out := bytesAt(dst, dstCap)
	adviseHugeOutput(out)
	written, err = lz4x.CompressFrame(out, bytesAt(src, n), l.level)
	return written, lz4Error(err)
}

// FrameContentSize returns the decompressed size recorded in the header of the LZ4 frame of n
// bytes at src, or -1 when the frame does not record it or the data is gzip (use DecompressToBlob).
// Data that is neither raises the corrupt code. The size is checked against what n bytes can
// produce, so the caller may allocate it.
func FrameContentSize(src uintptr, n int) (size int64, err error) {
	defer recoverPanic(&err)
	if err := checkBuf(src, n, "data"); err != nil {
		return 0, err
	}
	data := bytesAt(src, n)
	if lz4x.IsGzip(data) {
		return -1, nil
	}
	size, known, err := lz4x.FrameContentSize(data)
	if err != nil {
		return 0, lz4Error(err)
	}
	if !known {
		return -1, nil
	}
	if err := lz4x.CheckClaimedSize(size, n); err != nil {
		return 0, lz4Error(err)
	}
	return size, nil
}

// DecompressFrame decodes the LZ4 frame of n bytes at src into exactly dstCap bytes at dst (its
// content size, from FrameContentSize), verifying the checksum, and returns the length written.
// A large output gets huge pages while memory is plentiful (adviseHugeOutput).
func DecompressFrame(src uintptr, n int, dst uintptr, dstCap int) (written int, err error) {
	defer recoverPanic(&err)
	if err := checkBuf(src, n, "data"); err != nil {
		return 0, err
	}
	if err := checkBuf(dst, dstCap, "output"); err != nil {
		return 0, err
	}
	out := bytesAt(dst, dstCap)
	adviseHugeOutput(out)
	written, err = lz4x.DecompressFrame(out, bytesAt(src, n))
	return written, lz4Error(err)
}

// DecompressToBlob decodes an LZ4 frame without a recorded size, or a gzip stream (what the
// original extension wrote into its cache), into Go memory bounded by what n bytes can expand to.
func DecompressToBlob(src uintptr, n int) (_ *Blob, err error) {
	defer recoverPanic(&err)
	if err := checkBuf(src, n, "data"); err != nil {
		return nil, err
	}
	data := bytesAt(src, n)
	var out []byte
	if lz4x.IsGzip(data) {
		out, err = lz4x.DecompressGzip(data, int64(n)*gzipMaxRatio+slackBytes)
	} else {
		out, err = lz4x.DecompressFrameAlloc(data, int64(n)*lz4MaxRatio+slackBytes)
	}
	if err != nil {
		return nil, lz4Error(err)
	}
	return &Blob{data: out}, nil
}

// LoadQuantizedModel returns the file at path: its bytes when compress is false, otherwise its LZ4
// frame, served from the cache when the entry matches the file's current size and modification
// time and is intact, else rebuilt and stored atomically.
func (l *RustModelLoader) LoadQuantizedModel(path string, compress bool) (_ *Blob, err error) {
	defer recoverPanic(&err)
	if path, err = decodePath(path); err != nil {
		return nil, err
	}
	src, err := cache.Stat(path)
	if err != nil {
		return nil, osError(err)
	}
	if !compress {
		data, err := os.ReadFile(src.RealPath)
		if err != nil {
			return nil, osError(err)
		}
		return &Blob{data: data}, nil
	}
	entry := l.dir.EntryPath(src, fmt.Sprintf("lz4-frame-l%d", l.level), ".lz4c")
	payload, err := cache.ReadEntry(entry, src)
	if err == nil {
		return &Blob{data: payload}, nil
	}
	if !cache.NeedsRebuild(err) {
		return nil, cacheError(err)
	}
	data, err := os.ReadFile(src.RealPath)
	if err != nil {
		return nil, osError(err)
	}
	frame := make([]byte, lz4x.CompressFrameBound(len(data)))
	written, err := lz4x.CompressFrame(frame, data, l.level)
	if err != nil {
		return nil, lz4Error(err)
	}
	frame = frame[:written]
	if err := cache.WriteEntry(entry, src, frame); err != nil {
		return nil, cacheError(err)
	}
	return &Blob{data: frame}, nil
}

// ClearCache removes every cache entry and recreates the directory.
func (l *RustModelLoader) ClearCache() (status int, err error) {
	defer recoverPanic(&err)
	return 0, cacheError(l.dir.Clear())
}

// adviseHugeOutput asks for huge pages for a large fresh output buffer (lz4x.AdviseFrameOutput)
// only while the memory the process lives under is plentiful (lz4x.HugePagesAffordable): one
// reading of it (a few microseconds) against milliseconds of compression.
func adviseHugeOutput(out []byte) {
	if len(out) < lz4x.HugeOutputMin {
		return // no huge pages asked for: spare the reading
	}
	if m, err := memstat.SystemMemory(); err == nil && lz4x.HugePagesAffordable(len(out), m.AvailableBytes, m.TotalBytes) {
		lz4x.AdviseFrameOutput(out)
	}
}
