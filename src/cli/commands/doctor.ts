import { stat } from 'node:fs/promises';
import { readConfig } from '../../config/config-file.js';
import { findLoosePermissions, type PermissionFinding, repairPermissions } from '../../config/home.js';
import { probeKeychain } from '../../config/keychain.js';
import type { CliContext } from '../context.js';
import { type CheckStatus, mark, print, printJson } from '../output.js';

export interface CheckResult {
  name: string;
  status: CheckStatus;
  detail: string;
  hint?: string;
}

interface DoctorOptions {
  fix?: boolean;
  clockUrl?: string;
}

type Check = (ctx: CliContext, options: DoctorOptions) => Promise<CheckResult | CheckResult[]>;

/** Clock skew beyond the 60 s leeway every token check allows breaks logins. */
const MAX_SKEW_S = 60;

const checks: Check[] = [checkNode, checkHome, checkConfig, checkKeychain, checkClock];

export async function doctor(ctx: CliContext, options: DoctorOptions): Promise<number> {
  const results: CheckResult[] = [];
  for (const check of checks) {
    try {
      results.push(...[await check(ctx, options)].flat());
    } catch (error) {
      results.push({
        name: check.name.replace(/^check/, '').toLowerCase(),
        status: 'fail',
        detail: (error as Error).message,
      });
    }
  }
  const ok = results.every((result) => result.status !== 'fail');
  if (ctx.json) {
    printJson(ctx, { ok, checks: results });
  } else {
    for (const result of results) {
      print(ctx, `${mark(ctx, result.status)} ${result.name}: ${result.detail}`);
      if (result.hint && result.status !== 'ok') print(ctx, `  hint: ${result.hint}`);
    }
  }
  return ok ? 0 : 1;
}

async function checkNode(): Promise<CheckResult> {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  const ok = major > 22 || (major === 22 && minor >= 12);
  return ok
    ? { name: 'node', status: 'ok', detail: `Node.js ${process.version}` }
    : {
        name: 'node',
        status: 'fail',
        detail: `Node.js ${process.version} is too old`,
        hint: 'install Node.js 22.12 or newer',
      };
}

function octal(mode: number): string {
  return `0${mode.toString(8)}`;
}

async function checkHome(ctx: CliContext, options: DoctorOptions): Promise<CheckResult[]> {
  try {
    await stat(ctx.home);
  } catch {
    return [
      { name: 'home', status: 'ok', detail: `${ctx.home} does not exist yet; it is created (0700) on first use` },
    ];
  }
  let findings: PermissionFinding[] = await findLoosePermissions(ctx.home);
  if (findings.length > 0 && options.fix) {
    await repairPermissions(findings);
    const fixed = findings.length;
    findings = await findLoosePermissions(ctx.home);
    if (findings.length === 0) {
      return [{ name: 'home', status: 'ok', detail: `${ctx.home}: tightened ${fixed} permission(s) to 0700/0600` }];
    }
  }
  if (findings.length === 0) {
    return [{ name: 'home', status: 'ok', detail: `${ctx.home} is private (0700, files 0600)` }];
  }
  return findings.map((finding) => ({
    name: 'permissions',
    status: 'fail' as const,
    detail: `${finding.path} is ${octal(finding.mode)}, should be ${octal(finding.expected)}`,
    hint: `run \`llmc doctor --fix\` or \`chmod ${octal(finding.expected).slice(1)} ${finding.path}\``,
  }));
}

async function checkConfig(ctx: CliContext): Promise<CheckResult> {
  try {
    const config = await readConfig(ctx.home);
    const providers = Object.keys(config.providers ?? {}).length;
    const servers = Object.keys(config.mcp_servers ?? {}).length;
    return { name: 'config', status: 'ok', detail: `valid (${providers} provider(s), ${servers} MCP server(s))` };
  } catch (error) {
    return {
      name: 'config',
      status: 'fail',
      detail: (error as Error).message,
      hint: (error as { hint?: string }).hint ?? 'run `llmc config edit`',
    };
  }
}

async function checkKeychain(ctx: CliContext): Promise<CheckResult> {
  if (ctx.env.LLMC_KEYRING === '0') {
    return {
      name: 'keychain',
      status: 'skip',
      detail: 'disabled by LLMC_KEYRING=0; refresh tokens are kept in token.json (0600)',
    };
  }
  const probe = await probeKeychain();
  if (probe.ok) return { name: 'keychain', status: 'ok', detail: 'reachable; refresh tokens are stored there' };
  return {
    name: 'keychain',
    status: 'warn',
    detail: `unavailable (${probe.reason}); refresh tokens fall back to token.json (0600)`,
    hint:
      process.platform === 'linux'
        ? 'start and unlock a Secret Service (gnome-keyring, KeePassXC) in your session, or accept the file fallback'
        : 'unlock the OS keychain, or accept the file fallback',
  };
}

/** The server to compare clocks with: --clock-url, else the default profile's issuer, else a configured gateway. */
async function clockReference(ctx: CliContext, options: DoctorOptions): Promise<string | undefined> {
  if (options.clockUrl) return options.clockUrl;
  try {
    const config = await readConfig(ctx.home);
    if (config.defaults?.gateway) return config.defaults.gateway;
    const gateway = Object.values(config.providers ?? {}).find((provider) => provider.type === 'gateway');
    if (gateway?.base_url) return gateway.base_url;
    const corp = Object.values(config.oidc_providers ?? {})[0];
    if (corp) return corp.issuer;
  } catch {
    // A broken config is reported by its own check.
  }
  return undefined;
}

async function checkClock(ctx: CliContext, options: DoctorOptions): Promise<CheckResult> {
  const reference = await clockReference(ctx, options);
  if (!reference) {
    return {
      name: 'clock',
      status: 'skip',
      detail: `local time ${new Date().toISOString()}; no server configured to compare with`,
      hint: 'pass --clock-url https://your-idp.example to compare',
    };
  }
  const sent = Date.now();
  let response: Response;
  try {
    response = await fetch(reference, { method: 'HEAD', signal: AbortSignal.timeout(5_000), redirect: 'manual' });
  } catch (error) {
    return {
      name: 'clock',
      status: 'warn',
      detail: `could not reach ${new URL(reference).origin} to compare clocks (${(error as Error).message})`,
      hint: 'check your network, or pass --clock-url',
    };
  }
  const received = Date.now();
  const header = response.headers.get('date');
  const serverTime = header ? Date.parse(header) : Number.NaN;
  if (Number.isNaN(serverTime)) {
    return { name: 'clock', status: 'skip', detail: `${new URL(reference).origin} sent no Date header` };
  }
  // The Date header has 1 s resolution; compare with the midpoint of the round trip.
  const skew = Math.round(((sent + received) / 2 - serverTime) / 1000);
  const detail = `${Math.abs(skew)} s ${skew >= 0 ? 'ahead of' : 'behind'} ${new URL(reference).origin}`;
  if (Math.abs(skew) <= MAX_SKEW_S) return { name: 'clock', status: 'ok', detail };
  return {
    name: 'clock',
    status: 'fail',
    detail,
    hint: `tokens are checked with ${MAX_SKEW_S} s leeway; enable time sync (e.g. \`timedatectl set-ntp true\`)`,
  };
}
