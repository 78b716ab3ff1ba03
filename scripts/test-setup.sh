#!/usr/bin/env bash
# Installs what the test suite needs beyond Python packages. Idempotent; quiet when all is there.
#
# - Debian's chromium and a CJK font, for the browser test of the HTML report
#   (tests/test_report_browser.py renders data/sample's report headless).
#
# Fails loudly when an install fails: on CI (CI=true) the browser test must run, not skip.
set -euo pipefail

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
# (read fc-list whole: `fc-list | grep -q` fails under pipefail when grep stops early)
fonts="$(fc-list : family 2>/dev/null || true)"
if ! grep -qi 'CJK' <<<"$fonts"; then
    need_apt+=(fonts-noto-cjk)
fi

if [ "${#need_apt[@]}" -gt 0 ]; then
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "test-setup: cannot install ${need_apt[*]}: apt-get not found." >&2
        echo "test-setup: install Chromium and a CJK font by hand to run the browser test." >&2
        [ "${CI:-}" = "true" ] && exit 1
        exit 0
    fi
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
            SUDO="sudo -n"
        elif [ "${CI:-}" = "true" ]; then
            echo "test-setup: need root to install ${need_apt[*]} on CI." >&2
            exit 1
        else
            echo "test-setup: not root; skipping install of ${need_apt[*]}" \
                 "(the browser test will be skipped)." >&2
            exit 0
        fi
    fi
    echo "test-setup: installing ${need_apt[*]} ..." >&2
    log="$(mktemp)"
    if ! { $SUDO apt-get update -q \
           && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q \
                --no-install-recommends "${need_apt[@]}"; } >"$log" 2>&1; then
        cat "$log" >&2
        echo "test-setup: FAILED to install ${need_apt[*]} with apt-get." >&2
        rm -f "$log"
        exit 1
    fi
    rm -f "$log"
    command -v chromium >/dev/null 2>&1 || { echo "test-setup: chromium missing after install." >&2; exit 1; }
fi
exit 0
