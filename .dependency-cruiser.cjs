/**
 * The import layering of ARCHITECTURE §2, enforced in `npm run lint`:
 *   cli → anything; daemon → credentials, upstreams, auth, config;
 *   gateway → upstreams, config; credentials → auth, config; auth → config;
 *   dev → gateway, daemon, upstreams; everything may import errors and
 *   observability; nothing imports cli.
 * Each rule lists what a layer may NOT import (the complement of its allowance).
 */
const layers = ['cli', 'daemon', 'gateway', 'credentials', 'auth', 'upstreams', 'config', 'dev', 'observability'];
const allowed = {
  cli: layers,
  daemon: ['daemon', 'credentials', 'upstreams', 'auth', 'config', 'observability'],
  gateway: ['gateway', 'upstreams', 'config', 'observability'],
  credentials: ['credentials', 'auth', 'config', 'observability'],
  auth: ['auth', 'config', 'observability'],
  upstreams: ['upstreams', 'config', 'observability'],
  config: ['config', 'observability'],
  dev: ['dev', 'gateway', 'daemon', 'upstreams', 'config', 'observability'],
  observability: ['observability'],
};

module.exports = {
  forbidden: [
    ...Object.entries(allowed).map(([layer, may]) => {
      const forbidden = layers.filter((other) => !may.includes(other));
      return {
        name: `layer-${layer}`,
        comment: `src/${layer} may import only ${may.join(', ')} (plus errors); see ARCHITECTURE §2`,
        severity: 'error',
        from: { path: `^src/${layer}/` },
        to: { path: forbidden.length ? `^src/(${forbidden.join('|')})/` : '^$' },
      };
    }),
    {
      name: 'errors-is-a-leaf',
      comment: 'src/errors.ts is imported by everything, so it imports nothing of ours',
      severity: 'error',
      from: { path: '^src/errors\\.ts$' },
      to: { path: '^src/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['dynamic-import'] } },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
      extensions: ['.ts', '.js'],
    },
  },
};
