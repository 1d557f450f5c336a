import { memProject } from '../vitest.shared';

export default memProject('@mem/benchmarks');
