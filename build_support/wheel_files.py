"""Make a built wheel byte-for-byte reproducible, and describe what it holds.

bdist_wheel already honours SOURCE_DATE_EPOCH, but entry order, permissions and compression come
from the machine (umask, file system). ``normalize`` rewrites the archive with entries in name order
(the ``.dist-info`` files last, RECORD at the very end, as installers expect), one timestamp,
modes 0644 (0755 for the extension) and a fixed compression level. The contents, and so RECORD's
hashes, are unchanged.
"""

from __future__ import annotations

import os
import time
import zipfile
from typing import List, Optional, Tuple

_EPOCH_1980 = 315532800  # the earliest time a zip entry can hold


def _order(name: str) -> Tuple[int, int, str]:
    in_dist_info = ".dist-info/" in name
    return (1 if in_dist_info else 0, 1 if name.endswith(".dist-info/RECORD") else 0, name)


def zip_time(epoch: Optional[int]) -> Tuple[int, int, int, int, int, int]:
    """The zip timestamp for ``epoch`` (UTC, at least 1980-01-01, even seconds as zip stores them)."""
    if epoch is None:
        epoch = int(time.time())
    t = time.gmtime(max(epoch, _EPOCH_1980))
    return (t.tm_year, t.tm_mon, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec - t.tm_sec % 2)


def normalize(path: str, epoch: Optional[int]) -> None:
    """Rewrite the wheel at ``path`` deterministically (see the module doc)."""
    with zipfile.ZipFile(path) as src:
        entries = [(info.filename, src.read(info)) for info in src.infolist() if not info.is_dir()]
    when = zip_time(epoch)
    tmp = path + ".tmp"
    with zipfile.ZipFile(tmp, "w") as out:
        for name, data in sorted(entries, key=lambda e: _order(e[0])):
            info = zipfile.ZipInfo(name, date_time=when)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, so the mode below is honoured
            mode = 0o755 if name.endswith(".so") else 0o644
            info.external_attr = (0o100000 | mode) << 16
            out.writestr(info, data, compresslevel=9)
    os.replace(tmp, path)


def extension_sizes(path: str) -> List[Tuple[str, int]]:
    """(name, uncompressed size) of each compiled extension in the wheel."""
    with zipfile.ZipFile(path) as z:
        return [(i.filename, i.file_size) for i in z.infolist() if i.filename.endswith(".so")]
