import { execFileSync } from 'node:child_process';

/**
 * Whether a real part (chromium, redis-server, gnome-keyring-daemon) is
 * installed. Outside CI a missing one skips its suite with a printed reason;
 * in CI (`CI=true`, where .ci/run installs them) a missing one is a failure,
 * so a green CI never means "skipped".
 */
export function haveTool(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    if (process.env.CI) throw new Error(`${command} is required in CI but is not installed (see .ci/run)`);
    process.stderr.write(`skipping: ${command} is not installed (bash .ci/run installs it)\n`);
    return false;
  }
}
