# shellcheck shell=bash
# InfluxDB 1.x, Prometheus, Alertmanager (Debian), cAdvisor (Go module proxy), lxcfs (Debian),
# and the benchmark peers rsyslog+omkafka and kcat (installed, not started).

# Ports (and Prometheus' config) can be moved for a second instance, as for Kafka in java.sh.
INFLUX_PORT=${CARGOSCOPE_INFLUXDB_PORT:-8086}
INFLUX_RPC_PORT=${CARGOSCOPE_INFLUXDB_RPC_PORT:-18088}
PROM_PORT=${CARGOSCOPE_PROMETHEUS_PORT:-9090}
PROM_CONFIG=${CARGOSCOPE_PROMETHEUS_CONFIG:-$SERVICES_DIR/prometheus.yml}
AM_PORT=${CARGOSCOPE_ALERTMANAGER_PORT:-9093}
INFLUX_URL=http://127.0.0.1:$INFLUX_PORT
PROM_URL=http://127.0.0.1:$PROM_PORT
AM_URL=http://127.0.0.1:$AM_PORT
CADVISOR_URL=http://127.0.0.1:8080
CADVISOR_VERSION=v0.36.0
# cAdvisor v0.36.0's main calls flag.Set("v") before klog defines it; Go >= 1.21 panics on that
# at start-up ("flag v set ... before being defined"), so the build uses the last Go 1.20.
CADVISOR_GO=go1.20.14

# ---- InfluxDB -------------------------------------------------------------------------------
influxdb_ok() { curl -fsS -m 3 -o /dev/null -w '%{http_code}' "$INFLUX_URL/ping" 2>/dev/null | grep -q 204; }

influxdb_up() {
  if influxdb_ok; then say "influxdb: reusing $INFLUX_URL"; return 0; fi
  apt_install influxdb
  local dir="$STATE/influxdb"
  mkdir -p "$dir"
  sed -e "s#@STATE@#$STATE#g" -e "s#127.0.0.1:8086#127.0.0.1:$INFLUX_PORT#" \
    -e "s#127.0.0.1:18088#127.0.0.1:$INFLUX_RPC_PORT#" "$SERVICES_DIR/influxdb.conf" >"$dir/influxdb.conf"
  spawn influxdb /usr/bin/influxd -config "$dir/influxdb.conf"
  wait_for 60 influxdb "$(our_pid influxdb)" influxdb_ok
  say "influxdb: up on $INFLUX_URL (pid $(our_pid influxdb))"
}
influxdb_down() { stop_pid influxdb influxd 30 || return 0; }

# ---- Prometheus / Alertmanager --------------------------------------------------------------
prometheus_ok() { http_ok "$PROM_URL/-/ready"; }

prometheus_up() {
  if prometheus_ok; then say "prometheus: reusing $PROM_URL"; return 0; fi
  apt_install prometheus
  mkdir -p "$STATE/prometheus/data"
  # --web.enable-lifecycle lets a test reload the config after editing targets.
  spawn prometheus /usr/bin/prometheus --config.file="$PROM_CONFIG" \
    --storage.tsdb.path="$STATE/prometheus/data" --storage.tsdb.retention.time=2d \
    --web.listen-address="127.0.0.1:$PROM_PORT" --web.enable-lifecycle
  wait_for 60 prometheus "$(our_pid prometheus)" prometheus_ok
  say "prometheus: up on $PROM_URL (pid $(our_pid prometheus))"
}
prometheus_down() { stop_pid prometheus /usr/bin/prometheus 30 || return 0; }

alertmanager_ok() { http_ok "$AM_URL/-/ready"; }

alertmanager_up() {
  if alertmanager_ok; then say "alertmanager: reusing $AM_URL"; return 0; fi
  apt_install prometheus-alertmanager
  mkdir -p "$STATE/alertmanager/data"
  # An empty --cluster.listen-address turns off HA gossip, which would listen on 0.0.0.0:9094.
  spawn alertmanager /usr/bin/prometheus-alertmanager --config.file="$SERVICES_DIR/alertmanager.yml" \
    --storage.path="$STATE/alertmanager/data" --web.listen-address="127.0.0.1:$AM_PORT" \
    --cluster.listen-address=
  wait_for 60 alertmanager "$(our_pid alertmanager)" alertmanager_ok
  say "alertmanager: up on $AM_URL (pid $(our_pid alertmanager))"
}
alertmanager_down() { stop_pid alertmanager prometheus-alertmanager 30 || return 0; }

# ---- cAdvisor -------------------------------------------------------------------------------
cadvisor_bin() { echo "$CACHE/cadvisor/$CADVISOR_VERSION-$(files_hash "$SERVICES_DIR"/cadvisor/go.*)/cadvisor"; }
cadvisor_ok() { [ "$(curl -fsS -m 3 "$CADVISOR_URL/healthz" 2>/dev/null)" = ok ]; }

cadvisor_install() {
  local bin src; bin=$(cadvisor_bin)
  [ -x "$bin" ] && return 0
  [ -d /usr/local/go/bin ] && PATH="/usr/local/go/bin:$PATH"
  command -v go >/dev/null || apt_install golang-go
  say "cadvisor: building $CADVISOR_VERSION from the Go module proxy (first run only)"
  src="$CACHE/cadvisor/src"
  rm -rf "$src" && mkdir -p "$src" && cp "$SERVICES_DIR"/cadvisor/go.mod "$SERVICES_DIR"/cadvisor/go.sum \
    "$SERVICES_DIR"/cadvisor/tools.go "$src/"
  (cd "$src" && GOTOOLCHAIN="$CADVISOR_GO" GOFLAGS="-mod=mod -buildvcs=false" CGO_ENABLED=0 \
    GOMODCACHE="$CACHE/go/mod" GOCACHE="$CACHE/go/build" GOPATH="$CACHE/go/path" \
    retry 3 5 go build -trimpath -o "$bin.tmp" github.com/google/cadvisor) >>"$LOGS/install.log" 2>&1 ||
    { tail -n 30 "$LOGS/install.log" >&2; die "cadvisor: go build failed (see $LOGS/install.log)"; }
  mv "$bin.tmp" "$bin"
}

# Flags: loopback; docker-only (the root cgroup is still reported, the rest of the host's
# cgroups are noise here); 2 s housekeeping so tests see fresh stats quickly while staying cheap;
# 2 min of history; the costly per-cpu/process/tcp/udp/disk-usage collectors are off.
cadvisor_up() {
  if cadvisor_ok; then say "cadvisor: reusing $CADVISOR_URL"; return 0; fi
  docker_ok || docker_up
  cadvisor_install
  spawn cadvisor "$(cadvisor_bin)" -listen_ip=127.0.0.1 -port=8080 \
    -docker="unix://$DOCKER_SOCK" -docker_only=true \
    -housekeeping_interval=2s -max_housekeeping_interval=10s -global_housekeeping_interval=1m \
    -storage_duration=2m -disable_metrics=disk,tcp,udp,percpu,sched,process -logtostderr
  wait_for 90 cadvisor "$(our_pid cadvisor)" cadvisor_ok
  say "cadvisor: up on $CADVISOR_URL (pid $(our_pid cadvisor))"
}
cadvisor_down() { stop_pid cadvisor "/cadvisor " 30 || return 0; }

# ---- lxcfs ----------------------------------------------------------------------------------
LXCFS_MNT="$STATE/lxcfs"
lxcfs_ok() { timeout 3 head -n 1 "$LXCFS_MNT/proc/meminfo" 2>/dev/null | grep -q '^MemTotal:'; }
# Asks the mount table, not the path: `mountpoint` stats the path, and a FUSE mount whose daemon
# died answers every stat with "Transport endpoint is not connected", so it looks unmounted.
lxcfs_mounted() { awk -v m="$LXCFS_MNT" '$5 == m { found = 1 } END { exit !found }' /proc/self/mountinfo; }

lxcfs_up() {
  if lxcfs_ok; then say "lxcfs: reusing the mount at $LXCFS_MNT"; return 0; fi
  apt_install lxcfs
  # A mount left by a crashed lxcfs answers "Transport endpoint is not connected": clear it.
  if lxcfs_mounted; then umount -l "$LXCFS_MNT"; fi
  mkdir -p "$LXCFS_MNT"
  spawn lxcfs /usr/bin/lxcfs -f -p "$STATE/lxcfs.own.pid" "$LXCFS_MNT"
  wait_for 30 lxcfs "$(our_pid lxcfs)" lxcfs_ok
  say "lxcfs: mounted at $LXCFS_MNT (pid $(our_pid lxcfs))"
}

lxcfs_down() {
  stop_pid lxcfs /usr/bin/lxcfs 15 || return 0
  # Only after stopping our own lxcfs: a mount it left behind would be a dead FUSE endpoint.
  if lxcfs_mounted; then umount -l "$LXCFS_MNT" 2>/dev/null || true; fi
}

# ---- peers ----------------------------------------------------------------------------------
peers_ok() { command -v kcat >/dev/null && [ -e /usr/lib/x86_64-linux-gnu/rsyslog/omkafka.so ]; }
peers_up() {
  apt_install rsyslog-kafka kcat
  peers_ok || die "peers: kcat or rsyslog's omkafka module missing after install"
  say "peers: kcat and rsyslog+omkafka installed (not started)"
}
peers_down() { :; }
