#!/usr/bin/env bash
# Checks that every C++ file git tracks is formatted as .clang-format says, with clang-format 16
# (Debian's clang-format-16; .clang-format's InsertBraces needs 15 or later, Debian's default
# clang-format is 14). Lists the files that are not and exits 1. With --fix, formats them in place.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cf="${CLANG_FORMAT:-clang-format-16}"
if ! command -v "$cf" >/dev/null; then
    echo "check-format: $cf is not installed (scripts/setup.sh installs it)" >&2
    exit 2
fi
mapfile -t files < <(git ls-files '*.cpp' '*.h' '*.cc' '*.hpp')
if [[ "${1:-}" == "--fix" ]]; then
    printf '%s\0' "${files[@]}" | xargs -0 -n 40 -P 2 "$cf" -i
    exit 0
fi
bad=()
for f in "${files[@]}"; do
    if ! "$cf" --dry-run -Werror "$f" >/dev/null 2>&1; then
        bad+=("$f")
    fi
done
if ((${#bad[@]})); then
    echo "check-format: ${#bad[@]} of ${#files[@]} files differ from .clang-format (scripts/check-format.sh --fix formats them):" >&2
    printf '  %s\n' "${bad[@]}" >&2
    "$cf" --dry-run "${bad[0]}" 2>&1 | head -20 >&2
    exit 1
fi
echo "check-format: ${#files[@]} files formatted as .clang-format says"
