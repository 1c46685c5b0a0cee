import type { MarkedProcess, OrphanedGroup } from '../../src/enforcer/proc.js';
import { RUNNER_MARKER } from '../../src/enforcer/proc.js';
import { type ExitInfo, type ProcessAdapter, SpawnError, type SpawnRequest, type SpawnedProcess, type StopResult } from '../../src/enforcer/process.adapter.js';

/**
 * Runner processes of a simulated fleet, in memory: the one fake of the fleet simulator
 * (fleet.ts), which runs N real enforcers in one Node process on a real PostgreSQL database.
 * `MemoryHosts` is the process table of every simulated host; `MemoryProcessAdapter` is one
 * host's view of it, with ProcessAdapter's whole public contract (spawn, the start-time guard,
 * group stop and signals, exit callbacks, marker discovery), so the enforcer's own code runs
 * unchanged above it.
 */

/** One live runner process on a simulated host (a process-group leader, like every runner). */
export interface MemoryProcess {
  pid: number;
  startTime: string;
  /** The host it runs on (the node name of the enforcer that started it). */
  host: string;
  /** From the runner marker in its environment (BISK_RUNNER_MARKER=<node>:<runnerId>). */
  node: string;
  runnerId: number | null;
  /** From its argv (--camera, --profile), as a real runner reads them. */
  cameraId: number | null;
  profileId: number | null;
  env: NodeJS.ProcessEnv;
  /** The spawner's exit callback (the real adapter's child 'exit' event). */
  onExit: ((exit: ExitInfo) => void) | null;
}

/** A live runner as the fleet's checker sees it. */
export interface LiveRunner {
  node: string;
  runnerId: number | null;
  pid: number;
  cameraId: number | null;
  profileId: number | null;
}

/** Signals whose default action does not end a process (SIGSTOP/SIGTSTP would pause it: not simulated). */
const HARMLESS_SIGNALS = new Set<string>(['SIGCONT', 'SIGCHLD', 'SIGWINCH', 'SIGURG', 'SIGSTOP', 'SIGTSTP', 'SIGTTIN', 'SIGTTOU']);

const argValue = (argv: string[], flag: string): number | null => {
  const at = argv.indexOf(flag);
  const value = at >= 0 ? Number(argv[at + 1]) : Number.NaN;
  return Number.isFinite(value) ? value : null;
};

/** `<node>:<runnerId>` as runner-command.ts writes it (proc.ts parseMarker reads the same). */
function parseMarkerValue(value: string | undefined): { node: string; runnerId: number | null } | null {
  if (value === undefined) return null;
  const [node, id] = value.split(':');
  const runnerId = Number.parseInt(id ?? '', 10);
  return { node, runnerId: Number.isFinite(runnerId) ? runnerId : null };
}

/**
 * The process table of every simulated host. PIDs come from one counter (never reused), start
 * times from another, so a stale (pid, start time) pair is always told apart, as the kernel's
 * start time does for real. A host that lost power (`crashHost`) has no processes and its
 * adapters go inert: no callback of a dead enforcer fires afterwards.
 */
/** A change in the process table: a runner started, ended (with how), or was lost with its host (exit null). */
export type ProcessChange = { kind: 'start'; proc: MemoryProcess } | { kind: 'end'; proc: MemoryProcess; exit: ExitInfo | null };

export class MemoryHosts {
  private readonly listeners: ((change: ProcessChange) => void)[] = [];
  private nextPid = 10_000;
  private nextStart = 1;
  private readonly tables = new Map<string, Map<number, MemoryProcess>>();
  /** Bumped by every crash: adapters made before it belong to an enforcer that died with its host. */
  private readonly generations = new Map<string, number>();

  /** Calls `listener` on every start and end, as it happens (the fleet's checker counts from these). */
  subscribe(listener: (change: ProcessChange) => void): () => void {
    this.listeners.push(listener);
    return () => this.listeners.splice(this.listeners.indexOf(listener), 1);
  }

  private emit(change: ProcessChange): void {
    for (const listener of this.listeners) listener(change);
  }

  /** The table of `host` (created on first use). */
  table(host: string): Map<number, MemoryProcess> {
    let table = this.tables.get(host);
    if (!table) {
      table = new Map();
      this.tables.set(host, table);
    }
    return table;
  }

  generation(host: string): number {
    return this.generations.get(host) ?? 0;
  }

  /** Starts a process on `host` from a spawn request (its argv and environment). */
  launch(host: string, request: SpawnRequest, onExit: (exit: ExitInfo) => void): MemoryProcess {
    const marker = parseMarkerValue(request.env[RUNNER_MARKER]);
    const proc: MemoryProcess = {
      pid: this.nextPid++,
      startTime: String(this.nextStart++),
      host,
      node: marker?.node ?? host,
      runnerId: marker?.runnerId ?? null,
      cameraId: argValue(request.argv, '--camera'),
      profileId: argValue(request.argv, '--profile'),
      env: request.env,
      onExit,
    };
    this.table(host).set(proc.pid, proc);
    this.emit({ kind: 'start', proc });
    return proc;
  }

  /** Removes a process and tells its spawner, a moment later, how it ended (as a child's 'exit' event does). */
  end(proc: MemoryProcess, exit: ExitInfo): void {
    const table = this.table(proc.host);
    if (table.get(proc.pid) !== proc) return;
    table.delete(proc.pid);
    this.emit({ kind: 'end', proc, exit });
    const onExit = proc.onExit;
    proc.onExit = null;
    const generation = this.generation(proc.host);
    if (onExit) setImmediate(() => this.generation(proc.host) === generation && onExit(exit));
  }

  /** The host lost power: every process on it is gone at once, nobody is told, its enforcer's adapters go inert. */
  crashHost(host: string): number {
    const table = this.table(host);
    const lost = table.size;
    const procs = [...table.values()];
    table.clear();
    for (const proc of procs) {
      proc.onExit = null;
      this.emit({ kind: 'end', proc, exit: null });
    }
    this.generations.set(host, this.generation(host) + 1);
    return lost;
  }

  /** SIGKILL from outside (an operator, the OOM killer): the process ends and its spawner hears of it. */
  killProcess(pid: number): boolean {
    for (const table of this.tables.values()) {
      const proc = table.get(pid);
      if (proc) {
        this.end(proc, { code: null, signal: 'SIGKILL' });
        return true;
      }
    }
    return false;
  }

  /** Every live runner of the fleet. */
  snapshot(): LiveRunner[] {
    const live: LiveRunner[] = [];
    for (const table of this.tables.values()) {
      for (const p of table.values()) live.push({ node: p.host, runnerId: p.runnerId, pid: p.pid, cameraId: p.cameraId, profileId: p.profileId });
    }
    return live;
  }

  /** How many processes run on `host` now. */
  count(host: string): number {
    return this.tables.get(host)?.size ?? 0;
  }
}

/**
 * ProcessAdapter over MemoryHosts for one host: what the enforcer of node `host` sees. Made for
 * one enforcer lifetime; once its host has crashed it spawns nothing, finds nothing and fires
 * no callback (its enforcer died with the host).
 */
export class MemoryProcessAdapter implements ProcessAdapter {
  private readonly generation: number;
  private readonly watches = new Set<NodeJS.Timeout>();

  constructor(
    private readonly hosts: MemoryHosts,
    readonly host: string,
  ) {
    this.generation = hosts.generation(host);
  }

  /** False once the host this adapter was made for has crashed. */
  get up(): boolean {
    return this.hosts.generation(this.host) === this.generation;
  }

  private get table(): Map<number, MemoryProcess> {
    return this.up ? this.hosts.table(this.host) : new Map();
  }

  /** The process `pid` on this host if it is the one started at `startTime` (null/'' = any). */
  private same(pid: number, startTime: string | null): MemoryProcess | undefined {
    const proc = this.table.get(pid);
    if (!proc) return undefined;
    return startTime === null || startTime === '' || proc.startTime === startTime ? proc : undefined;
  }

  /** Nothing is looked up: the command is never executed. */
  resolveCommand(command: string): string {
    return command;
  }

  async spawn(request: SpawnRequest, onExit: (exit: ExitInfo) => void): Promise<SpawnedProcess> {
    await Promise.resolve();
    if (!this.up) throw new SpawnError(`cannot start ${request.argv[0]}: host ${this.host} is down`);
    const proc = this.hosts.launch(this.host, request, onExit);
    return { pid: proc.pid, startTime: proc.startTime };
  }

  isAlive(pid: number, startTime: string | null): boolean {
    return this.same(pid, startTime) !== undefined;
  }

  /** A runner is alone in its group here (no ffmpeg children): the leader, while it lives. */
  groupMembers(pgid: number): number[] {
    return this.table.has(pgid) ? [pgid] : [];
  }

  /**
   * As the real one: a PID that now belongs to another process, or an empty group, is 'gone';
   * otherwise the runner takes its SIGTERM and ends ('terminated'), its exit reported to the
   * spawner like a child's 'exit' event (the executor ignores exits of runners it is stopping).
   */
  async stop(pid: number, startTime: string | null, _timeoutMs: number): Promise<StopResult> {
    const proc = this.same(pid, startTime);
    if (!proc) return 'gone';
    this.hosts.end(proc, { code: null, signal: 'SIGTERM' });
    // The exit event comes before the stop returns, as the real poll of the group usually lets it.
    await new Promise((resolve) => setImmediate(resolve));
    return 'terminated';
  }

  /** A runner without handlers: every signal whose default action terminates ends it, reported with that signal. */
  signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
    const proc = this.table.get(pgid);
    if (!proc) return false;
    if (!HARMLESS_SIGNALS.has(signal)) this.hosts.end(proc, { code: null, signal });
    return true;
  }

  watch(pid: number, startTime: string | null, onExit: () => void, everyMs = 500): () => void {
    const timer = setInterval(() => {
      if (!this.up) {
        clearInterval(timer);
        this.watches.delete(timer);
        return;
      }
      if (!this.isAlive(pid, startTime)) {
        clearInterval(timer);
        this.watches.delete(timer);
        onExit();
      }
    }, everyMs);
    timer.unref();
    this.watches.add(timer);
    return () => {
      clearInterval(timer);
      this.watches.delete(timer);
    };
  }

  /** Runners of this host, from the marker in the environment they were started with. */
  findMarked(): MarkedProcess[] {
    const found: MarkedProcess[] = [];
    for (const proc of this.table.values()) {
      const marker = parseMarkerValue(proc.env[RUNNER_MARKER]);
      if (marker) found.push({ pid: proc.pid, startTime: proc.startTime, ...marker });
    }
    return found.sort((a, b) => a.pid - b.pid);
  }

  /** Runners have no children here, so no group outlives its leader. */
  findOrphanedGroups(): OrphanedGroup[] {
    return [];
  }

  tail(_file: string, _lines?: number, _maxBytes?: number): string {
    return '';
  }

  capLog(_file: string, _maxBytes: number): boolean {
    return false;
  }

  /** Adopted runners being watched (polls): for the simulator's own accounting. */
  get watching(): number {
    return this.watches.size;
  }
}
