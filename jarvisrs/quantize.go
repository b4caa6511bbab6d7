package jarvisrs

import (
	"errors"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/quant"
)

// Lengths of Python's output buffers.
const int8ParamsLen = 4 // scale, zero point, min, max

// quantError codes quant errors: every one of them is a ValueError in Python.
func quantError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, quant.ErrNonFinite), errors.Is(err, quant.ErrShape), errors.Is(err, quant.ErrRange),
		errors.Is(err, quant.ErrKind):
		return withCode(codeValue, err)
	default:
		return err
	}
}

// checkFloat32In validates n float32 inputs at src.
func checkFloat32In(src uintptr, n int) error {
	if err := checkBuf(src, n, "input"); err != nil {
		return err
	}
	if !alignedTo(src, 4) {
		return valueErrorf("input: float32 data must be 4-byte aligned")
	}
	return nil
}

// QuantizeArrayInt8 applies the original extension's INT8 formula to the n float32 values at src,
// writing n int8 codes at dst and scale, zero point, min and max into the paramsLen (>= 4) float64s
// at params. Empty input gives zeros; constant input all -128 with scale and zero point 0.
func QuantizeArrayInt8(src uintptr, n int, dst uintptr, params uintptr, paramsLen int) (status int, err error) {
	defer recoverPanic(&err)
	if err := checkFloat32In(src, n); err != nil {
		return 0, err
	}
	if err := checkBuf(dst, n, "output"); err != nil {
		return 0, err
	}
	if err := checkFloatOut(params, paramsLen, int8ParamsLen); err != nil {
		return 0, err
	}
	p, err := quant.OriginalInt8(int8sAt(dst, n), float32sAt(src, n))
	if err != nil {
		return 0, quantError(err)
	}
	out := float64sAt(params, paramsLen)
	out[0], out[1], out[2], out[3] = float64(p.Scale), float64(p.ZeroPoint), float64(p.Min), float64(p.Max)
	return 0, nil
}

// QuantizeArrayFP16 converts the n float32 values at src into IEEE half precision at dst
// (dstBytes = 2n bytes, 2-byte aligned), rounding to nearest even, exactly as numpy does.
func QuantizeArrayFP16(src uintptr, n int, dst uintptr, dstBytes int) (status int, err error) {
	defer recoverPanic(&err)
	if err := checkFloat32In(src, n); err != nil {
		return 0, err
	}
	if err := checkBuf(dst, dstBytes, "output"); err != nil {
		return 0, err
	}
	if dstBytes != 2*n || !alignedTo(dst, 2) {
		return 0, valueErrorf("output must be %d bytes, 2-byte aligned", 2*n)
	}
	return 0, quantError(quant.FP16(uint16sAt(dst, n), float32sAt(src, n)))
}

// QuantizeInt8Symmetric quantizes the n float32 values at src, viewed as [outer][channels][inner],
// with one scale per channel (max|x| / 127): n int8 codes at dst, channels float32 scales at scales.
func QuantizeInt8Symmetric(src uintptr, n int, dst uintptr, scales uintptr, outer, channels, inner int) (status int, err error) {
	defer recoverPanic(&err)
	if err := checkLayout(src, n, dst, scales, outer, channels, inner); err != nil {
		return 0, err
	}
	return 0, quantError(quant.SymmetricInt8(int8sAt(dst, n), float32sAt(scales, channels), float32sAt(src, n), outer, channels, inner))
}

// QuantizeInt8Asymmetric is QuantizeInt8Symmetric with an int8 zero point per channel at zeroPoints
// ((max - min) / 255 scales, codes -128..127).
func QuantizeInt8Asymmetric(src uintptr, n int, dst uintptr, scales uintptr, zeroPoints uintptr, outer, channels, inner int) (status int, err error) {
	defer recoverPanic(&err)
	if err := checkLayout(src, n, dst, scales, outer, channels, inner); err != nil {
		return 0, err
	}
	if err := checkBuf(zeroPoints, channels, "zero points"); err != nil {
		return 0, err
	}
	return 0, quantError(quant.AsymmetricInt8(int8sAt(dst, n), float32sAt(scales, channels), int8sAt(zeroPoints, channels),
		float32sAt(src, n), outer, channels, inner))
}

// checkLayout validates the buffers of a per-channel quantization of n values.
func checkLayout(src uintptr, n int, dst uintptr, scales uintptr, outer, channels, inner int) error {
	if err := checkFloat32In(src, n); err != nil {
		return err
	}
	if err := checkBuf(dst, n, "output"); err != nil {
		return err
	}
	if outer < 0 || channels < 0 || inner < 0 {
		return valueErrorf("negative dimension in layout %d x %d x %d", outer, channels, inner)
	}
	if err := checkBuf(scales, channels, "scales"); err != nil {
		return err
	}
	if !alignedTo(scales, 4) {
		return valueErrorf("scales must be 4-byte aligned")
	}
	return nil
}

// QuantizeInt4 quantizes the n float32 values at src in groups of groupSize into packed nibbles
// at dst (dstLen = (n+1)/2 bytes) and groups float32 scales at scales.
func QuantizeInt4(src uintptr, n int, dst uintptr, dstLen int, scales uintptr, groups int, groupSize int) (status int, err error) {
	defer recoverPanic(&err)
	if err := checkFloat32In(src, n); err != nil {
		return 0, err
	}
	if err := checkBuf(dst, dstLen, "output"); err != nil {
		return 0, err
	}
	if err := checkBuf(scales, groups, "scales"); err != nil {
		return 0, err
	}
	return 0, quantError(quant.Int4(bytesAt(dst, dstLen), float32sAt(scales, groups), float32sAt(src, n), groupSize))
}

// PackInt4 packs the n int8 codes (-8..7) at codes into (n+1)/2 bytes at dst (dstLen bytes).
func PackInt4(codes uintptr, n int, dst uintptr, dstLen int) (status int, err error) {
	defer recoverPanic(&err)
	if err := checkBuf(codes, n, "codes"); err != nil {
		return 0, err
	}
	if err := checkBuf(dst, dstLen, "output"); err != nil {
		return 0, err
	}
	return 0, quantError(quant.PackInt4(bytesAt(dst, dstLen), int8sAt(codes, n)))
}

// UnpackInt4 unpacks count codes from the packedLen bytes at packed into count int8s at dst.
func UnpackInt4(packed uintptr, packedLen int, dst uintptr, count int) (status int, err error) {
	defer recoverPanic(&err)
	if err := checkBuf(packed, packedLen, "packed"); err != nil {
		return 0, err
	}
	if err := checkBuf(dst, count, "output"); err != nil {
		return 0, err
	}
	return 0, quantError(quant.UnpackInt4(int8sAt(dst, count), bytesAt(packed, packedLen)))
}

// DequantizeInt8 reconstructs n float32 values at dst from the n int8 codes at codes, laid out
// [outer][channels][inner], with channels float32 scales and, unless zeroPoints is 0, channels
// int8 zero points.
func DequantizeInt8(codes uintptr, n int, scales uintptr, zeroPoints uintptr, outer, channels, inner int, dst uintptr) (status int, err error) {
	defer recoverPanic(&err)
	if err := checkBuf(codes, n, "codes"); err != nil {
		return 0, err
	}
	if err := checkFloat32In(scales, channels); err != nil {
		return 0, err
	}
	if err := checkBuf(dst, n, "output"); err != nil {
		return 0, err
	}
	var zps []int8
	if zeroPoints != 0 {
		zps = int8sAt(zeroPoints, channels)
	}
	return 0, quantError(quant.DequantizeInt8(float32sAt(dst, n), int8sAt(codes, n), float32sAt(scales, channels), zps, outer, channels, inner))
}

// DequantizeInt4 reconstructs count float32 values at dst from packedLen packed bytes and groups
// float32 scales (groupSize elements each).
func DequantizeInt4(packed uintptr, packedLen int, scales uintptr, groups int, groupSize int, dst uintptr, count int) (status int, err error) {
	defer recoverPanic(&err)
	if err := checkBuf(packed, packedLen, "packed"); err != nil {
		return 0, err
	}
	if err := checkFloat32In(scales, groups); err != nil {
		return 0, err
	}
	if err := checkBuf(dst, count, "output"); err != nil {
		return 0, err
	}
	if count > 2*packedLen {
		return 0, valueErrorf("%d packed bytes cannot hold %d codes", packedLen, count)
	}
	return 0, quantError(quant.DequantizeInt4(float32sAt(dst, count), bytesAt(packed, packedLen)[:(count+1)/2], float32sAt(scales, groups), groupSize))
}

// GGUFSize is the number of bytes kind ("Q8_0" or "Q4_0") needs for n values in rows of rowLen.
func GGUFSize(n int, rowLen int, kind string) (size int, err error) {
	defer recoverPanic(&err)
	k, err := quant.ParseGGUFKind(kind)
	if err != nil {
		return 0, quantError(err)
	}
	size, err = k.BytesFor(n)
	return size, quantError(err)
}

// QuantizeGGUF writes the llama.cpp blocks (kind "Q8_0" or "Q4_0") of the n float32 values at src,
// in rows of rowLen, into the dstLen bytes at dst (GGUFSize of them).
func QuantizeGGUF(src uintptr, n int, rowLen int, kind string, dst uintptr, dstLen int) (status int, err error) {
	defer recoverPanic(&err)
	k, err := quant.ParseGGUFKind(kind)
	if err != nil {
		return 0, quantError(err)
	}
	if err := checkFloat32In(src, n); err != nil {
		return 0, err
	}
	if err := checkBuf(dst, dstLen, "output"); err != nil {
		return 0, err
	}
	return 0, quantError(quant.QuantizeGGUF(bytesAt(dst, dstLen), float32sAt(src, n), rowLen, k))
}

// DequantizeGGUF decodes the srcLen bytes of kind blocks at src into count float32 values at dst,
// in rows of rowLen. srcLen must be exactly what count values need.
func DequantizeGGUF(src uintptr, srcLen int, rowLen int, kind string, dst uintptr, count int) (status int, err error) {
	defer recoverPanic(&err)
	k, err := quant.ParseGGUFKind(kind)
	if err != nil {
		return 0, quantError(err)
	}
	if err := checkBuf(src, srcLen, "data"); err != nil {
		return 0, err
	}
	if err := checkBuf(dst, count, "output"); err != nil {
		return 0, err
	}
	want, err := k.BytesFor(count)
	if err != nil {
		return 0, quantError(err)
	}
	if want != srcLen {
		return 0, valueErrorf("%s data for %d values must be %d bytes, got %d", kind, count, want, srcLen)
	}
	return 0, quantError(quant.DequantizeGGUF(float32sAt(dst, count), bytesAt(src, srcLen), rowLen, k))
}
