import { describe, it } from 'vitest';
import { POSTGRES_URL } from '../support/databases.js';
import { defineCameraUrlSuite } from './camera-urls.suite.js';

// Runs whenever BISK_TEST_POSTGRES_URL is set (CI always sets it); an unreachable server then fails the suite.
if (POSTGRES_URL) {
  defineCameraUrlSuite('postgres');
} else {
  describe('camera stream URLs on postgres', () => {
    it.skip('needs BISK_TEST_POSTGRES_URL (e.g. postgres://postgres@127.0.0.1:5432/test)', () => {});
  });
}
