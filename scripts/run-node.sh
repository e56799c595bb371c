#!/usr/bin/env bash
# run-node.sh BINARY DATA: starts a node on https://localhost:8443 and, once
# its admin token exists, prints the playground link (the token rides in the
# URL fragment, which browsers never send to the server) and how to use the
# console client. Ctrl-C stops the node gracefully.
set -euo pipefail
bin=$1 data=$2
"$bin" --data "$data" --listen "${STOCKMESH_LISTEN:-:8443}" &
pid=$!
trap 'kill -INT $pid 2>/dev/null; wait $pid' INT TERM
for _ in $(seq 1 100); do
  [ -s "$data/admin.token" ] && [ -s "$data/node.addr" ] && break
  kill -0 $pid 2>/dev/null || { wait $pid; exit 1; }
  sleep 0.1
done
if [ -s "$data/admin.token" ]; then
  port=$(sed 's/.*://' "$data/node.addr")
  cat <<MSG

  stockmesh node running (data in $data, Ctrl-C to stop)
  Playground:  https://localhost:$port/#token=$(cat "$data/admin.token")
               (the certificate is signed by the node's own CA: $data/tls/ca.crt;
                trust it in your browser, or accept the warning once)
  Admin token: $data/admin.token
  Console:     bin/stockmesh        (in another terminal, from this directory)

MSG
fi
wait $pid
