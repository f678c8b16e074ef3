#!/usr/bin/env bash
# Installs, starts, stops and reports cargoscope's real services (docs/SERVICES.md).
#
#   bash scripts/services.sh up     [name…]   install what is missing, start, wait for health
#   bash scripts/services.sh down   [name…]   stop what this script started (pid files only)
#   bash scripts/services.sh status [name…]   which are up
#
# Names: docker swarm kafka elasticsearch influxdb prometheus alertmanager cadvisor lxcfs peers
# images. No name means all. Downloads are cached in ${CARGOSCOPE_CACHE:-/var/cache/cargoscope};
# data, pid files and logs live in ${CARGOSCOPE_STATE:-/var/lib/cargoscope/dev}.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/services/lib.sh
. "$HERE/services/lib.sh"
# shellcheck source=scripts/services/docker.sh
. "$HERE/services/docker.sh"
# shellcheck source=scripts/services/java.sh
. "$HERE/services/java.sh"
# shellcheck source=scripts/services/daemons.sh
. "$HERE/services/daemons.sh"

# Start order: dependencies first (cadvisor and images need docker). `down` runs it backwards.
ALL=(docker images swarm kafka elasticsearch influxdb prometheus alertmanager cadvisor lxcfs peers)

usage() { sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }

# Health checks for `status`; the same functions gate `up`.
is_up() {
  case $1 in
    docker) docker_ok ;;
    images) docker_ok && images_ok ;;
    swarm) docker_ok && swarm_ok ;;
    kafka) command -v kcat >/dev/null && kafka_ok ;;
    elasticsearch) es_ok ;;
    influxdb) influxdb_ok ;;
    prometheus) prometheus_ok ;;
    alertmanager) alertmanager_ok ;;
    cadvisor) cadvisor_ok ;;
    lxcfs) lxcfs_ok ;;
    peers) peers_ok ;;
  esac
}

# Which process name our pid file must point at (see pid_alive).
owner_comm() {
  case $1 in
    docker) echo dockerd ;; kafka) echo kafka.Kafka ;; elasticsearch) echo CargoscopeNode ;;
    influxdb) echo influxd ;; prometheus) echo /usr/bin/prometheus ;;
    alertmanager) echo prometheus-alertmanager ;; cadvisor) echo "/cadvisor " ;;
    lxcfs) echo /usr/bin/lxcfs ;; *) echo "" ;;
  esac
}

select_names() {
  local n known
  if [ "$#" -eq 0 ]; then NAMES=("${ALL[@]}"); return; fi
  NAMES=()
  for known in "${ALL[@]}"; do
    for n in "$@"; do [ "$n" = "$known" ] && NAMES+=("$known") && break; done
  done
  for n in "$@"; do
    [[ " ${ALL[*]} " == *" $n "* ]] || die "unknown service '$n' (known: ${ALL[*]})"
  done
}

# Debian packages each service needs, installed in one apt-get run at the start of `up`.
packages_for() {
  case $1 in
    docker) echo docker.io iptables ;;
    images) echo docker.io iptables busybox-static gcc libc6-dev ;;
    swarm) echo docker.io iptables ;;
    kafka | elasticsearch) echo openjdk-17-jdk-headless maven kcat ;;
    influxdb) echo influxdb ;;
    prometheus) echo prometheus ;;
    alertmanager) echo prometheus-alertmanager ;;
    cadvisor) echo docker.io iptables ;;
    lxcfs) echo lxcfs ;;
    peers) echo rsyslog-kafka kcat ;;
  esac
}

cmd_status() {
  local n comm how rc=0
  for n in "${NAMES[@]}"; do
    comm=$(owner_comm "$n")
    if [ -z "$comm" ]; then
      how="no process of its own"
      [ "$n" = swarm ] && [ -e "$STATE/swarm.initialized-by-cargoscope" ] && how="initialised by services.sh"
    elif pid_alive "$n" "$comm"; then how="started by services.sh, pid $(our_pid "$n")"
    else how="not started by services.sh"; fi
    if is_up "$n"; then printf '%-14s up     (%s)\n' "$n" "$how"
    else printf '%-14s down   (%s)\n' "$n" "$how"; rc=3; fi
  done
  return "$rc"
}

cmd_up() {
  local n t0 t pkgs=() more=()
  t0=$(date +%s)
  # Healthy services are reused as they are; install packages only for the others, in one go.
  for n in "${NAMES[@]}"; do
    if ! is_up "$n"; then
      read -r -a more <<<"$(packages_for "$n")"
      pkgs+=("${more[@]}")
    fi
  done
  if [ "${#pkgs[@]}" -gt 0 ]; then
    mapfile -t pkgs < <(printf '%s\n' "${pkgs[@]}" | sort -u)
    apt_install "${pkgs[@]}"
  fi
  say "packages ready in $(( $(date +%s) - t0 ))s"
  for n in "${NAMES[@]}"; do
    t=$(date +%s)
    "${n}_up"
    say "$n ready in $(( $(date +%s) - t ))s"
  done
  say "all requested services up in $(( $(date +%s) - t0 ))s: ${NAMES[*]}"
}

cmd_down() {
  local i n
  for ((i = ${#NAMES[@]} - 1; i >= 0; i--)); do
    n=${NAMES[i]}
    "${n}_down"
  done
}

main() {
  [ "$#" -ge 1 ] || usage
  local cmd=$1; shift
  select_names "$@"
  mkdir -p "$CACHE" "$STATE" "$PIDS" "$LOGS"
  case $cmd in
    status) cmd_status; return ;;
    up | down) ;;
    *) usage ;;
  esac
  # One up/down at a time per state dir: parallel mocha processes or two shells must not race to
  # start the same daemon twice.
  exec 9>"$STATE/services.lock"
  flock -w 1800 9 || die "another services.sh holds $STATE/services.lock"
  "cmd_$cmd"
}

main "$@"
