#!/usr/bin/env bash
# demo.sh NODE CLIENT: starts three warehouses joined into one network on
# this machine (MAD-1 keeps the network's CA, BCN-1 joins through it, VLC-1
# joins through BCN-1), records some sample stock on each, and prints their
# playground and dashboard links and how to point the console client at them. Ctrl-C
# stops them all. Data lives in ./demo (STOCKMESH_DEMO_DIR); the nodes
# listen on ports P, P+1 and P+2 (STOCKMESH_DEMO_PORT=P, 9441 by default);
# a second run restarts the same network with the flags it was started
# with. The script speaks English to the client whatever the locale, and
# stops, saying why, when a step fails.
set -euo pipefail
node=$1 client=$2
root=${STOCKMESH_DEMO_DIR:-./demo}
base=${STOCKMESH_DEMO_PORT:-9441}
if ! [[ $base =~ ^[0-9]+$ ]] || ((base < 1 || base > 65533)); then
  echo "demo: STOCKMESH_DEMO_PORT=$base is not a port number (1-65533); the nodes use it and the next two" >&2
  exit 2
fi
mad=$base bcn=$((base + 1)) vlc=$((base + 2))
mkdir -p "$root"
pids=()
stop() { for p in "${pids[@]}"; do kill -INT "$p" 2>/dev/null || true; done; wait; }
trap 'stop; exit 0' INT TERM
trap stop EXIT

# fail STEP OUTPUT: says which step failed and what it printed, and stops.
fail() {
  echo "demo: $1 failed; stopping the demo." >&2
  [ -z "$2" ] || printf '%s\n' "$2" | sed 's/^/  /' >&2
  exit 1
}

# wait_ready DIR PORT PID: until the node in DIR answers, or fail if it
# exited.
wait_ready() {
  for _ in $(seq 1 300); do
    if [ -s "$1/admin.token" ] && [ -s "$1/node.addr" ] &&
       curl -sf --cacert "$1/tls/ca.crt" "https://localhost:$2/readyz" >/dev/null 2>&1; then return 0; fi
    kill -0 "$3" 2>/dev/null || fail "starting the node in $1" "$(tail -n 5 "$1.log" 2>/dev/null; echo "(whole log: $1.log)")"
    sleep 0.1
  done
  fail "starting the node in $1" "it did not answer on port $2 within 30s; see $1.log"
}

# start ID NAME PORT [VIA-DIR VIA-PORT]: starts a warehouse, joining the
# network through the node in VIA-DIR when given (once; a restart reuses
# the flags it joined with).
start() {
  local id=$1 name=$2 port=$3 dir="$root/$1" args=() out
  args=(--data "$dir" --listen "127.0.0.1:$port" --id "$id" --name "$name" --advertise "https://localhost:$port")
  if [ $# -gt 3 ]; then
    if ! [ -s "$dir.join" ]; then
      out=$("$node" join-token --data "$4" 2>&1 >"$dir.join.new") || fail "issuing a join token for $id from $4" "$out"
      mv "$dir.join.new" "$dir.join"
    fi
    args+=(--join "https://localhost:$5" --join-token "$(cat "$dir.join")")
  fi
  "$node" "${args[@]}" > "$dir.log" 2>&1 &
  pids+=($!)
  wait_ready "$dir" "$port" $!
}

start MAD-1 Madrid "$mad"
start BCN-1 Barcelona "$bcn" "$root/MAD-1" "$mad"
start VLC-1 Valencia "$vlc" "$root/BCN-1" "$bcn"

ca="$root/MAD-1/tls/ca.crt"
# sample DIR PORT ARGS...: runs the client with ARGS on the node at PORT,
# in English (prices written 4.50 in any locale). What a previous run of
# the demo already recorded (ALREADY_EXISTS, ALREADY_RECORDED) is fine;
# any other failure stops the demo with the client's answer.
sample() {
  local dir=$1 port=$2 out
  shift 2
  if out=$(LC_ALL=C LANG=C STOCKMESH_SERVER="https://localhost:$port" STOCKMESH_TOKEN="$(cat "$dir/admin.token")" \
    STOCKMESH_CA="$ca" "$client" --lang en --json "$@" 2>&1); then
    return 0
  fi
  grep -Eq '"code": "(ALREADY_EXISTS|ALREADY_RECORDED)"' <<<"$out" || fail "stockmesh $* (on port $port)" "$out"
}
for spec in "MAD-1 $mad CABLE-USB Cable_USB-C 4.50 120" "BCN-1 $bcn CABLE-USB Cable_USB-C 4.50 40" \
            "BCN-1 $bcn MONITOR-27 Monitor_27 189.00 12" "VLC-1 $vlc TECLADO-ES Teclado_ES 24.90 30"; do
  read -r wh port sku name price qty <<<"$spec"
  sample "$root/$wh" "$port" product add --sku "$sku" --name "${name//_/ }" --price "$price" --quantity "$qty"
done
sample "$root/MAD-1" "$mad" move sale CABLE-USB 3 --ref DEMO-1

cat <<MSG

  stockmesh demo: three warehouses in one network (data in $root, Ctrl-C to stop them all)
MSG
for spec in "MAD-1 $mad" "BCN-1 $bcn" "VLC-1 $vlc"; do
  read -r wh port <<<"$spec"
  token=$(cat "$root/$wh/admin.token")
  printf '  %-6s playground https://localhost:%s/#token=%s\n' "$wh" "$port" "$token"
  printf '  %-6s dashboard  https://localhost:%s/dashboard#token=%s\n' "" "$port" "$token"
done
cat <<MSG
  One CA verifies every node: $ca (trust it in your browser, or accept the warning)

  Console, against Madrid (any node shows every warehouse):
    STOCKMESH_SERVER=https://localhost:$mad STOCKMESH_TOKEN=\$(cat '$root/MAD-1/admin.token') \\
    STOCKMESH_CA='$ca' $client warehouses

MSG
wait
