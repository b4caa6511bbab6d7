package jarvisrs

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"runtime/debug"
	"syscall"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/npy"
	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/safetensors"
)

// Model files: the headers of memory-mapped .safetensors and .npy files, read from the mapped
// bytes and handed to Python as JSON, so the facade can build numpy views over the mapping
// without copying tensor data. The long operations (quantizing a model, LZ4 files) are Jobs, in
// files_quantize.go (the work is in package modelquant) and files_lz4.go.

// fileFormatError codes errors of the file format packages: anything wrong with a file's content
// (or with what we were asked to write) is a ValueError; the rest is a file-system error.
func fileFormatError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, safetensors.ErrMalformed), errors.Is(err, safetensors.ErrUnsupported),
		errors.Is(err, safetensors.ErrTooLarge), errors.Is(err, safetensors.ErrInvalidArgument),
		errors.Is(err, npy.ErrMalformed), errors.Is(err, npy.ErrUnsupported), errors.Is(err, npy.ErrTooLarge):
		return withCode(codeValue, err)
	default:
		return osError(err)
	}
}

// tensorJSON is one tensor of SafetensorsHeader: offset (from the start of the file) and length
// in bytes.
type tensorJSON struct {
	Name   string  `json:"name"`
	DType  string  `json:"dtype"`
	Shape  []int64 `json:"shape"`
	Offset int64   `json:"offset"`
	Length int64   `json:"length"`
}

// safetensorsJSON is the document SafetensorsHeader returns.
type safetensorsJSON struct {
	DataStart int64             `json:"data_start"`
	Metadata  map[string]string `json:"metadata"`
	Tensors   []tensorJSON      `json:"tensors"`
}

// SafetensorsHeader validates the mapped file as safetensors (safetensors.ReadHeader: lengths,
// JSON, dtypes, offsets tiling the data exactly, header at most 100 MB) reading only its header
// pages, and returns it as JSON: {"data_start": bytes, "metadata": {str: str} or null,
// "tensors": [{"name", "dtype", "shape", "offset", "length"}, ...]} with tensors in file order and
// offsets from the start of the file, so every tensor lies within Len(). A malformed file gives a
// ValueError-coded error.
func (m *Mapping) SafetensorsHeader() (_ string, err error) {
	defer recoverPanic(&err)
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true)) // reads the mapping (faults.go)
	data, err := m.m.Bytes()
	if err != nil {
		return "", osError(err)
	}
	h, err := safetensors.ReadHeader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return "", fileFormatError(err)
	}
	return encodeSafetensorsHeader(h)
}

// encodeSafetensorsHeader renders a validated header as SafetensorsHeader's JSON.
func encodeSafetensorsHeader(h *safetensors.Header) (string, error) {
	doc := safetensorsJSON{DataStart: h.DataStart, Metadata: h.Metadata, Tensors: make([]tensorJSON, len(h.Tensors))}
	for i, t := range h.Tensors {
		shape := t.Shape
		if shape == nil {
			shape = []int64{}
		}
		doc.Tensors[i] = tensorJSON{Name: t.Name, DType: string(t.DType), Shape: shape, Offset: t.Offset, Length: t.Length}
	}
	out, err := json.Marshal(doc)
	if err != nil {
		return "", withCode(codeInternal, err)
	}
	return string(out), nil
}

// npyJSON is the document NpyHeader returns.
type npyJSON struct {
	Descr        string  `json:"descr"`
	FortranOrder bool    `json:"fortran_order"`
	Shape        []int64 `json:"shape"`
	Offset       int64   `json:"offset"`
	Length       int64   `json:"length"`
}

// NpyHeader validates the mapped file as a .npy file (versions 1.0-3.0, little-endian numeric
// and bool dtypes, data within the file) and returns its header as JSON: {"descr": numpy's dtype
// string, "fortran_order": bool, "shape": [...], "offset": bytes from the start of the file,
// "length": data bytes}. A malformed or unsupported file gives a ValueError-coded error.
func (m *Mapping) NpyHeader() (_ string, err error) {
	defer recoverPanic(&err)
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true)) // reads the mapping (faults.go)
	data, err := m.m.Bytes()
	if err != nil {
		return "", osError(err)
	}
	h, err := npy.ReadHeader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return "", fileFormatError(err)
	}
	shape := h.Shape
	if shape == nil {
		shape = []int64{}
	}
	out, err := json.Marshal(npyJSON{Descr: h.Descr, FortranOrder: h.FortranOrder, Shape: shape, Offset: h.DataOffset, Length: h.DataLen()})
	if err != nil {
		return "", withCode(codeInternal, err)
	}
	return string(out), nil
}

// inputSize checks that path can be opened for reading and is not a directory, and returns its
// size in bytes (0 for something that is not a regular file, such as a pipe).
func inputSize(path string) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, osError(err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return 0, osError(err)
	}
	if info.IsDir() {
		return 0, osError(&os.PathError{Op: "open", Path: path, Err: syscall.EISDIR})
	}
	if !info.Mode().IsRegular() {
		return 0, nil
	}
	return info.Size(), nil
}

// progressFunc receives (bytes done, bytes in all) as a job moves on; Job.progress is one.
type progressFunc = func(done, total int64)

// fileJob is the job set-up of every call that reads the file src and writes dst: both paths are
// decoded from the wire form, src is checked readable now (inputSize), the job's initial Total is
// total(src, its size) — the size itself for calls whose progress counts the file's bytes — and
// work runs when the job is Run, with the decoded paths and the job's progress callback.
func fileJob(src, dst string, total func(src string, size int64) int64, work func(ctx context.Context, src, dst string, progress progressFunc) (string, error)) (*Job, error) {
	src, dst, err := decodePaths(src, dst)
	if err != nil {
		return nil, err
	}
	size, err := inputSize(src)
	if err != nil {
		return nil, err
	}
	return newJob(total(src, size), func(ctx context.Context, j *Job) (string, error) {
		return work(ctx, src, dst, j.progress)
	}), nil
}

// wholeFile is fileJob's total for calls whose progress counts every byte of src.
func wholeFile(_ string, size int64) int64 { return size }

// decodePaths decodes a source and a destination path from the facade's wire form (paths.go).
func decodePaths(src, dst string) (string, string, error) {
	src, err := decodePath(src)
	if err != nil {
		return "", "", err
	}
	dst, err = decodePath(dst)
	return src, dst, err
}
