#!/usr/bin/env bash
# check-generated.sh: regenerates the ent and gqlgen code and fails when that
# changed anything, so committed generated code never goes stale.
set -euo pipefail
before=$(mktemp -d)
trap 'rm -rf "$before"' EXIT
cp -r ent graph "$before"/
go generate ./...
# show prints the first 20 lines of a diff's output, if it has any.
show() { [ -z "$1" ] || printf '%s\n' "$1" | head -20 || true; }
stale=0
ent_diff=$(diff -r "$before/ent" ent) || stale=1
graph_diff=$(diff -r "$before/graph" graph) || stale=1
if [ "$stale" = 1 ]; then
  show "$ent_diff"
  show "$graph_diff"
  echo "generated code was stale: go generate changed ent/ or graph/ (now regenerated; review and commit it)" >&2
  exit 1
fi
echo "generated code is current"
