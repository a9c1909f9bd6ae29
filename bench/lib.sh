# Shared by the scripts that start the service as a process on loopback (bench/*.sh, deploy/run-local.sh); sourced,
# not run. The callers own their traps: what these functions start is theirs to stop.

# True when nothing listens on 127.0.0.1:PORT.
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# The first free loopback port from FROM on (50 tries), printed; non-zero when there is none.
free_port() {
  local port="$1"
  for _ in $(seq 1 50); do
    port_free "$port" && { echo "$port"; return 0; }
    port=$((port + 1))
  done
  echo "no free port from $1 on" >&2
  return 1
}

# start_service DLL PORT DATA_DIR LOG [NAME=VALUE]... : the built service (its own dll, so the pid is the service and
# not a `dotnet run` launcher) on 127.0.0.1:PORT with its store in DATA_DIR, warnings and errors only in LOG, the
# extra settings last so they win. Sets service_pid.
start_service() {
  local dll="$1" port="$2" data="$3" log="$4"
  shift 4
  env Urls="http://127.0.0.1:$port" Storage__DataDirectory="$data" Logging__LogLevel__Default=Warning "$@" \
    dotnet "$dll" >"$log" 2>&1 &
  service_pid=$!
}

# wait_ready BASE_URL [SECONDS] [PID] : until BASE_URL/health/ready answers 200 (default 60 s); non-zero on time-out
# or when PID, the service, has exited first.
wait_ready() {
  local base="$1" seconds="${2:-60}" pid="${3:-}"
  for _ in $(seq 1 $((seconds * 4))); do
    curl -sf -o /dev/null --max-time 2 "$base/health/ready" && return 0
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
      return 1
    fi
    sleep 0.25
  done
  return 1
}

# The service's dll as `dotnet build -c CONFIG src/OpenSesame.Api` leaves it, relative to the repository root.
service_dll() { echo "src/OpenSesame.Api/bin/$1/net10.0/OpenSesame.Api.dll"; }
