#!/usr/bin/env bash
# Sourced by .ci/run (or run on its own). Makes sure a PostgreSQL server is serving on loopback, creates a
# throw-away role and database for this run and exports SHAPING_TEST_POSTGRES for the integration tests of
# tests/Shaping.Capacity.PostgreSql.Tests. Idempotent: installs only when missing, starts the cluster only
# when it is down. Each run gets its own role, password and database (random names), so two runs on one machine
# (two checkouts) do not drop each other's database or change each other's password; shaping_pg_teardown, which
# .ci/run calls on exit, drops them.
# A set SHAPING_TEST_POSTGRES is left alone. A failed setup fails the run when CI=true; locally it only warns
# (the integration tests then report themselves as skipped, naming the variable).

_shaping_pg_root() { if [[ $(id -u) == 0 ]]; then "$@"; else sudo -n "$@"; fi; }
_shaping_pg_psql() { _shaping_pg_root su postgres -s /bin/sh -c "PGOPTIONS=-cclient_min_messages=warning psql -X -q -v ON_ERROR_STOP=1 -p $1 -d postgres -c \"$2\""; }

_shaping_pg_setup() {
  if [[ -n "${SHAPING_TEST_POSTGRES:-}" ]]; then
    echo "ci: PostgreSQL: using SHAPING_TEST_POSTGRES from the environment"
    return 0
  fi
  if ! command -v pg_ctlcluster >/dev/null 2>&1 || ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    echo "ci: PostgreSQL: installing the distribution's package"
    _shaping_pg_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq || return 1
    _shaping_pg_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null || return 1
  fi
  local version port db password
  version=$(ls /etc/postgresql | sort -n | tail -1)
  [[ -n $version ]] || return 1
  port=$(pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" { print $3 }')
  [[ -n $port ]] || return 1
  if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" { print $4 }' | grep -q online; then
    _shaping_pg_root pg_ctlcluster "$version" main start || return 1
  fi
  pg_isready -q -h 127.0.0.1 -p "$port" -t 30 || return 1
  # A fresh role, password and database per run (the server listens on loopback only). The role owns its
  # database (the tests create and drop schemas in it) and ends its own sessions in the fault tests.
  password="ci$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
  db="shaping_ci_$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
  _shaping_pg_psql "$port" "CREATE ROLE $db LOGIN PASSWORD '$password'" || return 1
  _shaping_pg_teardown_db=$db
  _shaping_pg_teardown_port=$port
  _shaping_pg_psql "$port" "CREATE DATABASE $db OWNER $db" || return 1
  export SHAPING_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=$db;Password=$password;Database=$db"
  echo "ci: PostgreSQL $version serving on 127.0.0.1:$port, role and database $db"
}

if ! _shaping_pg_setup; then
  if [[ ${CI:-} == true ]]; then
    echo "ci: PostgreSQL setup failed (CI=true): failing the run" >&2
    exit 1
  fi
  echo "ci: PostgreSQL setup failed: the PostgreSQL integration tests will be skipped (set SHAPING_TEST_POSTGRES)" >&2
fi
unset -f _shaping_pg_setup

# Drops this run's database and role (nothing when none was created here).
shaping_pg_teardown() {
  if [[ -n "${_shaping_pg_teardown_db:-}" ]]; then
    # Two statements: DROP DATABASE cannot run inside the transaction one multi-statement -c would make.
    _shaping_pg_psql "$_shaping_pg_teardown_port" "DROP DATABASE IF EXISTS $_shaping_pg_teardown_db WITH (FORCE)" >/dev/null 2>&1 || true
    _shaping_pg_psql "$_shaping_pg_teardown_port" "DROP ROLE IF EXISTS $_shaping_pg_teardown_db" >/dev/null 2>&1 || true
    _shaping_pg_teardown_db=
  fi
}
