# Sourced by the experiment scripts: a scratch data directory and the API started on it on 127.0.0.1, stopped and removed
# when the script ends. Before sourcing: port=...; after: $work, $base, $cli, Storage__DataDirectory exported.
# Extra settings for the service go in the environment of `start_service` (VAR=value start_service).
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export Storage__DataDirectory="$work/data"
base="http://127.0.0.1:$port"
dotnet build src/OpenSesame.Cli -v q -nologo >/dev/null
dotnet build src/OpenSesame.Api -v q -nologo >/dev/null
cli=(dotnet src/OpenSesame.Cli/bin/Debug/net10.0/opensesame.dll)

start_service() {
  # Every prediction waits for its spec's operation vectors, as in evaluation: the numbers must not depend on timing.
  Specs__Folders__0="$PWD/samples" Ranking__ReloadInterval=00:00:02 Security__RateLimit__Enabled=false Semantics__BackgroundIndexing=false \
    dotnet src/OpenSesame.Api/bin/Debug/net10.0/OpenSesame.Api.dll --urls "$base" >"$work/api.log" 2>&1 &
  api_pid=$!
  trap 'kill "$api_pid" 2>/dev/null || true; rm -rf "$work"' EXIT
  until curl -sf "$base/health/live" >/dev/null; do sleep 1; done
}

# Sessions FIRST..FIRST+COUNT-1 of the workflow CALL... on the sample billing spec.
sessions() {
  python3 eval/experiments/sessions.py "$base" "$PWD/samples/specs/billing.yaml" "$@"
}
