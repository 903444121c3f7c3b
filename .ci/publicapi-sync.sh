#!/usr/bin/env bash
# Developer helper (not run by CI): append every public symbol the analyzer reports as undeclared (RS0016)
# to the project's PublicAPI.Unshipped.txt, then review the diff. Usage: bash .ci/publicapi-sync.sh src/Shaping.Core
set -euo pipefail
project="${1:?project folder}"
dotnet build "$project" -c Release 2>&1 \
  | sed -n "s/.*error RS0016: Symbol '\(.*\)' is not part of the declared public API.*/\1/p" \
  | sort -u >> "$project/PublicAPI.Unshipped.txt"
{ head -n 1 "$project/PublicAPI.Unshipped.txt"; tail -n +2 "$project/PublicAPI.Unshipped.txt" | sort -u; } > "$project/PublicAPI.tmp"
mv "$project/PublicAPI.tmp" "$project/PublicAPI.Unshipped.txt"
