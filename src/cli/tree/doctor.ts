import type { Command } from 'commander';
import { lazy } from '../lazy.js';

export function defineDoctor(program: Command): void {
  program
    .command('doctor')
    .description('check Node, the home directory and its permissions, the keychain and the clock')
    .option('--fix', 'tighten loose permissions in the home directory')
    .option('--clock-url <url>', 'compare the clock with this server (default: your IdP or gateway)')
    .action(lazy(() => import('../commands/doctor.js'), 'doctor'));
}
