#!/usr/bin/env bash
# Make sure PostgreSQL and Redis answer; start local Debian services if they don't.
# Fails with one line naming what is missing, never silently.
set -u
db_url=${1:-postgres://postgres@127.0.0.1:5432/shop}
redis_url=${2:-redis://127.0.0.1:6379/0}
hostport=$(python3 -c "import sys,urllib.parse as u; p=u.urlparse(sys.argv[1]); print(p.hostname or '127.0.0.1', p.port or 5432, p.username or 'postgres')" "$db_url")
read -r pg_host pg_port pg_user <<<"$hostport"
rhost=$(python3 -c "import sys,urllib.parse as u; p=u.urlparse(sys.argv[1]); print(p.hostname or '127.0.0.1', p.port or 6379)" "$redis_url")
read -r r_host r_port <<<"$rhost"

pg_up() { pg_isready -q -h "$pg_host" -p "$pg_port" 2>/dev/null || python3 - "$pg_host" "$pg_port" <<'PY'
import socket, sys
s = socket.socket(); s.settimeout(1)
sys.exit(0 if s.connect_ex((sys.argv[1], int(sys.argv[2]))) == 0 else 1)
PY
}
redis_up() { python3 - "$r_host" "$r_port" <<'PY'
import socket, sys
s = socket.socket(); s.settimeout(1)
try:
    s.connect((sys.argv[1], int(sys.argv[2]))); s.sendall(b"PING\r\n"); ok = s.recv(16).startswith(b"+PONG")
except OSError:
    ok = False
sys.exit(0 if ok else 1)
PY
}

if ! pg_up; then
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    for v in $(ls /etc/postgresql); do pg_ctlcluster --skip-systemctl-redirect "$v" main start >/dev/null 2>&1 || true; done
    for _ in $(seq 1 30); do pg_up && break; sleep 1; done
  fi
  pg_up || { echo "make test: PostgreSQL is not running at $pg_host:$pg_port and could not be started (install postgresql or set DATABASE_URL)"; exit 1; }
fi
if ! redis_up; then
  if command -v redis-server >/dev/null 2>&1; then
    redis-server --daemonize yes --bind 127.0.0.1 --port "$r_port" --save "" --appendonly no >/dev/null 2>&1 || true
    for _ in $(seq 1 20); do redis_up && break; sleep 0.5; done
  fi
  redis_up || { echo "make test: Redis is not running at $r_host:$r_port and could not be started (install redis-server or set REDIS_URL)"; exit 1; }
fi
exit 0
