#!/usr/bin/env bash
# The house style of .editorconfig, as CI checks it: `dotnet format whitespace` must find nothing to change.
# Usage: scripts/check-format.sh [--fix]   (--fix rewrites the files instead of failing)
set -uo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--fix" ]; then
    exec dotnet format whitespace RobeGen.sln
fi
if ! dotnet format whitespace RobeGen.sln --verify-no-changes; then
    echo "format: files above differ from .editorconfig's style; run scripts/check-format.sh --fix" >&2
    exit 1
fi
echo "format: clean"
