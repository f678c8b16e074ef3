# shellcheck shell=bash
# Docker engine (Debian docker.io), the test images, and a single-node Swarm.

DOCKER_SOCK=/var/run/docker.sock
TESTBOX_IMAGE=cargoscope/testbox:latest

docker_ok() { "$DOCKER" info >/dev/null 2>&1; }

docker_install() { apt_install docker.io iptables; }

# Flags, and why (docs/SERVICES.md has the long form):
#  --exec-opt native.cgroupdriver=cgroupfs  PID 1 is not systemd here, so the systemd driver
#                                           has nobody to talk to; cgroup v1 hybrid is fine.
#  --storage-driver overlay2                the root fs is ext4 with d_type; naming it stops a
#                                           silent fallback to vfs (slow, huge) if detection fails.
#  --data-root / --pidfile under $STATE     our own state, removable without touching /var/lib/docker.
#  iptables left on                         nf_tables iptables works in this kernel; bridge
#                                           networking and Swarm need it.
docker_up() {
  if docker_ok; then say "docker: reusing the engine on $DOCKER_SOCK"; return 0; fi
  docker_install
  [ -S "$DOCKER_SOCK" ] && ! docker_ok && [ ! -e "$PIDS/docker.pid" ] && rm -f "$DOCKER_SOCK"
  mkdir -p "$STATE/docker"
  spawn docker /usr/sbin/dockerd --host "unix://$DOCKER_SOCK" --data-root "$STATE/docker" \
    --pidfile "$STATE/docker/dockerd.pid" --exec-opt native.cgroupdriver=cgroupfs \
    --storage-driver overlay2
  wait_for 90 docker "$(our_pid docker)" docker_ok
  say "docker: up (dockerd pid $(our_pid docker))"
}

docker_down() {
  # dockerd stops its containers and its managed containerd on TERM; give it time to.
  stop_pid docker dockerd 60 || return 0
}

# ---- test images ----------------------------------------------------------------------------
images_hash() { files_hash "$SERVICES_DIR"/images/*.c "${BASH_SOURCE[0]}"; }

images_ok() {
  local want have
  want=$(images_hash)
  have=$("$DOCKER" image inspect "$TESTBOX_IMAGE" \
    --format '{{ index .Config.Labels "dev.cargoscope.testbox.hash" }}' 2>/dev/null) || return 1
  [ "$have" = "$want" ]
}

# A busybox-static root file system plus our static helpers (C sources in services/images/),
# imported as an image: there is no registry to pull from.
images_up() {
  docker_ok || docker_up
  if images_ok; then say "images: $TESTBOX_IMAGE is current"; return 0; fi
  apt_install busybox-static gcc libc6-dev
  local hash root src bin
  hash=$(images_hash)
  root=$(mktemp -d)
  mkdir -p "$root"/{bin,tmp,proc,sys,dev,etc,var/log}
  chmod 1777 "$root/tmp"
  cp /bin/busybox "$root/bin/busybox"
  for bin in $(/bin/busybox --list); do
    [ "$bin" = busybox ] || ln -sf busybox "$root/bin/$bin"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$root/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
  for src in "$SERVICES_DIR"/images/*.c; do
    bin=$(basename "$src" .c)
    gcc -static -O2 -Wall -Wextra -o "$root/bin/$bin" "$src" -lpthread >>"$LOGS/install.log" 2>&1 ||
      { rm -rf "$root"; tail -n 20 "$LOGS/install.log" >&2; die "images: gcc could not build $src"; }
  done
  tar -C "$root" -c . | "$DOCKER" import \
    -c 'ENV PATH=/bin' -c 'CMD ["/bin/sh"]' -c "LABEL dev.cargoscope.testbox.hash=$hash" \
    - "$TESTBOX_IMAGE" >/dev/null || { rm -rf "$root"; die "images: docker import failed"; }
  rm -rf "$root"
  "$DOCKER" run --rm "$TESTBOX_IMAGE" logwriter --count 1 >/dev/null ||
    die "images: $TESTBOX_IMAGE does not run"
  say "images: built $TESTBOX_IMAGE ($hash)"
}

images_down() { :; }   # images are cached data, not processes

# ---- swarm ----------------------------------------------------------------------------------
swarm_ok() {
  [ "$("$DOCKER" info --format '{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}}' 2>/dev/null)" = "active true" ]
}

swarm_up() {
  docker_ok || docker_up
  if swarm_ok; then say "swarm: reusing the active swarm"; return 0; fi
  # --listen-addr: the default is 0.0.0.0:2377; everything here stays on loopback.
  "$DOCKER" swarm init --advertise-addr 127.0.0.1 --listen-addr 127.0.0.1:2377 >>"$LOGS/swarm.log" 2>&1 ||
    fail_service swarm "docker swarm init failed"
  touch "$STATE/swarm.initialized-by-cargoscope"
  wait_for 60 swarm "" swarm_ok
  say "swarm: initialised (manager on 127.0.0.1:2377)"
}

swarm_down() {
  # Only leave a swarm we created; its state lives in our docker data root anyway.
  [ -e "$STATE/swarm.initialized-by-cargoscope" ] || return 0
  if docker_ok && swarm_ok; then "$DOCKER" swarm leave --force >>"$LOGS/swarm.log" 2>&1 || true; fi
  rm -f "$STATE/swarm.initialized-by-cargoscope"
  say "swarm: left"
}
