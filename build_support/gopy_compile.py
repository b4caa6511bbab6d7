"""Compile the bindings ``gopy gen`` generated: the second half of ``gopy build``, unchanged.

``gopy build`` generates and compiles in one go, which leaves no moment to mend the generated source
(``patch_generated``). The build therefore runs ``gopy gen`` and then this module, which repeats the
compile steps of gopy v0.5.0's ``runBuild`` (cmd_build.go, library mode) with the same commands,
flags and environment, except ``-mod=readonly`` where gopy passes ``-mod=mod`` (the generated package sits
inside this module, so ``-mod=mod`` would rewrite go.mod on every build):

1. ``goimports -w <name>.go``;
2. ``go build -mod=readonly -buildmode=c-shared -o <name>_go.so .`` once, for the ``<name>_go.h`` header
   (the library itself is thrown away);
3. ``<python> build.py``: pybindgen writes ``<name>.c``;
4. ``go build -mod=readonly -buildmode=c-shared`` again into ``_<name><EXT_SUFFIX>``, exporting only
   ``PyInit__<name>`` (a linker version script on Linux, an exported-symbols list on macOS), with
   ``CGO_CFLAGS = -I<python include> -fPIC -O3 -ffast-math`` and ``CGO_LDFLAGS`` = the flags of
   Python's ``LDSHARED`` without the compiler name and ``-bundle`` (gopy's ``-dynamic-link=true``),
   honouring ``GOPY_INCLUDE``/``GOPY_LIBDIR``/``GOPY_PYLIB`` and existing ``CGO_*`` like gopy.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from typing import Callable, Dict, List

__all__ = ["compile_generated"]


def _python_config(vm: str) -> Dict[str, str]:
    code = ("import json, sysconfig as s; print(json.dumps({'inc': s.get_path('include'), "
            "'ldshared': s.get_config_var('LDSHARED') or '', 'ext': s.get_config_var('EXT_SUFFIX') or ''}))")
    return json.loads(subprocess.check_output([vm, "-c", code], text=True))


def compile_generated(work: str, name: str, vm: str, env: Dict[str, str],
                      run: Callable[[List[str], str, Dict[str, str]], None], tags: str = "") -> str:
    """Compile ``gopy gen``'s output in ``work`` into ``_<name><EXT_SUFFIX>``; return its path.

    ``run(cmd, cwd, env)`` runs one command and raises when it fails; ``tags`` are Go build tags
    for both ``go build`` runs (gopy's ``-build-tags``).
    """
    cfg = _python_config(vm)
    try:
        os.remove(os.path.join(work, name + ".c"))
    except FileNotFoundError:
        pass
    run(["goimports", "-w", name + ".go"], work, env)
    header_lib = name + "_go.so"
    tag_args = ["-tags", tags] if tags else []
    run(["go", "build", "-mod=readonly", "-buildmode=c-shared", *tag_args, "-o", header_lib, "."], work, env)
    os.remove(os.path.join(work, header_lib))
    run([vm, "build.py"], work, env)

    cflags = [f'"-I{cfg["inc"]}"', "-fPIC", "-O3", "-ffast-math"]
    if "GOPY_INCLUDE" in env:
        cflags.append("-I" + env["GOPY_INCLUDE"])
    if "CGO_CFLAGS" in env:
        cflags.append(env["CGO_CFLAGS"])
    ldshared = cfg["ldshared"].split(" ", 1)
    ldflags = [(ldshared[1] if len(ldshared) > 1 else "").replace("-bundle", "").strip()]
    if "GOPY_LIBDIR" in env:
        ldflags.append("-L" + env["GOPY_LIBDIR"])
    if "GOPY_PYLIB" in env:
        ldflags.append("-l" + env["GOPY_PYLIB"])
    if "CGO_LDFLAGS" in env:
        ldflags.append(env["CGO_LDFLAGS"])
    cenv = dict(env, CGO_CFLAGS=" ".join(f for f in cflags if f), CGO_LDFLAGS=" ".join(f for f in ldflags if f))

    modlib = f"_{name}{cfg['ext'] or '.so'}"
    with tempfile.TemporaryDirectory(prefix="jrx-exports-") as tmp:
        args = ["go", "build", "-mod=readonly", "-buildmode=c-shared", *tag_args]
        if sys.platform == "darwin":
            exports = os.path.join(tmp, "exports.txt")
            with open(exports, "w") as f:
                f.write(f"_PyInit__{name}\n")
            args.append(f"-ldflags=-extldflags=-Wl,-exported_symbols_list,{exports}")
        elif sys.platform.startswith("linux"):
            exports = os.path.join(tmp, "exports.map")
            with open(exports, "w") as f:
                f.write(f"{{ global: PyInit__{name}; local: *; }};\n")
            args.append(f"-ldflags=-extldflags=-Wl,--version-script={exports}")
        run(args + ["-o", modlib, "."], work, cenv)
    return os.path.join(work, modlib)
