#!/usr/bin/env bash
# Installs what the test suite needs beyond Python packages. Idempotent; quiet when all is there.
#
# - Debian's chromium and a CJK font, for the browser test of the HTML report
#   (tests/test_report_browser.py renders data/sample's report headless) and the
#   Chinese labels of network.png (tests/test_network.py).
# - LibreOffice's Writer and Calc without the GUI (libreoffice-writer-nogui,
#   libreoffice-calc-nogui: soffice), for tests/test_office_pdf.py, which prints
#   tables.docx and gtcode.xlsx to PDF. Measured on Debian 12 (LibreOffice 7.4, no
#   chromium yet): 64 packages, 99.5 MB of archives, 308 MB on disk, 33 s with most
#   archives already in apt's cache (fonts-noto-cjk alone: 9 s).
#
# Fails loudly when an install fails: on CI (CI=true) these tests must run, not skip.
set -euo pipefail

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v soffice >/dev/null 2>&1 || need_apt+=(libreoffice-writer-nogui libreoffice-calc-nogui)
# (read fc-list whole: `fc-list | grep -q` fails under pipefail when grep stops early)
fonts="$(fc-list : family 2>/dev/null || true)"
if ! grep -qi 'CJK' <<<"$fonts"; then
    need_apt+=(fonts-noto-cjk)
fi

if [ "${#need_apt[@]}" -gt 0 ]; then
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "test-setup: cannot install ${need_apt[*]}: apt-get not found." >&2
        echo "test-setup: install Chromium, a CJK font and LibreOffice by hand to run the" \
             "browser and PDF tests." >&2
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
                 "(the browser and PDF tests will be skipped)." >&2
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
    command -v soffice >/dev/null 2>&1 || { echo "test-setup: soffice missing after install." >&2; exit 1; }
fi
exit 0
