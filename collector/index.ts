export { cadvisorSourceFactory } from './sources/cadvisor';
export { cgroupSourceFactory } from './sources/cgroup';
export { dockerStatsSourceFactory } from './sources/docker_stats';
export { dockerLogsSourceFactory } from './sources/docker_logs';
