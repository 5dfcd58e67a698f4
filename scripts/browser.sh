#!/usr/bin/env bash
# Installs Debian's chromium for the browser tests (Playwright drives the
# system browser; nothing downloads a browser of its own). Idempotent.
set -euo pipefail
if command -v chromium >/dev/null 2>&1 || [[ -x /usr/bin/chromium ]]; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "The browser tests need Chromium at /usr/bin/chromium: install your system's chromium package." >&2
  exit 1
fi
SUDO=""
if [[ "$(id -u)" != "0" ]]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "The browser tests need Debian's chromium: run 'apt-get install chromium' as root." >&2
    exit 1
  fi
fi
echo "==> Installing Debian's chromium for the browser tests (once)"
$SUDO apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
