# Shared by the benchmarks: a release `kaiten serve` on a fresh database of a local PostgreSQL
# server, loopback only, torn down on exit. Source it, then call `start_server`.
# Needs BENCH_ADMIN_URL (default the local server) to create the database. With
# BENCH_EMBEDDED=1 the server runs on its own embedded cluster instead (wal_level=logical),
# in a throwaway data directory. Extra server settings: export them before `start_server`.

admin_url=${BENCH_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}
db="kaiten_bench_$$"
url="${admin_url%/*}/$db"
work=$(mktemp -d)
chmod 755 "$work" # the embedded cluster runs as `postgres` when the bench runs as root
server_pid=""
core_port=""
platform_port=""
platform_token=""

cleanup() {
  stop_server
  # A WAL relay leaves its slot behind, and a slot keeps its database from being dropped.
  psql -q "$admin_url" -c "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = '$db'" \
    >/dev/null 2>&1 || true
  psql -q "$admin_url" -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

start_server() {
  echo "== building (release)"
  cargo build --release -q -p kaiten -p kaiten-load
  local database=(DATABASE_URL="$url")
  if [[ ${BENCH_EMBEDDED:-} == 1 ]]; then
    database=(KAITEN_DATA_DIR="$work/data")
  else
    psql -q "$admin_url" -c "CREATE DATABASE $db" >/dev/null
  fi
  core_port=$(free_port)
  platform_port=$(free_port)
  # The server runs with its defaults (pool size included) unless BENCH_POOL says otherwise.
  [[ -n ${BENCH_POOL:-} ]] && export KAITEN_DB_MAX_CONNECTIONS=$BENCH_POOL
  env -u DATABASE_URL "${database[@]}" KAITEN_HOST=127.0.0.1 KAITEN_PORT=$core_port KAITEN_PLATFORM_PORT=$platform_port \
    KAITEN_LOG=warn target/release/kaiten serve >"$work/serve.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 100); do
    curl -sf "http://127.0.0.1:$core_port/api/healthz" >/dev/null && break
    sleep 0.1
  done
  platform_token=$(env -u DATABASE_URL "${database[@]}" KAITEN_LOG=warn target/release/kaiten platform-token create --name bench | tail -n1)
}

stop_server() {
  if [[ -n $server_pid ]]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
  fi
}

# kaiten-load against the running server: load SUBCOMMAND [ARGS...]
load() {
  local command=$1
  shift
  KAITEN_PLATFORM_TOKEN=$platform_token target/release/kaiten-load "$command" \
    --core "http://127.0.0.1:$core_port" --platform "http://127.0.0.1:$platform_port" "$@"
}
