export type { Interval, Moments, TestResult } from './types';
export { oneProportionZTest, twoProportionZTest } from './proportions';
export { oneSampleTTest, welchTTest } from './means';
export {
  histogramMoments,
  histogramQuantile,
  histogramQuantileInterval,
  mannWhitneyU,
  quantileExceedanceTest,
} from './histogram';
export { benjaminiHochberg } from './multiple-testing';
export { binomialShareTest } from './binomial';
export {
  momentsArm,
  proportionArm,
  SEQUENTIAL_DEFAULTS,
  sequentialCompare,
  sequentialMeanTest,
  sequentialProportionTest,
  type SequentialArm,
  type SequentialOptions,
  type SequentialResult,
} from './sequential';
export { createRandom, type Random } from './random';
