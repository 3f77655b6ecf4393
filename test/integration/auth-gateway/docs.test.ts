import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseGatewayConfig } from '../../../src/gateway/config.js';
import { repoRoot } from '../../helpers/cli.js';

/** The YAML in docs/github-actions.md is what users copy: it must parse, and the gateway must accept its config. */
describe('docs/github-actions.md', () => {
  it('has a workflow with id-token: write that logs in and uses the gateway token, and a gateway.yaml the gateway accepts', async () => {
    const text = await readFile(join(repoRoot, 'docs', 'github-actions.md'), 'utf8');
    const blocks = [...text.matchAll(/```yaml\n([\s\S]*?)```/g)].map((match) => match[1] as string);
    expect(blocks).toHaveLength(2);
    const workflow = parse(blocks[0] as string);
    expect(workflow.permissions['id-token']).toBe('write');
    const steps = JSON.stringify(workflow.jobs.report.steps);
    expect(steps).toContain(
      'llmc auth login --provider github-actions --gateway \\"$GATEWAY\\" --audience mcp-gateway',
    );
    expect(steps).toContain('$(llmc auth token --gateway)');
    const config = parseGatewayConfig('docs/github-actions.md', blocks[1] as string);
    expect(config.key_server?.oidc).toEqual([
      expect.objectContaining({ issuer: 'https://token.actions.githubusercontent.com', audiences: ['mcp-gateway'] }),
    ]);
    expect(config.key_server?.policies[0]?.match).toMatchObject({
      issuer: 'https://token.actions.githubusercontent.com',
      claims: { repository_owner: ['my-org'], ref: ['refs/heads/main'] },
    });
  });
});
