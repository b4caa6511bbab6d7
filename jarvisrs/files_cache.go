package jarvisrs

import (
	"context"
	"os"
	"strconv"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/cache"
	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/modelquant"
	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/safetensors"
)

// Keys of a cached quantized model's __metadata__ naming the source version it was built from.
const (
	metaSourcePath  = "jrx.source.path"
	metaSourceSize  = "jrx.source.size"
	metaSourceMtime = "jrx.source.mtime_ns"
)

// cachedTensorsResult is the Job.Result of QuantizedTensorsJob.
type cachedTensorsResult struct {
	Path   string            `json:"path"`   // the cache entry, a quantized .safetensors file (wire form)
	Cached bool              `json:"cached"` // true: the entry was valid and nothing was quantized
	Stats  *modelquant.Stats `json:"stats,omitempty"`
}

// QuantizedTensorsJob finds or builds the loader's cached quantization of the .safetensors
// model at path by scheme (as QuantizeModelFileJob). The entry is keyed by the model's real path
// and the scheme, and records the model's size and modification time in its __metadata__; when
// it exists, is a valid safetensors file of this scheme and matches the model as it is now, the
// returned Job is already finished (Run does nothing) with {"path": entry, "cached": true} and nothing is read but
// the entry's header. Otherwise the job quantizes the model into the entry atomically (a
// concurrent reader sees the old entry or the new one, never a torn file) and finishes with
// {"path", "cached": false, "stats": {...}}. A bad scheme or a missing model fails here.
func (l *RustModelLoader) QuantizedTensorsJob(path, scheme string) (_ *Job, err error) {
	defer recoverPanic(&err)
	if err := modelQuantError(modelquant.CheckScheme(scheme)); err != nil {
		return nil, err
	}
	if path, err = decodePath(path); err != nil {
		return nil, err
	}
	src, err := cache.Stat(path)
	if err != nil {
		return nil, osError(err)
	}
	entry := l.dir.EntryPath(src, "tensors-"+scheme, ".safetensors")
	stamp := map[string]string{
		metaSourcePath:  encodePath(src.RealPath),
		metaSourceSize:  strconv.FormatInt(src.Size, 10),
		metaSourceMtime: strconv.FormatInt(src.ModNanos, 10),
	}
	if entryMatches(entry, scheme, stamp) {
		out, err := marshalResult(cachedTensorsResult{Path: encodePath(entry), Cached: true})
		if err != nil {
			return nil, err
		}
		return finishedJob(out), nil
	}
	return newJob(src.Size, func(ctx context.Context, j *Job) (string, error) {
		stats, err := modelquant.Quantize(ctx, src.RealPath, entry, scheme, stamp, j.progress)
		if err != nil {
			return "", modelQuantError(err)
		}
		return marshalResult(cachedTensorsResult{Path: encodePath(entry), Stats: &stats})
	}), nil
}

// entryMatches reports whether the cache entry at path is a valid quantized safetensors file of
// scheme built from the source version stamp describes. Only its header is read; any failure
// (missing, damaged, stale) means "rebuild".
func entryMatches(path, scheme string, stamp map[string]string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil || !info.Mode().IsRegular() {
		return false
	}
	h, err := safetensors.ReadHeader(f, info.Size())
	if err != nil {
		return false
	}
	if h.Metadata[modelquant.MetaFormat] != modelquant.MetaFormatValue || h.Metadata[modelquant.MetaScheme] != scheme {
		return false
	}
	for k, v := range stamp {
		if h.Metadata[k] != v {
			return false
		}
	}
	return true
}
