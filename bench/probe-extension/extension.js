// Event-loop probe for bench/editor.ts, installed next to costlens in the benchmark editor's extensions folder.
// Every extension runs on the extension host's one event loop, so this extension sees every stall costlens causes.
//
// Two measurements, from activation on:
//   * a drift timer: every TICK_MS a timer fires; how late it fires is the lag. Each late tick is kept with its
//     wall-clock time, so the benchmark can take the longest stall inside the scan's time window (from costlens's
//     log), and with the CPU time the thread used meanwhile (busy: code blocked the loop; idle: not scheduled).
//   * perf_hooks.monitorEventLoopDelay (10 ms resolution): Node's own histogram over the whole session.
// The command "Bench Probe: Write Event Loop Report" writes both to $COSTLENS_BENCH_PROBE_OUT (or <tmp>/costlens-bench-probe.json).
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { monitorEventLoopDelay, performance } = require('node:perf_hooks');
const vscode = require('vscode');

const TICK_MS = 5;

/**
 * With COSTLENS_BENCH_PROFILE set, a CPU profile of the extension host's thread from activation to the report
 * (written next to the report as .cpuprofile): which extension's code ran during a stall.
 */
function startProfile() {
  if (!process.env.COSTLENS_BENCH_PROFILE) return null;
  const inspector = require('node:inspector');
  const session = new inspector.Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 500 });
  session.post('Profiler.start');
  const startedAt = Date.now();
  // Each report takes the profile so far and starts the next one.
  let from = startedAt;
  return (file) => new Promise((resolve) => session.post('Profiler.stop', (err, result) => {
    const written = !err && result ? (fs.writeFileSync(file, JSON.stringify(result.profile)), { file, startedAt: from }) : null;
    session.post('Profiler.start');
    from = Date.now();
    resolve(written);
  }));
}

function activate(context) {
  const stopProfile = startProfile();
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  // CPU time of this thread (Node >= 23.9): tells a stall caused by code running on the event loop (the thread was
  // busy for the whole lag) from one where the thread was runnable but not scheduled (an overloaded machine).
  const threadCpuMs = typeof process.threadCpuUsage === 'function' ? () => { const u = process.threadCpuUsage(); return (u.user + u.system) / 1000; } : null;
  /**
   * [wall-clock ms, lag ms, CPU ms this thread used since the previous tick (or null)] of every tick that fired late
   * by 2 ms or more (on-time ticks are only counted).
   */
  const late = [];
  let ticks = 0;
  let expected = performance.now() + TICK_MS;
  let lastCpu = threadCpuMs ? threadCpuMs() : 0;
  const startedAt = Date.now();
  const timer = setInterval(() => {
    const now = performance.now();
    const lag = now - expected;
    const cpu = threadCpuMs ? threadCpuMs() : 0;
    ticks++;
    if (lag >= 2) late.push([Date.now(), Math.round(lag * 10) / 10, threadCpuMs ? Math.round((cpu - lastCpu) * 10) / 10 : null]);
    lastCpu = cpu;
    expected = now + TICK_MS;
  }, TICK_MS);
  context.subscriptions.push(
    { dispose: () => { clearInterval(timer); histogram.disable(); } },
    vscode.commands.registerCommand('costlensBench.probeReport', async () => {
      const out = process.env.COSTLENS_BENCH_PROBE_OUT || path.join(os.tmpdir(), 'costlens-bench-probe.json');
      const profile = stopProfile ? await stopProfile(out.replace(/\.json$/, '') + `-${Date.now()}.cpuprofile`) : null;
      const ms = (ns) => Math.round((ns / 1e6) * 10) / 10;
      fs.writeFileSync(out, JSON.stringify({
        startedAt,
        writtenAt: Date.now(),
        tickMs: TICK_MS,
        // The CPU profile of this thread since the previous report (its samples' times count from `startedAt`).
        profile,
        ticks,
        late,
        histogram: { min: ms(histogram.min), max: ms(histogram.max), mean: ms(histogram.mean), p50: ms(histogram.percentile(50)), p99: ms(histogram.percentile(99)), count: histogram.count },
      }));
      return out;
    }),
  );
}

function deactivate() {}

module.exports = { activate, deactivate };
