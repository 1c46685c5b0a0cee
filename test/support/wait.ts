/** Polls `check` until it returns something truthy (returned), or fails after `timeoutMs` naming `what`. */
export async function until<T>(what: string, check: () => Promise<T | undefined | false | null> | T | undefined | false | null, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Environment for an HTTP app with the enforcer embedded, ticking every second, heartbeats to itself. */
export const embeddedEnforcerEnv = (port: number, extra: Record<string, string> = {}): Record<string, string> => ({
  ENFORCER_EMBEDDED: 'true',
  ENFORCER_INTERVAL_SECONDS: '1',
  PORT: String(port),
  RUNNER_HEARTBEAT_URL: `http://127.0.0.1:${port}/api/runner/heartbeat/`,
  ...extra,
});
