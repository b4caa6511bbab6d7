// Package lz4x implements the LZ4 formats the extension reads and writes: raw LZ4 blocks
// (liblz4's LZ4_compress_HC / LZ4_decompress_safe layout, optionally behind python-lz4's 4-byte
// size prefix), LZ4 frames (magic 04 22 4D 18) in memory and streamed between files, and the
// gzip stream the original extension wrote to its cache.
//
// The block codecs are this package's own, built on liblz4's designs: a fast compressor (frame
// levels 0 to 2) in the manner of LZ4_compress_fast; high compression with hash chains over a
// 64 KiB window and liblz4's parsers (lazy up to level 9, optimal from 10; level 12 output is
// identical to liblz4's on inputs up to 1 MiB); and a decoder that accepts exactly what liblz4's
// LZ4_decompress_safe accepts (see DecompressBlock), in raw blocks and inside frames alike. This package builds the frame format
// itself, so that frames carry their content size and content checksum, independent blocks are
// compressed and decompressed on all cores, and output lands directly in caller-provided buffers.
//
// Buffers: functions never retain the slices passed to them. Functions that take a dst slice
// write into it and return the number of bytes written; they never grow or replace it.
//
// Concurrency: every exported function is safe for concurrent use. Functions working on large
// inputs may use up to runtime.GOMAXPROCS(0) goroutines internally, and always join them before
// returning.
//
// Determinism: the compressed bytes depend only on the input and the level, never on the number
// of cores, so equal inputs give byte-identical output everywhere.
package lz4x
