/**
 * Vitest setup (vitest.config.mts `setupFiles`), run before each test file.
 * Intentionally almost empty: API tests start their own server with tests/support/server.ts,
 * and unit tests must not depend on global state.
 */
export {};
