# Sourced by .ci/run: a throwaway PostgreSQL cluster on 127.0.0.1 for the test suite.
# start_postgres exports TEST_DATABASE_URL; stop_postgres removes the cluster again.

install_postgres() {
  if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    echo "== installing PostgreSQL from Debian's packages"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq postgresql >/dev/null
  fi
}

start_postgres() {
  install_postgres
  local bin user port
  bin=$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)")
  # PostgreSQL refuses to run as root: as root, the cluster belongs to the unprivileged user
  # postgres; otherwise to whoever runs this.
  user=$(id -un)
  PG_DIR=$(mktemp -d /tmp/tracking-ci-pg.XXXXXX)
  if [ "$(id -u)" = 0 ]; then
    user=postgres
    id "$user" >/dev/null 2>&1 || useradd --system --no-create-home "$user"
    chown "$user" "$PG_DIR"
  fi
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  as_pg() { if [ "$(id -u)" = 0 ]; then su "$user" -s /bin/sh -c "$*"; else sh -c "$*"; fi; }
  as_pg "$bin/initdb -D $PG_DIR/data -U tracking --auth=trust --encoding=UTF8 --locale=C.UTF-8 >$PG_DIR/initdb.log"
  as_pg "$bin/pg_ctl -D $PG_DIR/data -l $PG_DIR/server.log -w -t 60 -o \"-p $port -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off\" start >/dev/null" || {
    cat "$PG_DIR/server.log"
    echo "PostgreSQL could not be started: the PostgreSQL tests cannot run" >&2
    return 1
  }
  PG_CTL="$bin/pg_ctl"
  PG_USER=$user
  export TEST_DATABASE_URL="postgres://tracking@127.0.0.1:$port/postgres"
  echo "== PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
}

stop_postgres() {
  [ -n "${PG_DIR:-}" ] || return 0
  if [ "$(id -u)" = 0 ]; then
    su "$PG_USER" -s /bin/sh -c "$PG_CTL -D $PG_DIR/data -m fast stop" >/dev/null 2>&1 || true
  else
    "$PG_CTL" -D "$PG_DIR/data" -m fast stop >/dev/null 2>&1 || true
  fi
  rm -rf "$PG_DIR"
}
