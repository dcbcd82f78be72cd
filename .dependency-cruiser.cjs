/**
 * The layering, checked on every `npm run lint` (DESIGN habit 12). Data flows one way: the
 * composition root (src/server) builds everything; capabilities and infrastructure never reach up
 * into it; the rule engine is pure; the sandbox is only for the demo, tests and benchmarks; the
 * card views run in HubSpot's browser sandbox and import only the extension code, the message
 * catalogue and HubSpot's packages (types of other modules are fine: they vanish in the bundle).
 */
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'Import circles make the order of initialisation a guess.', from: {}, to: { circular: true } },
    {
      name: 'nothing-below-server-imports-it', severity: 'error', comment: 'src/server is the composition root: lower layers get what they need passed in.',
      from: { path: '^src/(?!server/)' }, to: { path: '^src/server/' },
    },
    {
      name: 'rules-are-pure', severity: 'error', comment: 'src/rules decides; the callers do the I/O.',
      from: { path: '^src/rules/' }, to: { path: '^(?!src/rules/|src/i18n/|node_modules/(zod|re2js)/)', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'sandbox-only-for-demo-tests-benchmarks', severity: 'error', comment: 'The local HubSpot never runs in production.',
      from: { path: '^src/(?!sandbox/|server/(demo|demo-story|portal-setup)\\.ts$)' }, to: { path: '^src/sandbox/' },
    },
    {
      name: 'card-views-import-only-extension-code', severity: 'error', comment: 'Cards run in HubSpot: they can bundle only src/extensions, src/i18n and HubSpot packages.',
      from: { path: '^src/(extensions|app)/' }, to: { path: '^src/(?!extensions/|i18n/|app/)', dependencyTypesNot: ['type-only'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js'] },
  },
};
