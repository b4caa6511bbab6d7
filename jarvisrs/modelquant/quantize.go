package modelquant

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"golang.org/x/sys/unix"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/mapping"
	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/safetensors"
)

// Stats is the summary Quantize returns; its JSON is the Python job's result.
type Stats struct {
	Scheme    string `json:"scheme"`
	Tensors   int    `json:"tensors"`   // tensors in the source
	Quantized int    `json:"quantized"` // of which quantized (or converted, for fp16)
	Copied    int    `json:"copied"`
	BytesIn   int64  `json:"bytes_in"`  // source file size
	BytesOut  int64  `json:"bytes_out"` // output file size
}

// Quantize reads the safetensors model src through a memory map and writes its quantization by
// scheme to dst atomically. Every floating tensor (F32, F16, BF16, F64) with two or more
// dimensions and at least one value is quantized ("int8" per-channel along axis 0, "int4" groups
// of 32, "fp16", "q8_0", "q4_0"; the GGUF schemes copy a tensor whose last axis is not a multiple
// of 32), scales go to F32 tensors named "<name>.scale", everything else is copied byte for byte.
// The output's __metadata__ holds the source's entries, then extraMeta's, then MetaFormat,
// MetaScheme and MetaTensors.
//
// progress, if not nil, receives (source data bytes done, source data bytes in all). A cancelled
// ctx stops it between chunks with ErrCancelled. Errors: ErrInvalid (bad scheme, already quantized
// source, colliding names, a NaN or infinity in a tensor being quantized, named with its flat
// index), the safetensors package's errors for a malformed source, os errors otherwise. dst is
// untouched on every error.
func Quantize(ctx context.Context, src, dst, scheme string, extraMeta map[string]string, progress func(done, total int64)) (Stats, error) {
	stats := Stats{Scheme: scheme}
	if err := CheckScheme(scheme); err != nil {
		return stats, err
	}
	if ctx.Err() != nil {
		return stats, ErrCancelled
	}
	m, err := mapping.Open(src)
	if err != nil {
		return stats, err
	}
	defer m.Close()
	data, err := m.Bytes()
	if err != nil {
		return stats, err
	}
	h, err := safetensors.ReadHeader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return stats, err
	}
	if h.Metadata[MetaFormat] != "" || h.Metadata[MetaScheme] != "" {
		return stats, invalidf("%s is already a quantized model (scheme %q); quantize the original", src, h.Metadata[MetaScheme])
	}
	plans, specs, records, err := planModel(h, scheme)
	if err != nil {
		return stats, err
	}
	meta, err := outputMetadata(h.Metadata, extraMeta, scheme, records)
	if err != nil {
		return stats, err
	}

	w, err := safetensors.Create(dst, specs, meta)
	if err != nil {
		return stats, err
	}
	defer w.Abort()

	total := int64(len(data)) - h.DataStart
	q := &modelQuantizer{ctx: ctx, data: data, w: w, scheme: scheme, total: total, progress: progress}
	_ = unix.Madvise(data, unix.MADV_SEQUENTIAL)
	for i := range plans {
		if err := q.tensor(&plans[i]); err != nil {
			return stats, err
		}
		if plans[i].rec.Method == methodCopy {
			stats.Copied++
		} else {
			stats.Quantized++
		}
	}
	q.release(len(data))
	if err := ctx.Err(); err != nil {
		return stats, ErrCancelled
	}
	if err := w.Commit(); err != nil {
		return stats, err
	}
	if progress != nil {
		progress(total, total)
	}
	stats.Tensors = len(plans)
	stats.BytesIn = int64(len(data))
	stats.BytesOut = w.Size()
	return stats, nil
}

// outputMetadata is the output's __metadata__: the source's entries, then extra's, then ours.
func outputMetadata(source, extra map[string]string, scheme string, records map[string]tensorRecord) (map[string]string, error) {
	meta := make(map[string]string, len(source)+len(extra)+3)
	for k, v := range source {
		meta[k] = v
	}
	for k, v := range extra {
		meta[k] = v
	}
	recJSON, err := json.Marshal(records)
	if err != nil {
		return nil, fmt.Errorf("modelquant: encoding the tensor records: %w", err)
	}
	meta[MetaFormat], meta[MetaScheme], meta[MetaTensors] = MetaFormatValue, scheme, string(recJSON)
	return meta, nil
}
