package lz4x

// HugeOutputMin is the output buffer size from which AdviseFrameOutput asks for huge pages. A
// fresh buffer costs one page fault per 4 KiB page its writer touches: for a 64 MiB level-0
// frame (28 MiB written) that measured 18 ms of 117, more than the content checksum. Below a few
// MiB there are too few whole 2 MiB pages to matter.
const HugeOutputMin = 8 << 20

// hugePage is the size and alignment of a transparent huge page on Linux amd64 and arm64 (4 KiB
// base pages).
const hugePage = 2 << 20

// hugeSpan returns the whole huge pages inside the n bytes at addr as an offset from addr and a
// length, or a zero length when there are none or n is below HugeOutputMin.
func hugeSpan(addr uintptr, n int) (off, length int) {
	if n < HugeOutputMin {
		return 0, 0
	}
	start := (addr + hugePage - 1) &^ (hugePage - 1)
	end := (addr + uintptr(n)) &^ (hugePage - 1)
	if end <= start {
		return 0, 0
	}
	return int(start - addr), int(end - start)
}

// HugePagesAffordable reports whether an output buffer of n bytes may be given huge pages
// (AdviseFrameOutput) when availableBytes of the totalBytes the process lives under are free:
// only while memory is plentiful, at least a quarter of the total and four times n. A huge-page
// fault can make the kernel reclaim and compact memory synchronously (transparent huge pages'
// defrag setting "madvise", a common default, does so for advised memory), a stall a memory
// manager must not add just when memory runs short; with room to spare the pages come free.
func HugePagesAffordable(n int, availableBytes, totalBytes uint64) bool {
	if n < HugeOutputMin || totalBytes == 0 {
		return false
	}
	return availableBytes >= totalBytes/4 && availableBytes/4 >= uint64(n)
}
