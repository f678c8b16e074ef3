import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfigFile, loadConfigText, type ValidatedConfig } from '../core/config';
import { VERSION } from '../core/version';
import { DEFAULT_MOUNT_DIR } from '../lxcfs-shim/mount-dir';
import { DEFAULT_CONFIG, MODE_PORT, type ProcessMode } from './defaults';
import { tuneHeap } from './heap';
import { PipelineProcess } from './pipeline-process';
import { buildRegistry } from './registry';

/** Exit codes (sysexits-style where one fits). */
export const EXIT = { ok: 0, failure: 1, usage: 64, config: 78 } as const;

const HELP = `cargoscope — observability and log pipeline for containers

Usage: cargoscope <command> [options]

Commands:
  run                      collector + aggregator + alerting in one process (embedded defaults:
                           in-process bus, /metrics on 127.0.0.1:${MODE_PORT.run}, NDJSON log files)
  collector                the per-node collector (:${MODE_PORT.collector})
  aggregator               the roll-up / indexing consumer (:${MODE_PORT.aggregator})
  alerting                 rules and autoscaling (:${MODE_PORT.alerting})
  config validate <file>   check a config; prints every error with its path
  config defaults <mode>   print the embedded default config of run|collector|aggregator|alerting
  components               list the component types this build knows
  autoscale simulate --policy FILE --series FILE.jsonl
                           replay a recorded series through autoscaling policies; one JSON
                           decision per evaluation on stdout
  dashboards build         regenerate dashboards/generated/*.json and dashboards/provisioning/
  lxcfs-shim [--mount DIR] the FUSE /proc shim (default mount ${DEFAULT_MOUNT_DIR})
  lxcfs-shim docker-args [--mount DIR]
                           print the docker run -v flags that bind the shim's files
  dev services <up|down|status> [name…]
                           install/start the real services used by tests (scripts/services.sh)

Options:
  -c, --config FILE        YAML config (default: the command's embedded defaults)
  -h, --help               this help
  -v, --version            print the version

Exit codes: 0 ok, 1 runtime failure, 64 usage error, 78 configuration error.
Signals: SIGTERM or SIGINT stop intake, flush and exit 0 within shutdown_timeout_secs (default 5).
`;

type Out = (text: string) => void;

export async function main(argv: string[], out: Out = (t) => process.stdout.write(t), err: Out = (t) => process.stderr.write(t)): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: {
      config: { type: 'string', short: 'c' },
      mount: { type: 'string' },
      policy: { type: 'string' },
      series: { type: 'string' },
      mode: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
    } });
  } catch (e) {
    err(`${(e as Error).message}\n\n${HELP}`);
    return EXIT.usage;
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.version) return out(`${VERSION}\n`), EXIT.ok;
  if (values.help || !command) return out(HELP), command || values.help ? EXIT.ok : EXIT.usage;
  switch (command) {
    case 'run':
    case 'collector':
    case 'aggregator':
    case 'alerting':
      return runMode(command, values.config, err);
    case 'config':
      return configCommand(rest, values.mode, out, err);
    case 'components':
      return listComponents(out);
    case 'dev':
      return devCommand(rest, err);
    case 'autoscale':
      return autoscaleCommand(rest, values.policy, values.series, out, err);
    case 'dashboards':
      return dashboardsCommand(rest, out, err);
    case 'lxcfs-shim':
      return lxcfsShimCommand(rest, values.mount, out);
    default:
      err(`unknown command '${command}'\n\n${HELP}`);
      return EXIT.usage;
  }
}

async function loadFor(mode: ProcessMode, file: string | undefined): Promise<ValidatedConfig> {
  const options = { registry: buildRegistry(), defaultListen: `127.0.0.1:${MODE_PORT[mode]}` };
  return file ? loadConfigFile(file, options) : loadConfigText(DEFAULT_CONFIG[mode], { ...options, file: undefined });
}

async function runMode(mode: ProcessMode, file: string | undefined, err: Out): Promise<number> {
  let config: ValidatedConfig;
  try {
    config = await loadFor(mode, file);
  } catch (e) {
    if (e instanceof ConfigError) return err(`${e.message}\n`), EXIT.config;
    throw e;
  }
  // Both hold records until the next stage acks them (Kafka, Elasticsearch): see cli/heap.ts.
  if (mode === 'collector' || mode === 'aggregator') tuneHeap();
  const proc = new PipelineProcess(mode, config);
  const stopped = waitForStopSignal(proc);
  try {
    await proc.start();
  } catch (e) {
    proc.logger.fatal({ err: e }, 'start failed');
    await proc.shutdown();
    return EXIT.failure;
  }
  await stopped;
  return EXIT.ok;
}

/**
 * Resolves once the first SIGTERM/SIGINT has led to a clean shutdown. Later signals are harmless:
 * the handlers stay installed so they cannot fall back to the default kill, except that a third
 * SIGINT (an operator leaning on Ctrl-C) exits at once.
 */
function waitForStopSignal(proc: PipelineProcess): Promise<void> {
  return new Promise((resolve) => {
    let signals = 0;
    let interrupts = 0;
    const onSignal = (signal: NodeJS.Signals): void => {
      signals += 1;
      if (signal === 'SIGINT') interrupts += 1;
      if (interrupts >= 3) {
        proc.logger.warn('third SIGINT: exiting without waiting for the flush');
        process.exit(130);
      }
      if (signals > 1) return proc.logger.info({ signal }, 'already shutting down');
      proc.logger.info({ signal }, 'stop signal received');
      proc.shutdown().then(resolve, (e: unknown) => {
        proc.logger.error({ err: e }, 'shutdown failed');
        resolve();
      });
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}

async function configCommand(args: string[], mode: string | undefined, out: Out, err: Out): Promise<number> {
  const [sub, arg] = args;
  if (sub === 'defaults') {
    const m = (arg ?? 'run') as ProcessMode;
    if (!(m in DEFAULT_CONFIG)) return err(`unknown mode '${arg}': run, collector, aggregator, alerting\n`), EXIT.usage;
    return out(DEFAULT_CONFIG[m]), EXIT.ok;
  }
  if (sub !== 'validate' || !arg) return err('usage: cargoscope config validate <file> [--mode run|collector|aggregator|alerting]\n       cargoscope config defaults <mode>\n'), EXIT.usage;
  const m = (mode ?? 'run') as ProcessMode;
  if (!(m in MODE_PORT)) return err(`unknown mode '${mode}'\n`), EXIT.usage;
  try {
    const config = await loadFor(m, arg);
    out(`${arg}: valid (${config.components.length} components)\n`);
    return EXIT.ok;
  } catch (e) {
    if (e instanceof ConfigError) return err(`${e.message}\n`), EXIT.config;
    throw e;
  }
}

function listComponents(out: Out): number {
  for (const f of buildRegistry().factories()) out(`${f.kind.padEnd(10)} ${f.type.padEnd(22)} ${f.description}\n`);
  return EXIT.ok;
}

async function autoscaleCommand(args: string[], policy: string | undefined, series: string | undefined, out: Out, err: Out): Promise<number> {
  if (args[0] !== 'simulate' || !policy || !series) return err('usage: cargoscope autoscale simulate --policy FILE --series FILE.jsonl\n'), EXIT.usage;
  try {
    // Loaded on demand, like the components (cli/registry.ts): the pipelines do not need it.
    const { runSimulate } = await import('../alerting/index.js');
    const [policyText, seriesText] = await Promise.all([readFile(policy, 'utf8'), readFile(series, 'utf8')]);
    for (const line of runSimulate(policyText, seriesText, policy)) out(`${line}\n`);
    return EXIT.ok;
  } catch (e) {
    if (e instanceof ConfigError) return err(`${e.message}\n`), EXIT.config;
    err(`${(e as Error).message}\n`);
    return EXIT.failure;
  }
}

async function dashboardsCommand(args: string[], out: Out, err: Out): Promise<number> {
  if (args[0] !== 'build') return err('usage: cargoscope dashboards build\n'), EXIT.usage;
  // Loaded on demand: the dashboard builders are a few hundred modules no pipeline needs.
  const { buildDashboards } = await import('../dashboards/index.js');
  const written = await buildDashboards(path.join(__dirname, '..', '..', 'dashboards'));
  out(`${written.dashboards.length} dashboards and ${written.provisioning.length} provisioning files written\n`);
  return EXIT.ok;
}

async function lxcfsShimCommand(args: string[], mount: string | undefined, out: Out): Promise<number> {
  // Loaded on demand: the pipelines do not need it.
  const { dockerArgs, runShim } = await import('../lxcfs-shim/index.js');
  if (args[0] === 'docker-args') return out(`${dockerArgs(mount).join(' ')}\n`), EXIT.ok;
  await runShim({ mountDir: mount ?? DEFAULT_MOUNT_DIR, log: (msg) => process.stderr.write(`lxcfs-shim: ${msg}\n`) });
  return EXIT.ok;
}

async function devCommand(args: string[], err: Out): Promise<number> {
  if (args[0] !== 'services') return err('usage: cargoscope dev services <up|down|status> [name…]\n'), EXIT.usage;
  const script = path.join(__dirname, '..', '..', 'scripts', 'services.sh');
  const child = spawn('bash', [script, ...args.slice(1)], { stdio: 'inherit' });
  return new Promise((resolve) => child.on('exit', (code) => resolve(code ?? EXIT.failure)));
}
