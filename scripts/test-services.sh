# Optional services for the test suite, `source`d by `./dev test` before pytest.
#
# Starts a throwaway PostgreSQL cluster on 127.0.0.1 (installing Debian's package
# if it is missing and we are root) and exports RIGHTCALL_TEST_POSTGRES_URL for the
# feedback-store test. It must never fail the run: on any problem it says why and
# returns, and that test skips. The cluster is left running for the next run.

_rightcall_postgres() {
  local dir=${RIGHTCALL_TEST_PG_DIR:-/tmp/rightcall-test-pg}
  local port=${RIGHTCALL_TEST_PG_PORT:-55432}
  local bin run=()
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$bin" ]; then
    if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
      echo "[test] PostgreSQL is not installed and cannot be installed here"
      return 1
    fi
    echo "[test] installing PostgreSQL from Debian's packages"
    apt-get update -qq >/dev/null 2>&1 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null 2>&1 \
      || { echo "[test] apt-get install postgresql failed"; return 1; }
    bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    [ -n "$bin" ] || { echo "[test] PostgreSQL binaries not found after install"; return 1; }
  fi
  if [ "$(id -u)" = "0" ]; then
    id postgres >/dev/null 2>&1 || { echo "[test] no 'postgres' user to run the server"; return 1; }
    run=(runuser -u postgres --)
  fi
  if ! ${run[@]+"${run[@]}"} "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
    rm -rf "$dir" 2>/dev/null && mkdir -p "$dir" 2>/dev/null \
      || { echo "[test] cannot create $dir"; return 1; }
    [ "$(id -u)" != "0" ] || chown postgres: "$dir" || return 1
    ${run[@]+"${run[@]}"} "$bin/initdb" -D "$dir" -U postgres --auth=trust -E UTF8 \
      >/dev/null 2>&1 || { echo "[test] initdb failed"; return 1; }
    ${run[@]+"${run[@]}"} "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 30 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir" start >/dev/null 2>&1 \
      || { echo "[test] PostgreSQL did not start (see $dir/server.log)"; return 1; }
  fi
  if ! "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -tAc \
      "SELECT 1 FROM pg_database WHERE datname = 'rightcall_test'" 2>/dev/null | grep -q 1; then
    "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres rightcall_test >/dev/null 2>&1 \
      || { echo "[test] could not create database rightcall_test"; return 1; }
  fi
  export RIGHTCALL_TEST_POSTGRES_URL="postgresql+psycopg://postgres@127.0.0.1:$port/rightcall_test"
  echo "[test] PostgreSQL for tests on 127.0.0.1:$port"
}

if ! _rightcall_postgres; then
  echo "[test] PostgreSQL tests will be skipped"
fi
unset -f _rightcall_postgres
