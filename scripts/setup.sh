#!/usr/bin/env bash
# Creates the two virtual environments and installs the pinned dependencies.
# Idempotent: an environment whose lock file has not changed is left alone.
set -euo pipefail
cd "$(dirname "$0")/.."

find_python() {
  if [[ -n "${HAMKKE_PYTHON:-}" ]]; then echo "$HAMKKE_PYTHON"; return; fi
  if command -v python3.10 >/dev/null 2>&1 && python3.10 -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
    command -v python3.10; return
  fi
  if command -v pyenv >/dev/null 2>&1; then
    local root; root="$(pyenv root)"
    for candidate in "$root"/versions/3.10.*/bin/python; do
      if [[ -x "$candidate" ]]; then echo "$candidate"; return; fi
    done
  fi
  return 1
}

PY="$(find_python)" || {
  cat >&2 <<'MSG'
Hamkke needs Python 3.10 (Rasa 3.6 supports Python < 3.11) and none was found.
Install it (for example `pyenv install 3.10`, or your system's python3.10 package)
so that `python3.10` is on PATH, or point HAMKKE_PYTHON at a 3.10 interpreter.
MSG
  exit 1
}

lock_hash() { sha256sum "$1" | cut -d' ' -f1; }

ensure_venv() {
  local dir="$1" lock="$2" stamp="$1/.hamkke-lock"
  local want; want="$(lock_hash "$lock")"
  if [[ -x "$dir/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    return
  fi
  echo "==> Installing $(basename "$lock") into $dir (first run takes a few minutes)"
  [[ -x "$dir/bin/python" ]] || "$PY" -m venv "$dir"
  local log="$dir/.hamkke-install.log"
  if ! { "$dir/bin/python" -m pip install --disable-pip-version-check --upgrade "pip<25" wheel &&
         "$dir/bin/python" -m pip install --disable-pip-version-check -r "$lock"; } >"$log" 2>&1; then
    grep -v "is ignored: it is neither" "$log" | tail -40 >&2
    echo "Installing $lock failed; the whole log is in $log" >&2
    exit 1
  fi
  "$dir/bin/python" -m pip check >/dev/null 2>&1 || { "$dir/bin/python" -m pip check; exit 1; }
  echo "$want" > "$stamp"
}

ensure_venv .venv requirements/app.lock
ensure_venv .venv-rasa requirements/rasa.lock
