#!/usr/bin/env bash
# demo.sh NODE CLIENT: starts three warehouses joined into one network on
# this machine (MAD-1 keeps the network's CA, BCN-1 joins through it, VLC-1
# joins through BCN-1), records some sample stock on each, and prints their
# playground links and how to point the console client at them. Ctrl-C
# stops them all. Data lives in ./demo (STOCKMESH_DEMO_DIR); a second run
# restarts the same network with the flags it was started with.
set -euo pipefail
node=$1 client=$2
root=${STOCKMESH_DEMO_DIR:-./demo}
mkdir -p "$root"
pids=()
stop() { for p in "${pids[@]}"; do kill -INT "$p" 2>/dev/null || true; done; wait; }
trap 'stop; exit 0' INT TERM
trap stop EXIT

# wait_ready DIR PORT PID: until the node in DIR answers, or fail if it
# exited.
wait_ready() {
  for _ in $(seq 1 300); do
    if [ -s "$1/admin.token" ] && [ -s "$1/node.addr" ] &&
       curl -sf --cacert "$1/tls/ca.crt" "https://localhost:$2/readyz" >/dev/null 2>&1; then return 0; fi
    kill -0 "$3" 2>/dev/null || { echo "the node in $1 stopped; see $1.log" >&2; exit 1; }
    sleep 0.1
  done
  echo "the node in $1 did not start; see $1.log" >&2; exit 1
}

# start ID NAME PORT [VIA-DIR VIA-PORT]: starts a warehouse, joining the
# network through the node in VIA-DIR when given (once; a restart reuses
# the flags it joined with).
start() {
  local id=$1 name=$2 port=$3 dir="$root/$1" args=()
  args=(--data "$dir" --listen "127.0.0.1:$port" --id "$id" --name "$name" --advertise "https://localhost:$port")
  if [ $# -gt 3 ]; then
    [ -s "$dir.join" ] || "$node" join-token --data "$4" 2>/dev/null > "$dir.join"
    args+=(--join "https://localhost:$5" --join-token "$(cat "$dir.join")")
  fi
  "$node" "${args[@]}" > "$dir.log" 2>&1 &
  pids+=($!)
  wait_ready "$dir" "$port" $!
}

start MAD-1 Madrid 9441
start BCN-1 Barcelona 9442 "$root/MAD-1" 9441
start VLC-1 Valencia 9443 "$root/BCN-1" 9442

ca="$root/MAD-1/tls/ca.crt"
# sample SKU NAME PRICE QTY on the node at PORT, once.
sample() {
  local dir=$1 port=$2
  shift 2
  STOCKMESH_SERVER="https://localhost:$port" STOCKMESH_TOKEN="$(cat "$dir/admin.token")" STOCKMESH_CA="$ca" \
    "$client" "$@" >/dev/null 2>&1 || true
}
for spec in "MAD-1 9441 CABLE-USB Cable_USB-C 4.50 120" "BCN-1 9442 CABLE-USB Cable_USB-C 4.50 40" \
            "BCN-1 9442 MONITOR-27 Monitor_27 189.00 12" "VLC-1 9443 TECLADO-ES Teclado_ES 24.90 30"; do
  read -r wh port sku name price qty <<<"$spec"
  sample "$root/$wh" "$port" product add --sku "$sku" --name "${name//_/ }" --price "$price" --quantity "$qty"
done
sample "$root/MAD-1" 9441 move sale CABLE-USB 3 --ref DEMO-1

cat <<MSG

  stockmesh demo: three warehouses in one network (data in $root, Ctrl-C to stop them all)
MSG
for spec in "MAD-1 9441" "BCN-1 9442" "VLC-1 9443"; do
  read -r wh port <<<"$spec"
  printf '  %-6s https://localhost:%s/#token=%s\n' "$wh" "$port" "$(cat "$root/$wh/admin.token")"
done
cat <<MSG
  One CA verifies every node: $ca (trust it in your browser, or accept the warning)

  Console, against Madrid (any node shows every warehouse):
    STOCKMESH_SERVER=https://localhost:9441 STOCKMESH_TOKEN=\$(cat '$root/MAD-1/admin.token') \\
    STOCKMESH_CA='$ca' $client warehouses

MSG
wait
