#!/usr/bin/env bash
# Regenerates PublicAPI.Shipped.txt of the projects that track their public API (Linkage.Engine, Linkage.Host) from
# what the analyzer reports missing (RS0016) or removed (RS0017). Review the diff: it is the API change.
# Usage: scripts/update-public-api.sh [PROJECT...]   (default: Engine Host)
set -uo pipefail
cd "$(dirname "$0")/.."
projects=("${@:-Engine Host}")
for name in ${projects[@]}; do
  dir="src/Linkage.$name"
  printf '#nullable enable\n' > "$dir/PublicAPI.Shipped.txt"
  printf '#nullable enable\n' > "$dir/PublicAPI.Unshipped.txt"
  symbols=$(dotnet build "$dir" --no-incremental 2>&1 | grep -E 'error RS0016' | sed -E "s/.*Symbol '(.*)' is not part of the declared public API.*/\1/" | LC_ALL=C sort -u || true)
  { printf '#nullable enable\n'; printf '%s\n' "$symbols"; } > "$dir/PublicAPI.Shipped.txt"
  echo "$dir: $(printf '%s\n' "$symbols" | grep -c .) public symbols"
done
