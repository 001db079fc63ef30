/** Jest in ESM mode: NestJS 12 ships ES modules only (see TOOLCHAIN.md). */
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/test'],
  testMatch: ['**/*.spec.ts', '**/*.e2e-spec.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.spec.json' }] },
  testTimeout: 60000,
  // One migrated database per run; each test database is a copy of it.
  globalSetup: '<rootDir>/test/support/database-template.js',
  globalTeardown: '<rootDir>/test/support/database-template-teardown.js',
  // Fails any test file whose logs or response bodies contain a registered secret.
  setupFilesAfterEnv: ['<rootDir>/test/support/leak-guard.ts'],
};
