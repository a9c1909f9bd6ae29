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

# ---- a temporary PostgreSQL server (bench/durability.sh --provider postgres, deploy/run-local.sh) ------------------
# find_postgres : sets pgbin to a folder holding initdb, pg_ctl and psql (the PATH's first, then the newest
# /usr/lib/postgresql/*/bin); non-zero when there is none.
find_postgres() {
  pgbin=""
  local dir
  for dir in $(dirname "$(readlink -f "$(command -v initdb || echo /nonexistent)")" 2>/dev/null) $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -rV); do
    [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && [ -x "$dir/psql" ] && { pgbin="$dir"; return 0; }
  done
  return 1
}
postgres_install_hint="PostgreSQL's initdb, pg_ctl and psql (apt-get install -y postgresql)"

# The server refuses to run as root: as root, its commands run as user postgres (Debian's package makes it).
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

# start_postgres DIR PORT : a server with its cluster in DIR/data (made by initdb unless there already; trust
# authentication, superuser postgres), listening on 127.0.0.1:PORT only, its unix socket in DIR and its log in
# DIR/server.log, with the server's default durability (fsync and synchronous commit on). As root, DIR's parents must
# let user postgres through. Sets pgbin, pg_dir and pg_port; stop it with stop_postgres (the caller deletes DIR).
# Non-zero when the binaries are missing or the server does not start.
start_postgres() {
  pg_dir="$1"; pg_port="$2"
  find_postgres || { echo "needs $postgres_install_hint" >&2; return 2; }
  mkdir -p "$pg_dir"
  [ "$(id -u)" = 0 ] && chown postgres: "$pg_dir"
  if [ ! -d "$pg_dir/data" ]; then
    as_postgres "$pgbin/initdb" -D "$pg_dir/data" -U postgres --auth=trust --encoding=UTF8 --no-instructions >/dev/null || return 1
  fi
  as_postgres "$pgbin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w \
    -o "-p $pg_port -c listen_addresses=127.0.0.1 -c unix_socket_directories='$pg_dir'" start >/dev/null
}

# stop_postgres [MODE] : stops the server start_postgres started, if it runs (pg_ctl's MODE, default immediate: the
# data is thrown away after). Always succeeds, so that it can sit in a trap.
stop_postgres() {
  [ -n "${pg_dir:-}" ] && [ -f "$pg_dir/data/postmaster.pid" ] &&
    as_postgres "$pgbin/pg_ctl" -D "$pg_dir/data" -m "${1:-immediate}" -w stop >/dev/null 2>&1
  return 0
}

# pg_psql ARG... : psql as postgres on that server, over loopback TCP.
pg_psql() { "$pgbin/psql" -h 127.0.0.1 -p "$pg_port" -U postgres "$@"; }

# pg_settings DATABASE : the service's settings for a database on that server, one NAME=VALUE a line.
pg_settings() {
  echo Storage__Provider=Postgres
  echo "Storage__Postgres__ConnectionString=Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=$1"
}
