#!/usr/bin/env bash
# run-node.sh BINARY DATA: starts a node listening on every interface, port
# 8443 (STOCKMESH_LISTEN to change it) and, once THIS node serves (its own
# "serving HTTPS" log line, then GET /readyz verified with DATA/tls/ca.crt,
# and the process still alive), prints the playground and dashboard links (the token rides
# in the URL fragment, which browsers never send to the server) and how to
# use the console client. A node that fails to start (port taken, data
# folder in use) prints no banner and the script exits non-zero. Ctrl-C
# stops the node gracefully, and the script then exits 0.
set -euo pipefail
bin=$1 data=$2
log=$(mktemp "${TMPDIR:-/tmp}/stockmesh-run.XXXXXX")
trap 'rm -f "$log"' EXIT
# The node's log goes to the terminal and to $log, where ready() looks for
# this node's own "serving HTTPS" line; tee -i survives Ctrl-C, so the
# node can still log its graceful shutdown.
"$bin" --data "$data" --listen "${STOCKMESH_LISTEN:-:8443}" 2> >(tee -i "$log" >&2) &
pid=$!
# Ctrl-C (or SIGTERM) is a stop the user asked for: the script exits with
# the node's own status, 0 after a graceful shutdown, so that make reports
# no error.
trap 'kill -INT $pid 2>/dev/null; rc=0; wait $pid || rc=$?; exit $rc' INT TERM

# stopped: the node exited before it was ready; exit with its status.
stopped() {
  local rc=0
  wait "$pid" || rc=$?
  echo "stockmesh: the node stopped before it was ready (exit $rc); see the log above" >&2
  exit $((rc ? rc : 1))
}

# ready: this node logged that it serves and answers /readyz with its CA.
ready() {
  local line addr host port
  line=$(grep -m1 'msg="serving HTTPS"' "$log") || return 1
  addr=$(sed -n 's/.* addr=\([^ ]*\).*/\1/p' <<<"$line")
  playground=$(sed -n 's/.* playground=\([^ ]*\).*/\1/p' <<<"$line")
  dashboard=$(sed -n 's/.* dashboard=\([^ ]*\).*/\1/p' <<<"$line")
  host=${addr%:*} port=${addr##*:}
  case $host in "" | "[::]" | "0.0.0.0") host=localhost ;; esac
  [ -s "$data/admin.token" ] || return 1
  command -v curl >/dev/null || return 0
  curl -sf --max-time 2 --cacert "$data/tls/ca.crt" --connect-to "localhost:$port:$host:$port" \
    "https://localhost:$port/readyz" >/dev/null 2>&1
}

up=
for _ in $(seq 1 300); do
  kill -0 "$pid" 2>/dev/null || stopped
  if ready; then up=1; break; fi
  sleep 0.1
done
kill -0 "$pid" 2>/dev/null || stopped
if [ -n "$up" ]; then
  cat <<MSG

  stockmesh node running (data in $data, Ctrl-C to stop)
  Playground:  ${playground}#token=$(cat "$data/admin.token")
  Dashboard:   ${dashboard}#token=$(cat "$data/admin.token")
               (the certificate is signed by the node's own CA: $data/tls/ca.crt;
                trust it in your browser, or accept the warning once)
  Admin token: $data/admin.token
  Console:     bin/stockmesh        (in another terminal, from this directory)

MSG
else
  echo "stockmesh: the node is not ready after 30s; still waiting for it (Ctrl-C to stop)" >&2
fi
wait $pid
