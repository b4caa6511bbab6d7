package jarvisrs

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/atomicfile"
	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/lz4x"
)

// CompressFileJob prepares a Job (started by Job.Run) that compresses the file src into an LZ4
// frame at dst (level 0, fastest, to 12, smallest; content checksum and size, independent blocks
// compressed on all cores, memory bounded whatever the file size). Job.Total is src's size and
// Job.Done the bytes of src read; Job.Result is {"bytes_written": n}. dst appears complete or not
// at all: on failure or Cancel it is left as it was. A bad level or a missing or unreadable src
// fails here, before the job starts.
func CompressFileJob(src, dst string, level int) (_ *Job, err error) {
	defer recoverPanic(&err)
	if level < 0 || level > 12 {
		return nil, valueErrorf("level must be between 0 and 12, got %d", level)
	}
	return lz4FileJob(src, dst, func(ctx context.Context, src, tmp string, progress progressFunc) (int64, error) {
		return lz4x.CompressFileContext(ctx, src, tmp, level, progress)
	})
}

// DecompressFileJob prepares a Job (started by Job.Run) that decodes the LZ4 frames in the file src
// (what lz4, python-lz4's lz4.frame or CompressFileJob wrote; every checksum verified) into the
// file dst, in bounded memory. Job.Total is src's size and Job.Done the bytes of src read;
// Job.Result is {"bytes_written": n}. Data that is not LZ4 or is corrupt fails the job with the
// corrupt code, and dst is left as it was, as on Cancel.
func DecompressFileJob(src, dst string) (_ *Job, err error) {
	defer recoverPanic(&err)
	return lz4FileJob(src, dst, lz4x.DecompressFileContext)
}

// lz4FileJob is the job set-up both LZ4 file calls share: fileJob, with the output written by
// write (an lz4x file function) to a temporary path that writeViaTemp renames onto dst.
func lz4FileJob(src, dst string, write func(ctx context.Context, src, tmp string, progress progressFunc) (int64, error)) (*Job, error) {
	return fileJob(src, dst, wholeFile, func(ctx context.Context, src, dst string, progress progressFunc) (string, error) {
		return writeViaTemp(ctx, dst, func(tmp string) (int64, error) {
			return write(ctx, src, tmp, progress)
		})
	})
}

// writeViaTemp lets write produce its output at a temporary path beside dst and renames it onto
// dst only if the job was not cancelled meanwhile. lz4x's file functions stop at the next block
// once ctx is cancelled, but one may finish (and replace its own destination) just before that;
// writing to a temporary destination of ours keeps dst untouched by a job cancelled at any moment.
// The temporary name is one that atomicfile recognises and removes later, should the process die
// before removing it.
func writeViaTemp(ctx context.Context, dst string, write func(tmp string) (int64, error)) (string, error) {
	if ctx.Err() != nil {
		return "", errCancelled
	}
	placeholder, err := atomicfile.Create(dst, 0o666) // the umask applies, as for open()
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = &os.PathError{Op: "create", Path: dst, Err: pe.Err} // name dst, not our temporary
		}
		return "", osError(err)
	}
	tmp := placeholder.Name()
	info, err := placeholder.Stat()
	_ = placeholder.File.Close()
	defer placeholder.Abort() // removes tmp unless it was renamed away
	if err != nil {
		return "", osError(err)
	}
	mode := info.Mode().Perm() // what open() gives under this umask: the output gets it too
	written, err := write(tmp)
	if ctx.Err() != nil {
		return "", errCancelled // whether the write saw the cancellation or finished first
	}
	if err != nil {
		return "", lz4Error(err)
	}
	if ctx.Err() != nil {
		return "", errCancelled
	}
	if err := os.Chmod(tmp, mode); err != nil { // lz4x writes its files 0644
		return "", osError(err)
	}
	if err := os.Rename(tmp, dst); err != nil {
		return "", osError(err)
	}
	atomicfile.SyncDir(filepath.Dir(dst))
	return fmt.Sprintf(`{"bytes_written": %s}`, strconv.FormatInt(written, 10)), nil
}
