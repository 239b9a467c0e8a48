#!/usr/bin/env bash
# Installs everything the project needs on a fresh Debian machine with Python 3.11+:
# the venv module if Debian left it out, a virtual environment in .venv, and the project
# with its development tools. Safe to run again; it only adds what is missing.
#
#   bash scripts/bootstrap.sh                        development: dev extras and chromium too
#   bash scripts/bootstrap.sh --production           what production runs (prod.sh install):
#                                                    no dev extras, no browser
#   bash scripts/bootstrap.sh [--production] --check exit 0 if that is installed, else 1;
#                                                    installs nothing
set -euo pipefail
cd "$(dirname "$0")/.."

production=0
check=0
for arg in "$@"; do
    case "$arg" in
        --production) production=1 ;;
        --check) check=1 ;;
        *) echo "usage: $0 [--production] [--check]" >&2; exit 2 ;;
    esac
done

# A stamp per pyproject.toml says the install finished. The development install (which
# includes everything production needs) keeps its stamp's old name.
hash=$(sha256sum pyproject.toml | cut -c1-16)
dev_stamp=.venv/.installed-$hash
prod_stamp=.venv/.installed-prod-$hash
installed() {
    [ -x .venv/bin/python ] && { [ -f "$dev_stamp" ] || { [ "$production" = 1 ] && [ -f "$prod_stamp" ]; }; }
}
if [ "$check" = 1 ]; then
    if installed; then exit 0; else exit 1; fi
fi

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
if [ "$production" = 0 ] && [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null 2>&1 \
    && [ "$(id -u)" = 0 ]; then
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
# Editable in production too: the code finds templates/, migrations/ and workflows/ next
# to the package, in this checkout.
if ! installed; then
    .venv/bin/python -m pip install -q --upgrade pip
    if [ "$production" = 1 ]; then
        .venv/bin/python -m pip install -q -e .
        rm -f .venv/.installed-* && touch "$prod_stamp"
    else
        .venv/bin/python -m pip install -q -e '.[dev]'
        rm -f .venv/.installed-* && touch "$dev_stamp"
    fi
fi
