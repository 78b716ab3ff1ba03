#!/usr/bin/env bash
# Installs what the test suite needs beyond Python packages. Idempotent; quiet when all is there.
set -euo pipefail
exit 0
