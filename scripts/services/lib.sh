# shellcheck shell=bash
# Shared helpers for scripts/services.sh: paths, logging, pid files, waits, retries, apt.
# Sourced, never run. Every service file under scripts/services/ uses only these helpers.

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck disable=SC2034 # used by the service files sourced after this one
SERVICES_DIR="$REPO_ROOT/services"
CACHE="${CARGOSCOPE_CACHE:-/var/cache/cargoscope}"
STATE="${CARGOSCOPE_STATE:-/var/lib/cargoscope/dev}"
PIDS="$STATE/pids"
LOGS="$STATE/logs"
# The image ships a newer docker CLI in /usr/local/bin; Debian's matches the daemon we start.
DOCKER=/usr/bin/docker
[ -x "$DOCKER" ] || DOCKER=docker

say() { printf '[services] %s\n' "$*" >&2; }
die() { printf '[services] ERROR: %s\n' "$*" >&2; exit 1; }

# Prints the tail of a service's log so a failure explains itself (CI shows nothing else).
log_tail() {
  local name=$1 file="$LOGS/$1.log"
  if [ -s "$file" ]; then
    printf '[services] ---- last 40 lines of %s ----\n' "$file" >&2
    tail -n 40 "$file" >&2
    printf '[services] ---- end of %s ----\n' "$file" >&2
  else
    printf '[services] (no log at %s)\n' "$file" >&2
  fi
}

fail_service() { say "$1 failed: $2"; log_tail "$1"; exit 1; }

# retry N DELAY cmd…: for network downloads that may hiccup.
retry() {
  local n=$1 delay=$2 i; shift 2
  for ((i = 1; i <= n; i++)); do
    "$@" && return 0
    [ "$i" -lt "$n" ] && { say "attempt $i/$n failed: $*; retrying in ${delay}s"; sleep "$delay"; }
  done
  return 1
}

# wait_for SECONDS NAME PID-or-empty check-cmd…: polls until the check passes; fails early when
# the process we started has died, so a crash costs seconds, not the whole timeout.
wait_for() {
  local secs=$1 name=$2 pid=$3 deadline; shift 3
  deadline=$(( $(date +%s) + secs ))
  while :; do
    if "$@" >/dev/null 2>&1; then return 0; fi
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
      fail_service "$name" "process $pid exited before its health check passed"
    fi
    [ "$(date +%s)" -ge "$deadline" ] && fail_service "$name" "health check did not pass within ${secs}s"
    sleep 0.5
  done
}

# pid_alive NAME EXPECTED-COMM-SUBSTRING: true when our pid file names a live process that is
# still the program we started (guards against a recycled pid).
pid_alive() {
  local file="$PIDS/$1.pid" pid
  [ -s "$file" ] || return 1
  pid=$(cat "$file")
  [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "$2"
}

our_pid() { cat "$PIDS/$1.pid" 2>/dev/null || true; }

# spawn NAME CMD…: starts CMD detached (own session, stdin closed, output to the service log)
# so the caller — often a mocha process — neither waits for it nor kills it on exit.
spawn() {
  local name=$1; shift
  mkdir -p "$PIDS" "$LOGS"
  printf '\n==== %s start %s: %s\n' "$name" "$(date -Is)" "$*" >>"$LOGS/$name.log"
  rm -f "$PIDS/$name.pid"
  # The pid is written by the process itself just before exec: `$!` would name setsid, which
  # forks when it happens to lead its process group (a shell with job control).
  # 9>&-: the daemon must not inherit services.sh's lock, or the lock lives as long as it does.
  # shellcheck disable=SC2016 # expanded by the inner bash, on purpose
  setsid bash -c 'echo $$ >"$0"; exec "$@"' "$PIDS/$name.pid" "$@" >>"$LOGS/$name.log" 2>&1 </dev/null 9>&- &
  local i
  for ((i = 0; i < 50; i++)); do [ -s "$PIDS/$name.pid" ] && return 0; sleep 0.1; done
  fail_service "$name" "did not start (no pid file after 5s)"
}

# stop_pid NAME COMM [SECONDS]: TERM, wait, then KILL — only the pid we recorded.
stop_pid() {
  local name=$1 comm=$2 secs=${3:-30} pid i
  if ! pid_alive "$name" "$comm"; then rm -f "$PIDS/$name.pid"; return 1; fi
  pid=$(our_pid "$name")
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < secs * 5; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    say "$name (pid $pid) ignored TERM for ${secs}s; sending KILL"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 0.5
  fi
  rm -f "$PIDS/$name.pid"
  say "$name stopped (pid $pid)"
}

http_ok() { curl -fsS -m 3 -o /dev/null "$1" 2>/dev/null; }

# Hash of the repo files an install step depends on: a change to them re-runs the step.
files_hash() { cat "$@" | sha256sum | cut -c1-16; }

# ---- Debian packages -------------------------------------------------------------------------
APT_UPDATED=0
pkg_missing() {
  local p missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  printf '%s\n' "${missing[@]}"
}

# apt_install PKG…: installs what is missing. A temporary policy-rc.d stops the packages' init
# scripts from starting system-wide daemons (dockerd, influxd, rsyslog…) that we did not start
# and could not stop by pid file; it is removed again unless someone else had put one there.
apt_install() {
  local missing own_policy=0
  mapfile -t missing < <(pkg_missing "$@")
  [ "${#missing[@]}" -gt 0 ] && [ -n "${missing[0]}" ] || return 0
  [ "$(id -u)" = 0 ] || die "installing ${missing[*]} needs root"
  say "apt: installing ${missing[*]}"
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\n# cargoscope services.sh: do not start daemons on install\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    own_policy=1
  fi
  local rc=0
  if [ "$APT_UPDATED" = 0 ]; then
    retry 3 5 apt-get update -qq || rc=$?
    APT_UPDATED=1
  fi
  if [ "$rc" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive retry 3 5 apt-get install -y -qq --no-install-recommends \
      -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}" >/dev/null || rc=$?
  fi
  [ "$own_policy" = 1 ] && rm -f /usr/sbin/policy-rc.d
  [ "$rc" = 0 ] || die "apt-get install ${missing[*]} failed (exit $rc)"
}

# ---- Maven -----------------------------------------------------------------------------------
# mvn_copy_deps POM OUTDIR: resolves POM's dependencies from Maven Central into OUTDIR, with the
# local repository kept in the cache so a second machine session does not download again.
mvn_copy_deps() {
  local pom=$1 out=$2 tmp="$2.tmp"
  rm -rf "$tmp"
  retry 3 5 mvn -B -q -Dmaven.repo.local="$CACHE/m2" -f "$pom" \
    dependency:copy-dependencies -DoutputDirectory="$tmp" -DincludeScope=runtime >>"$LOGS/install.log" 2>&1 ||
    { tail -n 30 "$LOGS/install.log" >&2; die "mvn could not resolve $pom (see $LOGS/install.log)"; }
  rm -rf "$out" && mv "$tmp" "$out"
}
