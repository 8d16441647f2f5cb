#!/usr/bin/env bash
# The API against its own OpenAPI schema: a server on 127.0.0.1 with a scratch database holding
# the demo data and a freshly built index, then schemathesis with every check (no 5xx, every
# response as the schema says, bad input refused, good input accepted), then the server stops.
#
#   tests/api_contract.sh                 # or: make api-contract
#   API_CONTRACT_EXAMPLES=200 tests/api_contract.sh
#
# It uses its own folder under $TMPDIR and never touches var/ or DATABASE_URL's database.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=$(cd "${VENV:-.venv}/bin" && pwd)
# A port nobody is using right now (other servers may run on this machine).
PORT=${API_CONTRACT_PORT:-$("$BIN/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
EXAMPLES=${API_CONTRACT_EXAMPLES:-40}
SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/archive-api-contract.XXXXXX")

export DJANGO_DEBUG=1
export ARCHIVE_VAR_DIR="$SCRATCH"
export DATABASE_URL="sqlite:///$SCRATCH/archive.sqlite3"
export SEARCH_URL="whoosh:$SCRATCH/whoosh"
# The contract run sends thousands of requests from one address; throttling is tested in
# tests/test_api.py instead.
export ARCHIVE_API_THROTTLE_RATE="100000/minute"
export DJANGO_LOG_LEVEL=ERROR  # every refused request would log a warning

server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$SCRATCH"
}
trap cleanup EXIT

echo "api-contract: scratch database and index in $SCRATCH"
"$BIN/python" manage.py migrate --noinput -v0
"$BIN/python" manage.py load_demo
"$BIN/python" manage.py rebuild_index --noinput
"$BIN/python" manage.py rebuild_reuse -v0

"$BIN/gunicorn" config.wsgi:application --bind "127.0.0.1:$PORT" --workers 2 \
  --access-logfile /dev/null --error-logfile "$SCRATCH/server.log" >>"$SCRATCH/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 50); do
  # Our own server must be the one answering: stop at once if it could not start.
  kill -0 "$server_pid" 2>/dev/null || { cat "$SCRATCH/server.log"; exit 1; }
  if "$BIN/python" -c "import urllib.request,sys; urllib.request.urlopen(sys.argv[1], timeout=1)" \
      "http://127.0.0.1:$PORT/api/schema/" >/dev/null 2>&1; then
    break
  fi
  sleep 0.2
done

kill -0 "$server_pid" 2>/dev/null || { cat "$SCRATCH/server.log"; exit 1; }
echo "api-contract: schemathesis on port $PORT, at most $EXAMPLES examples per operation"
status=0
# From the scratch folder, so that schemathesis's example database goes away with it.
CONFIG="$(pwd)/tests/schemathesis.toml"
(cd "$SCRATCH" && "$BIN/schemathesis" --config-file "$CONFIG" run "http://127.0.0.1:$PORT/api/schema/" \
  --checks all \
  --max-examples "$EXAMPLES" \
  --seed "${API_CONTRACT_SEED:-20261129}" \
  --suppress-health-check all \
  --no-color) || status=$?

if [ "$status" -ne 0 ] && [ -s "$SCRATCH/server.log" ]; then
  echo "--- server log"
  tail -n 60 "$SCRATCH/server.log"
fi
exit "$status"
