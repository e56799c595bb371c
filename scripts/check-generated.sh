#!/usr/bin/env bash
# check-generated.sh: regenerates the ent and gqlgen code and fails when that
# changed anything, so committed generated code never goes stale.
set -euo pipefail
before=$(mktemp -d)
trap 'rm -rf "$before"' EXIT
cp -r ent graph "$before"/
go generate ./...
if ! diff -r "$before/ent" ent >/dev/null || ! diff -r "$before/graph" graph >/dev/null; then
  diff -r "$before/ent" ent | head -20 || true
  diff -r "$before/graph" graph | head -20 || true
  echo "generated code was stale: go generate changed ent/ or graph/ (now regenerated; review and commit it)" >&2
  exit 1
fi
echo "generated code is current"
