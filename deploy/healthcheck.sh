#!/usr/bin/env bash
# The image's HEALTHCHECK, and the same probe run by deploy/run-local.sh against processes: 0 when GET /health/live
# answers 200. Written with bash's /dev/tcp because the .NET runtime image has neither curl nor wget, and adding one
# to the image only for this would be one more package to patch.
# Usage: healthcheck.sh [PORT]   (default: the first of ASPNETCORE_HTTP_PORTS, else 8080)
set -euo pipefail
ports="${ASPNETCORE_HTTP_PORTS:-8080}"
port="${1:-${ports%%[;,]*}}"
exec 3<>"/dev/tcp/127.0.0.1/$port"
# HTTP/1.0: the server closes the connection after the answer, so nothing waits for a keep-alive to end.
printf 'GET /health/live HTTP/1.0\r\n\r\n' >&3
IFS= read -r -t 5 status <&3
[[ "$status" == "HTTP/1."?" 200 "* ]]
