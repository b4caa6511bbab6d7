package jarvisrs

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/modelquant"
)

// QuantizeModelFileJob prepares a Job (started by Job.Run) that quantizes the .safetensors model
// src into dst by scheme ("int8" per-channel symmetric along axis 0, "int4" groups of 32, "fp16",
// "q8_0" or "q4_0"): every floating tensor (F32, F16, BF16, F64) with two or more dimensions and at
// least one value is quantized (GGUF schemes copy a tensor whose last axis is not a multiple of
// 32), scales go to F32 tensors named "<name>.scale", everything else is copied byte for byte, and
// __metadata__ keeps the source's entries and adds "jrx.format", "jrx.scheme" and "jrx.tensors" (a
// JSON object: per source tensor its dtype, shape, method and, for copies of floating tensors, the
// reason). The work is modelquant.Quantize.
//
// The source is read through a memory map whose pages are released as the job moves on, so peak
// memory is about the largest output tensor, not the model. dst is written atomically. Job.Total
// is the source's tensor data in bytes; Job.Result is {"scheme", "tensors", "quantized", "copied",
// "bytes_in", "bytes_out"}. A bad scheme or an unreadable src fails here; a malformed model, NaN or
// infinity in a tensor being quantized, or an already quantized model fails the job with a
// ValueError-coded error naming the tensor.
func QuantizeModelFileJob(src, dst, scheme string) (_ *Job, err error) {
	defer recoverPanic(&err)
	if err := modelQuantError(modelquant.CheckScheme(scheme)); err != nil {
		return nil, err
	}
	return fileJob(src, dst, tensorData, func(ctx context.Context, src, dst string, progress progressFunc) (string, error) {
		stats, err := modelquant.Quantize(ctx, src, dst, scheme, nil, progress)
		if err != nil {
			return "", modelQuantError(err)
		}
		return marshalResult(stats)
	})
}

// tensorData is QuantizeModelFileJob's total: the source's tensor data, which is what the job's
// progress counts, from the first poll on. A header that cannot be read fails the job itself, with
// its documented error; until then the total is the file's size.
func tensorData(src string, size int64) int64 {
	if data, err := modelquant.DataSize(src); err == nil {
		return data
	}
	return size
}

// modelQuantError codes modelquant's errors: cancellation is the job's errCancelled, the input's
// fault a ValueError, a malformed file as fileFormatError says, the rest an OSError.
func modelQuantError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, modelquant.ErrCancelled):
		return errCancelled
	case errors.Is(err, modelquant.ErrInvalid):
		return withCode(codeValue, err)
	default:
		return fileFormatError(err)
	}
}

// marshalResult renders a job result as JSON.
func marshalResult(v any) (string, error) {
	out, err := json.Marshal(v)
	if err != nil {
		return "", withCode(codeInternal, err)
	}
	return string(out), nil
}
