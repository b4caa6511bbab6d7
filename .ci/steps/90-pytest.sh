# pytest on the installed wheel. Run from outside the source tree so the installed wheel, not the
# source folder, is imported. Kept last: its closing line is the run's verdict line.
cd "$root/python_tests"
"$venv/bin/python" -m pytest -q -p no:cacheprovider "$root/python_tests"
