#!/usr/bin/env bash
# Installs everything the project needs on a fresh Debian machine with Python 3.11+:
# the venv module if Debian left it out, a virtual environment in .venv, and the project
# with its development tools. Safe to run again; it only adds what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
"$PYTHON" -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required"'

apt_install() {
    if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
    else
        echo "please install: $*" >&2
        exit 1
    fi
}

if ! "$PYTHON" -m venv --help >/dev/null 2>&1 || ! "$PYTHON" -c 'import ensurepip' 2>/dev/null; then
    apt_install python3-venv
fi

# Debian's Chromium for the browser tests (Playwright drives it; it never downloads one).
if [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    apt_install chromium
fi

# WeasyPrint renders the official documents through Pango; Hangul needs a CJK font, or it
# would come out as empty boxes. fontconfig's ":lang=ko" asks for a font that covers Korean.
if ! ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so.0' \
    || ! command -v fc-list >/dev/null 2>&1 || [ -z "$(fc-list :lang=ko 2>/dev/null)" ]; then
    apt_install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig fonts-noto-cjk
fi

if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
stamp=.venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)
if [ ! -f "$stamp" ]; then
    .venv/bin/python -m pip install -q --upgrade pip
    .venv/bin/python -m pip install -q -e '.[dev]'
    rm -f .venv/.installed-* && touch "$stamp"
fi
