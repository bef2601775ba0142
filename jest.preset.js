// Shared Jest settings: swc transpiles TypeScript (and the ESM-only packages Nest 12 pulls in) to
// CommonJS; the custom export condition makes @metaloop/* resolve to their sources.
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const swcrc = JSON.parse(readFileSync(join(__dirname, '.swcrc'), 'utf8'));
delete swcrc.$schema;

module.exports = {
  testEnvironment: 'node',
  testEnvironmentOptions: {
    customExportConditions: ['@metaloop/source', 'node', 'require', 'default'],
    globalsCleanup: 'off',
  },
  transform: { '^.+\\.(t|j|mj)sx?$': ['@swc/jest', { ...swcrc, swcrc: false }] },
  transformIgnorePatterns: ['/node_modules/(?!(@nestjs|cookie|content-disposition)/)'],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  // Prisma's generated client imports its .ts siblings with .js specifiers (nodenext style).
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  testTimeout: 30000,
  // Quiet app logs in tests unless LOG_LEVEL asks for them.
  setupFiles: [require.resolve('./jest.setup.js')],
  // A leaked handle (a socket, a retry timer) must fail loudly in review, not hang CI forever.
  forceExit: true,
};
