import { spawn } from 'node:child_process';

/**
 * Opening the user's browser: the command in `BROWSER` when set (it receives
 * the URL as its last argument, or in place of `%s`), else the platform
 * opener. The child is detached, so llmc never waits for a browser to exit.
 */

export function browserCommand(url: string, env: NodeJS.ProcessEnv, platform = process.platform): string[] {
  const configured = env.BROWSER?.split(':')[0]?.trim();
  if (configured) {
    const words = splitWords(configured);
    return words.some((word) => word.includes('%s'))
      ? words.map((word) => word.replaceAll('%s', url))
      : [...words, url];
  }
  if (platform === 'darwin') return ['open', url];
  if (platform === 'win32') return ['rundll32', 'url.dll,FileProtocolHandler', url];
  return ['xdg-open', url];
}

/** Words separated by spaces; single or double quotes keep spaces (`"/Applications/My Browser" --new`). */
export function splitWords(command: string): string[] {
  const words: string[] = [];
  for (const match of command.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g))
    words.push(match[1] ?? match[2] ?? match[3] ?? '');
  return words;
}

/** Resolves true when the opener started, false when it could not be run. */
export function openBrowser(url: string, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  const [command, ...args] = browserCommand(url, env);
  if (!command) return Promise.resolve(false);
  return new Promise((resolve) => {
    try {
      const child = spawn(command, args, { detached: true, stdio: 'ignore', env });
      child.once('error', () => resolve(false));
      child.once('spawn', () => {
        child.unref();
        resolve(true);
      });
    } catch {
      resolve(false);
    }
  });
}

/** Whether a browser can be shown here: a BROWSER command, a desktop session, not a bare SSH login. */
export function hasDisplay(env: NodeJS.ProcessEnv = process.env, platform = process.platform): boolean {
  if (env.BROWSER?.trim()) return true;
  const overSsh = Boolean(env.SSH_CONNECTION || env.SSH_TTY);
  if (platform === 'darwin' || platform === 'win32') return !overSsh;
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}
