#!/usr/bin/env bash
# Starts the whole LiveIm system locally: nats-server, redis-server, RoomService and two RoomGateways.
# Development values only (dev signing key, dev tokens on). Ctrl-C stops everything.
# Ports (override by environment): NATS_PORT=4222 NATS_MONITOR_PORT=8222 REDIS_PORT=6379
#   ROOMSERVICE_PORT=5100 GATEWAY1_PORT=5101 GATEWAY2_PORT=5102
# --cluster: clustered backends. Redis: a three-master Redis Cluster on REDIS_PORT, +1, +2 (cluster bus ports
#   REDIS_BUS_PORT, +1, +2; default REDIS_PORT + 10000), every process given all three nodes.
set -euo pipefail
cd "$(dirname "$0")"

NATS_PORT=${NATS_PORT:-4222}
NATS_MONITOR_PORT=${NATS_MONITOR_PORT:-8222}
REDIS_PORT=${REDIS_PORT:-6379}
ROOMSERVICE_PORT=${ROOMSERVICE_PORT:-5100}
GATEWAY1_PORT=${GATEWAY1_PORT:-5101}
GATEWAY2_PORT=${GATEWAY2_PORT:-5102}
REDIS_BUS_PORT=${REDIS_BUS_PORT:-$((REDIS_PORT + 10000))}

CLUSTER=0
for arg in "$@"; do
  case "$arg" in
    --cluster) CLUSTER=1 ;;
    *) echo "run.sh: unknown argument '$arg' (known: --cluster)" >&2; exit 2 ;;
  esac
done

need_apt=()
command -v nats-server >/dev/null 2>&1 || [[ -x /usr/sbin/nats-server ]] || need_apt+=(nats-server)
command -v redis-server >/dev/null 2>&1 || [[ -x /usr/bin/redis-server ]] || need_apt+=(redis-server)
if ((${#need_apt[@]})); then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "run.sh: installing ${need_apt[*]} with apt-get"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else
    echo "run.sh: missing ${need_apt[*]}: run 'sudo apt-get install -y ${need_apt[*]}' and try again" >&2
    exit 1
  fi
fi
command -v dotnet >/dev/null 2>&1 || { echo "run.sh: the .NET 10 SDK (dotnet) is missing" >&2; exit 1; }
PATH="$PATH:/usr/sbin"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build LiveIm.sln -c Release -v quiet -nologo

state=.run
mkdir -p "$state"
pids=()
stop() {
  echo; echo "run.sh: stopping"
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop EXIT INT TERM

nats-server -a 127.0.0.1 -p "$NATS_PORT" -m "$NATS_MONITOR_PORT" >"$state/nats.log" 2>&1 & pids+=($!)

# --- Redis: one server, or with --cluster a three-master Redis Cluster (docs/operations.md, "Redis Cluster") ---
start_redis_cluster() {
  local dir="$state/redis-cluster" nodes=() i port
  rm -rf "$dir"; mkdir -p "$dir"
  for i in 0 1 2; do
    port=$((REDIS_PORT + i))
    redis-server --bind 127.0.0.1 --port "$port" --save "" --appendonly no --daemonize no \
      --cluster-enabled yes --cluster-port $((REDIS_BUS_PORT + i)) --cluster-config-file "nodes-$port.conf" \
      --cluster-node-timeout 5000 --dir "$dir" >"$state/redis-$port.log" 2>&1 & pids+=($!)
    nodes+=("127.0.0.1:$port")
  done
  for i in 0 1 2; do
    for _ in $(seq 1 100); do redis-cli -p $((REDIS_PORT + i)) ping >/dev/null 2>&1 && break; sleep 0.1; done
  done
  redis-cli --cluster create "${nodes[@]}" --cluster-replicas 0 --cluster-yes >"$state/redis-cluster-create.log" 2>&1
  for i in 0 1 2; do
    for _ in $(seq 1 100); do redis-cli -p $((REDIS_PORT + i)) cluster info 2>/dev/null | grep -q cluster_state:ok && break; sleep 0.1; done
  done
  REDIS_CONFIGURATION=$(IFS=,; echo "${nodes[*]}")
  REDIS_DESCRIPTION="Redis Cluster, 3 masters: $REDIS_CONFIGURATION"
}
if ((CLUSTER)); then
  start_redis_cluster
else
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no >"$state/redis.log" 2>&1 & pids+=($!)
  REDIS_CONFIGURATION="127.0.0.1:$REDIS_PORT"
  REDIS_DESCRIPTION="127.0.0.1:$REDIS_PORT"
fi
# --- end of Redis ---

# DEVELOPMENT ONLY: Development environment = built-in dev signing key; dev tokens enabled.
export ASPNETCORE_ENVIRONMENT=Development
export Nats__Url="nats://127.0.0.1:$NATS_PORT" Redis__Configuration="$REDIS_CONFIGURATION"
DevTokens__Enabled=true dotnet RoomService/bin/Release/net10.0/RoomService.dll --urls "http://127.0.0.1:$ROOMSERVICE_PORT" >"$state/roomservice.log" 2>&1 & pids+=($!)
Gateway__Id=gw1 dotnet RoomGateway/bin/Release/net10.0/RoomGateway.dll --urls "http://127.0.0.1:$GATEWAY1_PORT" >"$state/gateway1.log" 2>&1 & pids+=($!)
Gateway__Id=gw2 dotnet RoomGateway/bin/Release/net10.0/RoomGateway.dll --urls "http://127.0.0.1:$GATEWAY2_PORT" >"$state/gateway2.log" 2>&1 & pids+=($!)

for url in "http://127.0.0.1:$ROOMSERVICE_PORT/healthz" "http://127.0.0.1:$GATEWAY1_PORT/healthz" "http://127.0.0.1:$GATEWAY2_PORT/healthz"; do
  for _ in $(seq 1 100); do curl -fs "$url" >/dev/null 2>&1 && break; sleep 0.2; done
done

cat <<INFO
LiveIm is running (logs in $state/):
  NATS          nats://127.0.0.1:$NATS_PORT   (monitoring http://127.0.0.1:$NATS_MONITOR_PORT)
  Redis         $REDIS_DESCRIPTION
  RoomService   http://127.0.0.1:$ROOMSERVICE_PORT   (dev tokens: POST /api/dev/token)
  Gateway 1     http://127.0.0.1:$GATEWAY1_PORT/hubs/room
  Gateway 2     http://127.0.0.1:$GATEWAY2_PORT/hubs/room
  Assignment    http://127.0.0.1:$ROOMSERVICE_PORT/api/gateways/assign?roomId=demo   (which gateway a client should use)
  Drain         curl -XPOST -H 'Authorization: Bearer liveim-DEVELOPMENT-ONLY-admin-token' http://127.0.0.1:$GATEWAY1_PORT/admin/drain
Try: curl -s -XPOST http://127.0.0.1:$ROOMSERVICE_PORT/api/dev/token -H 'content-type: application/json' \\
       -d '{"userId":"u1","name":"Ann","role":"streamer","room":"demo"}'
Ctrl-C stops everything.
INFO
wait -n "${pids[@]}" || true
echo "run.sh: a process exited; see $state/*.log"
