#!/usr/bin/env bash
# Print the path of a Python >= 3.12 interpreter, or explain why none was found.
# Order: $PYTHON, python3.12 / python3.13 / python3 on PATH, then pyenv's installed versions.
# pyenv shims on PATH answer "command not found" when that version is not selected, so every
# candidate is actually run, not just looked up.
set -u
ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; }
tried=()
for c in ${PYTHON:-} python3.12 python3.13 python3; do
  [ -n "$c" ] || continue
  p=$(command -v "$c" 2>/dev/null) || { tried+=("$c (not on PATH)"); continue; }
  if ok "$p"; then "$p" -c 'import sys; print(sys.executable)'; exit 0; fi
  tried+=("$c ($("$p" --version 2>&1 | head -n1))")
done
if command -v pyenv >/dev/null 2>&1; then
  root=$(pyenv root)
  for v in $(pyenv versions --bare 2>/dev/null | grep -E '^3\.(1[2-9]|[2-9][0-9])\.[0-9]+$' | sort -t. -k2,2n -k3,3n); do
    p="$root/versions/$v/bin/python"
    if [ -x "$p" ] && ok "$p"; then echo "$p"; exit 0; fi
    tried+=("pyenv $v")
  done
  tried+=("pyenv: no 3.12+ among: $(pyenv versions --bare 2>/dev/null | tr '\n' ' ')")
fi
{
  echo "error: followon needs Python >= 3.12 and none was found."
  echo "  tried: ${tried[*]:-nothing}"
  echo "  fix: install Python 3.12 (e.g. 'pyenv install 3.12' or your OS package) or set PYTHON=/path/to/python3.12"
} >&2
exit 1
