# A fresh virtual environment with the wheel (gopy build) and the test-only dependencies.
rm -rf "$venv"
python3 -m venv "$venv"
"$venv/bin/python" -m pip install -q --upgrade pip
rm -rf "$root/dist"
"$venv/bin/python" -m pip wheel -q --no-deps -w "$root/dist" .
"$venv/bin/python" -m pip install -q "$root"/dist/jarvis_rust_extensions-*.whl
"$venv/bin/python" -m pip install -q -r "$root/python_tests/requirements.txt"
