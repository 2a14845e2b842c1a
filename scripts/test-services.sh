# Optional services for the test suite, `source`d by `./dev test` and `./dev stop`.
#
# `rightcall_services_start` starts a throwaway PostgreSQL cluster on 127.0.0.1 (installing
# Debian's package if it is missing and we are root) and exports RIGHTCALL_TEST_POSTGRES_URL
# for the feedback-store test. It must never fail the run: on any problem it says why and
# returns, and that test skips. It sets RIGHTCALL_SERVICES_STARTED=1 only when it started
# the server itself, so `./dev test` stops only a server it started (a cluster another run
# is using stays up). `rightcall_services_stop` stops the cluster whoever started it.

_rightcall_pg_dir() { echo "${RIGHTCALL_TEST_PG_DIR:-/tmp/rightcall-test-pg}"; }

_rightcall_pg_bin() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

# Run a PostgreSQL server binary as the 'postgres' user when we are root (it refuses root).
_rightcall_pg_run() {
  if [ "$(id -u)" = "0" ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

_rightcall_postgres() {
  local dir port bin
  dir=$(_rightcall_pg_dir)
  port=${RIGHTCALL_TEST_PG_PORT:-55432}
  bin=$(_rightcall_pg_bin)
  if [ -z "$bin" ]; then
    if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
      echo "[test] PostgreSQL is not installed and cannot be installed here"
      return 1
    fi
    echo "[test] installing PostgreSQL from Debian's packages"
    apt-get update -qq >/dev/null 2>&1 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null 2>&1 \
      || { echo "[test] apt-get install postgresql failed"; return 1; }
    bin=$(_rightcall_pg_bin)
    [ -n "$bin" ] || { echo "[test] PostgreSQL binaries not found after install"; return 1; }
  fi
  if [ "$(id -u)" = "0" ]; then
    id postgres >/dev/null 2>&1 || { echo "[test] no 'postgres' user to run the server"; return 1; }
  fi
  if ! _rightcall_pg_run "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
    rm -rf "$dir" 2>/dev/null && mkdir -p "$dir" 2>/dev/null \
      || { echo "[test] cannot create $dir"; return 1; }
    [ "$(id -u)" != "0" ] || chown postgres: "$dir" || return 1
    _rightcall_pg_run "$bin/initdb" -D "$dir" -U postgres --auth=trust -E UTF8 \
      >/dev/null 2>&1 || { echo "[test] initdb failed"; return 1; }
    _rightcall_pg_run "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 30 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir" start >/dev/null 2>&1 \
      || { echo "[test] PostgreSQL did not start (see $dir/server.log)"; return 1; }
    RIGHTCALL_SERVICES_STARTED=1
  fi
  if ! "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -tAc \
      "SELECT 1 FROM pg_database WHERE datname = 'rightcall_test'" 2>/dev/null | grep -q 1; then
    "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres rightcall_test >/dev/null 2>&1 \
      || { echo "[test] could not create database rightcall_test"; return 1; }
  fi
  export RIGHTCALL_TEST_POSTGRES_URL="postgresql+psycopg://postgres@127.0.0.1:$port/rightcall_test"
  echo "[test] PostgreSQL for tests on 127.0.0.1:$port"
}

rightcall_services_start() {
  RIGHTCALL_SERVICES_STARTED=0
  if ! _rightcall_postgres; then
    echo "[test] PostgreSQL tests will be skipped"
  fi
}

rightcall_services_stop() {
  local dir bin
  dir=$(_rightcall_pg_dir)
  bin=$(_rightcall_pg_bin)
  if [ -z "$bin" ] || ! _rightcall_pg_run "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
    echo "[stop] no test PostgreSQL server running in $dir"
    return 0
  fi
  if _rightcall_pg_run "$bin/pg_ctl" -D "$dir" -w -t 30 -m fast stop >/dev/null 2>&1; then
    echo "[stop] stopped the test PostgreSQL server in $dir"
  else
    echo "[stop] could not stop the test PostgreSQL server in $dir (see $dir/server.log)"
    return 1
  fi
}
