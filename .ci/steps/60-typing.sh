# Typing: the .pyi stubs agree with the installed wheel (mypy's stubtest), the package passes
# `mypy --strict` (settings in mypy.ini), and caller code type-checks against the stubs, its
# expected errors included (python_tests/typecheck_usage.py). mypy pinned for repeatable results.
"$venv/bin/python" -m pip install -q "mypy==2.4.1"
# From outside the source tree, so stubtest imports the installed wheel, not the source folder.
cd "$root/python_tests"
"$venv/bin/python" -m mypy.stubtest --mypy-config-file "$root/mypy.ini" jarvis_rust_extensions
"$venv/bin/python" -m mypy --config-file "$root/mypy.ini" typecheck_usage.py
cd "$root"
"$venv/bin/python" -m mypy --config-file "$root/mypy.ini" jarvis_rust_extensions/
