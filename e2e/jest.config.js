module.exports = {
  ...require('../jest.preset.js'),
  displayName: 'e2e',
  rootDir: __dirname,
  // Suites that run the apps (*.e2e.ts) and the pure specs of their helpers (*.spec.ts).
  testMatch: ['<rootDir>/src/**/*.e2e.ts', '<rootDir>/src/**/*.spec.ts'],
  testTimeout: 90000,
};
