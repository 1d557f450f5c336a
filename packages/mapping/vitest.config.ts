import { memProject } from '../../vitest.shared.ts';

export default memProject('@mem/mapping');
