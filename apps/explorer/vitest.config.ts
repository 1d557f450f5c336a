import { memProject } from '../../vitest.shared.ts';

// The e2e test builds the page and drives Chromium: give it room.
export default memProject('@mem/explorer', { testTimeout: 120_000 });
