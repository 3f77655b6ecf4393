// Gateway key server: in-process token validation (authorize) per call,
// exchanges per second, and HTTP introspection throughput at c=16 through
// the gateway against a bare node:http server answering the same JSON in the
// same run. Everything runs on 127.0.0.1 and is started here.
// Needs dist/ (npm run bench builds it).
import { createServer } from 'node:http';
import { availableParallelism } from 'node:os';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { Pool } from 'undici';
import { createAuditLog } from '../../dist/gateway/audit.js';
import { parseGatewayConfig } from '../../dist/gateway/config.js';
import { startGateway } from '../../dist/gateway/index.js';
import { percentile } from './lib.js';

const ADMIN = 'bench-admin-token-0123456789abcdef';
process.env.LLMC_BENCH_ADMIN = ADMIN;

async function startIssuer() {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'bench', alg: 'RS256', use: 'sig' };
  let issuer = '';
  const server = createServer((req, res) => {
    const body =
      req.url === '/.well-known/openid-configuration'
        ? { issuer, jwks_uri: `${issuer}/jwks` }
        : req.url === '/jwks'
          ? { keys: [jwk] }
          : undefined;
    res.writeHead(body ? 200 : 404, { 'content-type': 'application/json', 'cache-control': 'max-age=3600' });
    res.end(JSON.stringify(body ?? {}));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${server.address().port}`;
  const sign = (sub) => {
    const iat = Math.floor(Date.now() / 1000);
    return new SignJWT({ email: `${sub}@company.com`, email_verified: true })
      .setProtectedHeader({ alg: 'RS256', kid: 'bench' })
      .setIssuer(issuer)
      .setAudience('bench')
      .setSubject(sub)
      .setIssuedAt(iat)
      .setExpirationTime(iat + 600)
      .sign(privateKey);
  };
  return { issuer, sign, close: () => new Promise((resolve) => server.close(resolve)) };
}

const idp = await startIssuer();
const config = parseGatewayConfig(
  'bench.yaml',
  `listen: 127.0.0.1:0
dev: { allow_http_issuers: true }
key_server:
  max_tokens_per_identity: 1000000
  issue_rate_limit: 0
  admin_token: env:LLMC_BENCH_ADMIN
  oidc: [{ issuer: ${idp.issuer}, audiences: [bench] }]
  policies:
    - match: { domain: company.com }
      scopes: { backends: ["*"], tools: ["*"], rate_limit: 100000000 }
`,
);
// Audit lines are serialised as in production, then dropped.
const audit = createAuditLog({ writer: { write() {} } });
const gateway = await startGateway(config, { audit });
const ks = gateway.keyServer;
const GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ID_TOKEN = 'urn:ietf:params:oauth:token-type:id_token';

console.log(`node ${process.version}, ${availableParallelism()} CPUs, gateway store: ${gateway.store.kind}`);

// 1. Issuance: the whole exchange in-process (RS256 verify, policy, mint, store put, audit).
const idTokens = await Promise.all(Array.from({ length: 50 }, (_, i) => idp.sign(`user-${i}`)));
const exchangeParams = (i) => ({
  grant_type: GRANT,
  subject_token: idTokens[i % idTokens.length],
  subject_token_type: ID_TOKEN,
});
for (let i = 0; i < 500; i++) await ks.exchange(exchangeParams(i), '127.0.0.1');
const issued = [];
const issueStart = process.hrtime.bigint();
let issueCount = 0;
while (process.hrtime.bigint() - issueStart < 2_000_000_000n) {
  const result = await ks.exchange(exchangeParams(issueCount), '127.0.0.1');
  if (!result.ok) throw new Error(`exchange refused: ${result.error}`);
  if (issued.length < 2000) issued.push(result.body.access_token);
  issueCount++;
}
const issueSecs = Number(process.hrtime.bigint() - issueStart) / 1e9;
const issuancePerSec = issueCount / issueSecs;

// 2. Validation: authorize() per call, over 2000 live tokens (store lookup, use limit, audit).
const samples = [];
for (let round = 0; round < 3; round++) {
  for (let i = 0; i < 100_000; i++) {
    const header = `Bearer ${issued[i % issued.length]}`;
    const start = process.hrtime.bigint();
    const result = await ks.authorize(header, '127.0.0.1');
    const elapsed = process.hrtime.bigint() - start;
    if (!result.ok) throw new Error(`authorize refused: ${result.error}`);
    if (round > 0) samples.push(Number(elapsed) / 1000);
  }
}
const p50 = percentile(samples, 50);
const p99 = percentile(samples, 99);

// 3. HTTP introspection at c=16 (keep-alive), gateway vs bare node:http with the same answer.
const probe = issued[0];
const form = `token=${encodeURIComponent(probe)}`;
const answer = JSON.stringify(await ks.introspect(probe));
const bare = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer) });
    res.end(answer);
  });
});
await new Promise((resolve) => bare.listen(0, '127.0.0.1', resolve));
const bareUrl = `http://127.0.0.1:${bare.address().port}`;

async function load(url, { concurrency = 16, durationMs = 3000 } = {}) {
  const pool = new Pool(url, { connections: concurrency, pipelining: 1 });
  const request = async () => {
    const res = await pool.request({
      path: '/auth/introspect',
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: form,
    });
    const text = await res.body.text();
    if (res.statusCode !== 200 || !text.includes('"active":true')) throw new Error(`HTTP ${res.statusCode}: ${text}`);
  };
  for (let i = 0; i < 2000; i++) await request();
  let count = 0;
  const deadline = performance.now() + durationMs;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        await request();
        count++;
      }
    }),
  );
  const rate = count / ((performance.now() - start) / 1000);
  await pool.close();
  return rate;
}

const rates = { bare: [], gateway: [] };
for (let round = 0; round < 2; round++) {
  rates.bare.push(await load(bareUrl));
  rates.gateway.push(await load(gateway.url));
}
const best = (values) => Math.max(...values);
const gatewayRate = best(rates.gateway);
const bareRate = best(rates.bare);

await gateway.close(1000);
await new Promise((resolve) => bare.close(resolve));
await idp.close();

const verdict = p99 < 50 ? 'meets' : 'MISSES';
console.log(
  `token validation (authorize, in-process, audit line serialised): p50 ${p50.toFixed(1)} µs, p99 ${p99.toFixed(1)} µs over ${samples.length} calls (goal p99 < 50 µs, ${verdict})`,
);
console.log(
  `token issuance (exchange in-process: RS256 verify + policy + mint + store + audit): ${Math.round(issuancePerSec)}/s (${issueCount} in ${issueSecs.toFixed(1)} s)`,
);
console.log(
  `introspection over HTTP, c=16 keep-alive, best of 2 × 3 s: gateway ${Math.round(gatewayRate)} req/s vs bare node:http ${Math.round(bareRate)} req/s → ${(gatewayRate / bareRate).toFixed(2)}× of bare`,
);
