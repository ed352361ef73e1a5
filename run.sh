#!/usr/bin/env bash
# Starts the whole LiveIm system locally: nats-server, redis-server, RoomService and two RoomGateways.
# Development values only (dev signing key, dev tokens on). Ctrl-C stops everything.
#   ./run.sh               one nats-server and one redis-server
#   ./run.sh --cluster     clustered backends: a three-node NATS cluster (routes between every pair; RoomService and
#                          the gateways each on another node) and a three-master Redis Cluster
#   ./run.sh --monitoring  also runs Prometheus (PROMETHEUS_PORT=9090) with the shipped scrape config and alert rules
# Ports (override by environment): NATS_PORT=4222 NATS_MONITOR_PORT=8222 REDIS_PORT=6379
#   ROOMSERVICE_PORT=5100 GATEWAY1_PORT=5101 GATEWAY2_PORT=5102
#   with --cluster the NATS nodes use NATS_PORT..NATS_PORT+2, NATS_MONITOR_PORT..+2 and NATS_ROUTE_PORT=6222..+2;
#   Redis uses REDIS_PORT..+2 and the cluster bus ports REDIS_BUS_PORT..+2 (default REDIS_PORT + 10000)
# Every port is checked before anything starts; the banner is printed once every process answers ready.
set -euo pipefail
cd "$(dirname "$0")"

NATS_PORT=${NATS_PORT:-4222}
NATS_MONITOR_PORT=${NATS_MONITOR_PORT:-8222}
REDIS_PORT=${REDIS_PORT:-6379}
ROOMSERVICE_PORT=${ROOMSERVICE_PORT:-5100}
GATEWAY1_PORT=${GATEWAY1_PORT:-5101}
GATEWAY2_PORT=${GATEWAY2_PORT:-5102}
NATS_ROUTE_PORT=${NATS_ROUTE_PORT:-6222}
REDIS_BUS_PORT=${REDIS_BUS_PORT:-$((REDIS_PORT + 10000))}
PROMETHEUS_PORT=${PROMETHEUS_PORT:-9090}
READY_TIMEOUT=${READY_TIMEOUT:-60} # seconds each process may take to answer ready

fail() { echo "run.sh: $*" >&2; exit 1; }

CLUSTER=0
MONITORING=0
for arg in "$@"; do
  case "$arg" in
    --cluster) CLUSTER=1 ;;
    --monitoring) MONITORING=1 ;;
    *) echo "run.sh: unknown argument '$arg' (known: --cluster, --monitoring)" >&2; exit 2 ;;
  esac
done

# --- prerequisites --------------------------------------------------------------------------------------------------
need_apt=()
command -v nats-server >/dev/null 2>&1 || [[ -x /usr/sbin/nats-server ]] || need_apt+=(nats-server)
command -v redis-server >/dev/null 2>&1 || [[ -x /usr/bin/redis-server ]] || need_apt+=(redis-server)
if ((${#need_apt[@]})); then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "run.sh: installing ${need_apt[*]} with apt-get"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else
    fail "missing ${need_apt[*]}: run 'sudo apt-get install -y ${need_apt[*]}' and try again"
  fi
fi
command -v dotnet >/dev/null 2>&1 || fail "the .NET 10 SDK (dotnet) is missing: install it from https://dot.net and try again"
command -v curl >/dev/null 2>&1 || fail "curl is missing (the readiness checks use it): run 'sudo apt-get install -y curl'"
if ((MONITORING)) && ! command -v prometheus >/dev/null 2>&1; then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "run.sh: installing prometheus with apt-get (for --monitoring)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus >/dev/null
  else
    fail "--monitoring needs prometheus: run 'sudo apt-get install -y prometheus' and try again"
  fi
fi
PATH="$PATH:/usr/sbin"

# --- ports: all free before anything starts ------------------------------------------------------------------------
# A port counts as taken when anything listens on it, on any address: the Debian nats-server and redis-server
# packages start their own servers on 4222 and 6379, and a second server on the same port would fail later and less
# clearly. The holder comes from ss (root sees every process; others see their own).
port_holder() { # prints "name (pid n)" of the process listening on $1, or nothing when the port is free
  local port=$1 line users
  if command -v ss >/dev/null 2>&1; then
    line=$(ss -Hltnp "sport = :$port" 2>/dev/null | head -1)
    [[ -n $line ]] || return 0
    users=$(grep -oE 'users:\(\("[^"]+",pid=[0-9]+' <<<"$line" | head -1 || true)
    if [[ -n $users ]]; then
      sed -E 's/users:\(\("([^"]+)",pid=([0-9]+)/\1 (pid \2)/' <<<"$users"
    else
      echo "a process of another user (see: sudo ss -ltnp 'sport = :$port')"
    fi
  elif (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "an unknown process"
  fi
}
declare -A seen=()
taken=0
specs=("ROOMSERVICE_PORT:$ROOMSERVICE_PORT:RoomService" "GATEWAY1_PORT:$GATEWAY1_PORT:gateway 1" "GATEWAY2_PORT:$GATEWAY2_PORT:gateway 2")
if ((CLUSTER)); then
  for i in 0 1 2; do
    specs+=("NATS_PORT:$((NATS_PORT + i)):NATS node $((i + 1))" "NATS_MONITOR_PORT:$((NATS_MONITOR_PORT + i)):NATS node $((i + 1)) monitoring"
            "NATS_ROUTE_PORT:$((NATS_ROUTE_PORT + i)):NATS node $((i + 1)) routes" "REDIS_PORT:$((REDIS_PORT + i)):Redis node $((i + 1))"
            "REDIS_BUS_PORT:$((REDIS_BUS_PORT + i)):Redis node $((i + 1)) cluster bus")
  done
else
  specs+=("NATS_PORT:$NATS_PORT:NATS" "NATS_MONITOR_PORT:$NATS_MONITOR_PORT:NATS monitoring" "REDIS_PORT:$REDIS_PORT:Redis")
fi
((MONITORING == 0)) || specs+=("PROMETHEUS_PORT:$PROMETHEUS_PORT:Prometheus")
for spec in "${specs[@]}"; do
  IFS=: read -r var port what <<<"$spec"
  [[ $port =~ ^[0-9]+$ && $port -ge 1 && $port -le 65535 ]] || fail "$var=$port is not a port number (1-65535)"
  if [[ -n ${seen[$port]:-} ]]; then
    fail "$var and ${seen[$port]} are both $port: give each process its own port"
  fi
  seen[$port]=$var
  holder=$(port_holder "$port")
  if [[ -n $holder ]]; then
    echo "run.sh: port $port ($what) is in use by $holder; stop it, or choose another port, e.g. $var=$((port + 1)) ./run.sh" >&2
    taken=1
  fi
done
((taken == 0)) || exit 1

# --- build and start -----------------------------------------------------------------------------------------------
state=.run
mkdir -p "$state"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
echo "run.sh: building (dotnet build LiveIm.sln -c Release)"
if ! dotnet build LiveIm.sln -c Release -v quiet -nologo >"$state/build.log" 2>&1; then
  echo "run.sh: the build failed; its errors (all of it in $state/build.log):" >&2
  grep -E ': error ' "$state/build.log" | sort -u | head -20 >&2
  exit 1
fi

declare -A proc_pid=() proc_log=()
order=()
stopping=0
stop_all() {
  for name in "${order[@]}"; do kill "${proc_pid[$name]}" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
on_signal() {
  stopping=1
  stop_all
  echo
  echo "run.sh: stopped"
  exit 0
}
trap on_signal INT TERM
trap stop_all EXIT

start() { # start NAME LOG COMMAND...: runs COMMAND in the background, output to LOG
  local name=$1 log=$2
  shift 2
  "$@" >"$log" 2>&1 &
  proc_pid[$name]=$!
  proc_log[$name]=$log
  order+=("$name")
}

exit_text() { # "exit code n", or for a process ended by a signal "killed by SIGKILL (exit code 137)"
  local code=$1 signal
  if ((code > 128)) && signal=$(kill -l $((code - 128)) 2>/dev/null); then
    echo "killed by SIG$signal (exit code $code)"
  else
    echo "exit code $code"
  fi
}

# Why a process is not running or not ready: its exit and the last lines of its log.
report_failure() { # report_failure NAME WHY
  local name=$1 why=$2
  echo "run.sh: $name $why; last lines of ${proc_log[$name]}:" >&3
  if [[ -s ${proc_log[$name]} ]]; then
    tail -n 15 "${proc_log[$name]}" | sed 's/^/  | /' >&3
  else
    echo "  | (nothing yet)" >&3
  fi
}

# --- NATS: one server, or with --cluster three nodes with routes between every pair ---------------------------------
# NATS_URLS: the URL each of RoomService, gateway 1 and gateway 2 is given (one node each; a client learns the other
# nodes of a cluster from the node it reaches).
if ((CLUSTER)); then
  routes=""
  for i in 0 1 2; do routes+="${routes:+,}nats://127.0.0.1:$((NATS_ROUTE_PORT + i))"; done
  NATS_URLS=()
  NATS_INFO="3-node cluster 'liveim'"
  for i in 0 1 2; do
    start "nats $((i + 1))" "$state/nats-$((i + 1)).log" nats-server -a 127.0.0.1 -p "$((NATS_PORT + i))" \
      -m "$((NATS_MONITOR_PORT + i))" --name "liveim-$((i + 1))" --cluster_name liveim \
      --cluster "nats://127.0.0.1:$((NATS_ROUTE_PORT + i))" --routes "$routes"
    NATS_URLS+=("nats://127.0.0.1:$((NATS_PORT + i))")
    NATS_INFO+=$'\n'"                node $((i + 1)) nats://127.0.0.1:$((NATS_PORT + i))   (monitoring http://127.0.0.1:$((NATS_MONITOR_PORT + i))/routez)"
  done
else
  start nats "$state/nats.log" nats-server -a 127.0.0.1 -p "$NATS_PORT" -m "$NATS_MONITOR_PORT"
  NATS_URLS=("nats://127.0.0.1:$NATS_PORT" "nats://127.0.0.1:$NATS_PORT" "nats://127.0.0.1:$NATS_PORT")
  NATS_INFO="nats://127.0.0.1:$NATS_PORT   (monitoring http://127.0.0.1:$NATS_MONITOR_PORT)"
fi

# --- Redis: one server, or with --cluster a three-master Redis Cluster (docs/operations.md, "Redis Cluster") -------
if ((CLUSTER)); then
  redis_dir="$state/redis-cluster"
  rm -rf "$redis_dir"; mkdir -p "$redis_dir"
  redis_nodes=()
  for i in 0 1 2; do
    port=$((REDIS_PORT + i))
    start "redis $((i + 1))" "$state/redis-$port.log" redis-server --bind 127.0.0.1 --port "$port" --save "" \
      --appendonly no --daemonize no --cluster-enabled yes --cluster-port $((REDIS_BUS_PORT + i)) \
      --cluster-config-file "nodes-$port.conf" --cluster-node-timeout 5000 --dir "$redis_dir"
    redis_nodes+=("127.0.0.1:$port")
  done
  for i in 0 1 2; do
    for _ in $(seq 1 100); do redis-cli -p $((REDIS_PORT + i)) ping >/dev/null 2>&1 && break; sleep 0.1; done
  done
  redis-cli --cluster create "${redis_nodes[@]}" --cluster-replicas 0 --cluster-yes >"$state/redis-cluster-create.log" 2>&1 \
    || fail "redis-cli --cluster create failed; see $state/redis-cluster-create.log"
  REDIS_CONFIGURATION=$(IFS=,; echo "${redis_nodes[*]}")
  REDIS_INFO="Redis Cluster, 3 masters: $REDIS_CONFIGURATION"
else
  start redis "$state/redis.log" redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no
  REDIS_CONFIGURATION="127.0.0.1:$REDIS_PORT"
  REDIS_INFO="127.0.0.1:$REDIS_PORT"
fi

# DEVELOPMENT ONLY: Development environment = built-in dev signing key and admin token; dev tokens enabled.
# Drain:OnShutdown off: Ctrl-C should stop at once, not spread reconnects over 30 s (try a drain with the banner's
# command instead).
export ASPNETCORE_ENVIRONMENT=Development Drain__OnShutdown=false
export Redis__Configuration="$REDIS_CONFIGURATION"
Nats__Url="${NATS_URLS[0]}" DevTokens__Enabled=true start roomservice "$state/roomservice.log" \
  dotnet RoomService/bin/Release/net10.0/RoomService.dll --urls "http://127.0.0.1:$ROOMSERVICE_PORT"
Nats__Url="${NATS_URLS[1]}" Gateway__Id=gw1 start "gateway 1" "$state/gateway1.log" \
  dotnet RoomGateway/bin/Release/net10.0/RoomGateway.dll --urls "http://127.0.0.1:$GATEWAY1_PORT"
Nats__Url="${NATS_URLS[2]}" Gateway__Id=gw2 start "gateway 2" "$state/gateway2.log" \
  dotnet RoomGateway/bin/Release/net10.0/RoomGateway.dll --urls "http://127.0.0.1:$GATEWAY2_PORT"

# --- monitoring (--monitoring): Prometheus on the local processes, with deploy/prometheus's config ------------------
# deploy/prometheus/local-config.sh rewrites the shipped scrape config for this run's ports (the same rewrite the
# deployment tests use).
if ((MONITORING)); then
  deploy/prometheus/local-config.sh --gateways "127.0.0.1:$GATEWAY1_PORT,127.0.0.1:$GATEWAY2_PORT" \
    --roomservices "127.0.0.1:$ROOMSERVICE_PORT" --prometheus "127.0.0.1:$PROMETHEUS_PORT" >"$state/prometheus.yml"
  start prometheus "$state/prometheus.log" prometheus --config.file="$state/prometheus.yml" \
    --storage.tsdb.path="$state/prometheus-data" --web.listen-address="127.0.0.1:$PROMETHEUS_PORT"
fi

# From here on the shell's own stderr is quiet: bash would add a job notice ("line 150: 5944 Aborted ...") for a
# process killed by a signal, next to report_failure's message that already names the process and its exit code.
exec 3>&2 2>/dev/null

# --- ready: every process answers, or the first that cannot is named -----------------------------------------------
ready_check() { # ready_check NAME: succeeds when that process is ready
  case $1 in
    nats) curl -fs "http://127.0.0.1:$NATS_MONITOR_PORT/healthz" >/dev/null 2>&1 ;;
    "nats "[123]) # a cluster node is ready when it is healthy and routed to the other two
      local m=$((NATS_MONITOR_PORT + ${1#nats } - 1))
      curl -fs "http://127.0.0.1:$m/healthz" >/dev/null 2>&1 && curl -fs "http://127.0.0.1:$m/routez" 2>/dev/null | grep -q '"num_routes": 2' ;;
    redis) [[ $(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null) == PONG ]] ;;
    "redis "[123]) redis-cli -h 127.0.0.1 -p $((REDIS_PORT + ${1#redis } - 1)) cluster info 2>/dev/null | grep -q cluster_state:ok ;;
    prometheus) curl -fs "http://127.0.0.1:$PROMETHEUS_PORT/-/ready" >/dev/null 2>&1 ;;
    roomservice) curl -fs "http://127.0.0.1:$ROOMSERVICE_PORT/readyz" >/dev/null 2>&1 ;;
    "gateway 1") curl -fs "http://127.0.0.1:$GATEWAY1_PORT/readyz" >/dev/null 2>&1 ;;
    "gateway 2") curl -fs "http://127.0.0.1:$GATEWAY2_PORT/readyz" >/dev/null 2>&1 ;;
  esac
}
ready_url() {
  case $1 in
    roomservice) echo "http://127.0.0.1:$ROOMSERVICE_PORT/readyz" ;;
    "gateway 1") echo "http://127.0.0.1:$GATEWAY1_PORT/readyz" ;;
    "gateway 2") echo "http://127.0.0.1:$GATEWAY2_PORT/readyz" ;;
  esac
}
deadline=$((SECONDS + READY_TIMEOUT))
for name in "${order[@]}"; do
  until ready_check "$name"; do
    if ! kill -0 "${proc_pid[$name]}" 2>/dev/null; then
      code=0
      wait "${proc_pid[$name]}" 2>/dev/null || code=$?
      report_failure "$name" "exited during start-up ($(exit_text "$code"))"
      exit 1
    fi
    if ((SECONDS >= deadline)); then
      why="was not ready after ${READY_TIMEOUT} s"
      if url=$(ready_url "$name") && [[ -n $url ]]; then
        why+=" ($url: $(curl -s --max-time 2 "$url" 2>/dev/null || echo "no answer"))"
      fi
      report_failure "$name" "$why"
      exit 1
    fi
    sleep 0.2
  done
done

cat <<INFO
LiveIm is running (logs in $state/):
  NATS          $NATS_INFO
  Redis         $REDIS_INFO
  RoomService   http://127.0.0.1:$ROOMSERVICE_PORT   (dev tokens: POST /api/dev/token)
  Gateway 1     http://127.0.0.1:$GATEWAY1_PORT/hubs/room
  Gateway 2     http://127.0.0.1:$GATEWAY2_PORT/hubs/room
  Assignment    http://127.0.0.1:$ROOMSERVICE_PORT/api/gateways/assign?roomId=demo   (which gateway a client should use)
  Demo room     http://127.0.0.1:$ROOMSERVICE_PORT/demo/   (streamer: /demo/streamer.html?room=demo, viewer: /demo/viewer.html?room=demo&delay=5)
  Drain         curl -XPOST -H 'Authorization: Bearer liveim-DEVELOPMENT-ONLY-admin-token' http://127.0.0.1:$GATEWAY1_PORT/admin/drain
INFO
if ((MONITORING)); then
  cat <<MONITORING
  Prometheus    http://127.0.0.1:$PROMETHEUS_PORT   (targets: /targets, LiveIm's alerts: /alerts; config $state/prometheus.yml)
                The Grafana dashboard is deploy/grafana/dashboards/liveim.json (import it with this Prometheus as data source).
MONITORING
fi
cat <<INFO
Try: curl -s -XPOST http://127.0.0.1:$ROOMSERVICE_PORT/api/dev/token -H 'content-type: application/json' \\
       -d '{"userId":"u1","name":"Ann","role":"streamer","room":"demo"}'
     or the JavaScript quick start: cd examples/quickstart && npm install && node quickstart.mjs
Ctrl-C stops everything.
INFO

# --- run until Ctrl-C, or until a process ends on its own ----------------------------------------------------------
exited=""
code=0
wait -n -p exited "${proc_pid[@]}" || code=$?
((stopping == 0)) || exit 0
for name in "${order[@]}"; do
  if [[ ${proc_pid[$name]} == "$exited" ]]; then
    report_failure "$name" "exited ($(exit_text "$code")); stopping the others"
  fi
done
exit 1
