package jarvisrs

import (
	"errors"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/lz4x"
)

// hcLevel is the original extension's block compression level (liblz4's LZ4HC_CLEVEL_MAX).
const hcLevel = 12

// lz4Error codes an lz4x error for the facade: corrupt data and impossible sizes get their own
// codes so each call can raise its documented type.
func lz4Error(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, lz4x.ErrTooLarge):
		return withCode(codeTooLarge, err)
	case errors.Is(err, lz4x.ErrCorrupt), errors.Is(err, lz4x.ErrNotLZ4Frame), errors.Is(err, lz4x.ErrUnsupported),
		errors.Is(err, lz4x.ErrShortBuffer):
		return withCode(codeCorrupt, err)
	case errors.Is(err, lz4x.ErrBadLevel):
		return withCode(codeValue, err)
	case errors.Is(err, lz4x.ErrSourceChanged):
		return withCode(codeOS, err)
	default:
		return osError(err)
	}
}

// CompressBlockBound is the largest raw LZ4 block that n input bytes can produce.
func CompressBlockBound(n int) int { return lz4x.CompressBlockBound(n) }

// CompressBlockHC writes the raw LZ4 block (high compression, level 12) of the n bytes at src into
// the dstCap bytes at dst and returns the block's length. dstCap must be at least
// CompressBlockBound(n). Both buffers are Python's, used during the call only.
func CompressBlockHC(src uintptr, n int, dst uintptr, dstCap int) (written int, err error) {
	defer recoverPanic(&err)
	if err := checkBuf(src, n, "data"); err != nil {
		return 0, err
	}
	if err := checkBuf(dst, dstCap, "output"); err != nil {
		return 0, err
	}
	written, err = lz4x.CompressBlockHC(bytesAt(dst, dstCap), bytesAt(src, n), hcLevel)
	return written, lz4Error(err)
}

// CheckBlockSize rejects a claimed decompressed size that n compressed bytes cannot produce,
// before the caller allocates it.
func CheckBlockSize(claimed int64, n int) (status int, err error) {
	defer recoverPanic(&err)
	if claimed < 0 {
		return 0, valueErrorf("uncompressed_size must not be negative (got %d)", claimed)
	}
	return 0, lz4Error(lz4x.CheckClaimedSize(claimed, n))
}

// BlockSizePrefix reads python-lz4's 4-byte little-endian size prefix of the n bytes at src,
// checks it against what the rest can produce, and returns it.
func BlockSizePrefix(src uintptr, n int) (size int, err error) {
	defer recoverPanic(&err)
	if err := checkBuf(src, n, "data"); err != nil {
		return 0, err
	}
	size, payload, err := lz4x.ReadSizePrefix(bytesAt(src, n))
	if err != nil {
		return 0, lz4Error(err)
	}
	if err := lz4x.CheckClaimedSize(int64(size), len(payload)); err != nil {
		return 0, lz4Error(err)
	}
	return size, nil
}

// DecompressBlock decodes the raw LZ4 block of n bytes at src (after skipping the first skip bytes,
// 4 for a size prefix) into the dstCap bytes at dst, a capacity bound, and returns the decoded
// length.
func DecompressBlock(src uintptr, n int, skip int, dst uintptr, dstCap int) (written int, err error) {
	defer recoverPanic(&err)
	if err := checkBuf(src, n, "data"); err != nil {
		return 0, err
	}
	if err := checkBuf(dst, dstCap, "output"); err != nil {
		return 0, err
	}
	if skip < 0 || skip > n {
		return 0, valueErrorf("invalid prefix length %d for %d bytes", skip, n)
	}
	written, err = lz4x.DecompressBlock(bytesAt(dst, dstCap), bytesAt(src, n)[skip:])
	return written, lz4Error(err)
}
