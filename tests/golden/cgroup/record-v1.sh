#!/bin/sh
# Records a cgroup v1 golden case from this machine (run as root on a v1/hybrid host):
#   tests/golden/cgroup/record-v1.sh tests/golden/cgroup/v1-limited
# Creates cargoscope-golden/child under each v1 controller, sets limits, runs a small workload in
# it (CPU, page cache, tmpfs, direct block I/O), copies the files the readers use into
# <case>/root/ under their absolute paths, then removes the cgroups.
set -eu
out=$1
cg=/sys/fs/cgroup
name=cargoscope-golden
for c in memory cpu cpuacct cpuset blkio pids; do mkdir -p "$cg/$c/$name/child"; done
echo 512M > "$cg/memory/$name/memory.limit_in_bytes"
echo 64M > "$cg/memory/$name/child/memory.limit_in_bytes"
echo 96M > "$cg/memory/$name/child/memory.memsw.limit_in_bytes"
echo 150000 > "$cg/cpu/$name/child/cpu.cfs_quota_us"
echo 512 > "$cg/cpu/$name/child/cpu.shares"
cat "$cg/cpuset/cpuset.cpus" > "$cg/cpuset/$name/cpuset.cpus"
cat "$cg/cpuset/cpuset.mems" > "$cg/cpuset/$name/cpuset.mems"
echo 0 > "$cg/cpuset/$name/child/cpuset.mems"
echo 1 > "$cg/cpuset/$name/child/cpuset.cpus"
echo 50 > "$cg/pids/$name/child/pids.max"
disk=$(awk '$3 ~ /^(vd|sd|nvme)[a-z0-9]*$/ && $3 !~ /p[0-9]+$/ {print "/dev/" $3; exit}' /proc/diskstats)
majmin=$(awk -v d="${disk#/dev/}" '$3 == d {print $1 ":" $2; exit}' /proc/diskstats)
# Observed on 6.x kernels: v1 blkio.throttle.* only count I/O on devices that have a throttle
# rule in the cgroup, so set generous ones.
echo "$majmin 1000000000" > "$cg/blkio/$name/child/blkio.throttle.read_bps_device"
echo "$majmin 1000000000" > "$cg/blkio/$name/child/blkio.throttle.write_bps_device"
scratch=$(mktemp -d /dev/shm/cargoscope-golden.XXXXXX)
# The workload stays alive (sleep) so its cgroup lines can be recorded, then exits.
sh -c "for c in memory cpu cpuacct cpuset blkio pids; do echo \$\$ > $cg/\$c/$name/child/cgroup.procs; done
  i=0; while [ \$i -lt 200000 ]; do i=\$((i+1)); done
  dd if=$disk of=/dev/null bs=64k count=64 iflag=direct 2>/dev/null
  dd if=/dev/zero of=$scratch/shm bs=1M count=4 2>/dev/null
  dd if=/dev/zero of=/var/tmp/cargoscope-golden bs=64k count=64 oflag=direct 2>/dev/null
  dd if=/var/tmp/cargoscope-golden of=/dev/null bs=64k count=32 iflag=direct 2>/dev/null
  dd if=/dev/zero of=/var/tmp/cargoscope-golden-cache bs=1M count=8 2>/dev/null
  exec sleep 30" &
pid=$!
while [ ! -e "$scratch/shm" ] || [ "$(stat -c %s "$scratch/shm")" -lt 4194304 ] || ! grep -q sleep /proc/$pid/comm; do
  sleep 0.1 # polling the workload's progress, not synchronising on time
done
mkdir -p "$out/root/proc/self" "$out/root/proc/$pid"
cp /proc/self/mountinfo "$out/root/proc/self/mountinfo"
cp /proc/$pid/cgroup "$out/root/proc/$pid/cgroup"
mkdir -p "$out/root$cg/unified" && cp "$cg/unified/cgroup.controllers" "$out/root$cg/unified/"
for c in memory cpu cpuacct cpuset blkio pids; do
  for d in "$cg/$c" "$cg/$c/$name" "$cg/$c/$name/child"; do
    mkdir -p "$out/root$d"
    for f in "$d"/$c.* "$d"/cpuacct.* "$d"/cpu.*; do
      [ -f "$f" ] || continue
      case "$f" in *.kmem.*|*numa_stat|*pressure*|*slabinfo|*event_control|*force_empty|*reset_stats) continue;; esac
      cat "$f" > "$out/root$f" 2>/dev/null || rm -f "$out/root$f"
    done
  done
done
echo "{ \"pid\": $pid }" > "$out/input.json"
kill $pid; wait $pid 2>/dev/null || true
rm -rf "$scratch" /var/tmp/cargoscope-golden /var/tmp/cargoscope-golden-cache
for c in memory cpu cpuacct cpuset blkio pids; do rmdir "$cg/$c/$name/child" "$cg/$c/$name"; done
