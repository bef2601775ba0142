export type { Alternative, Interval, Moments, Proportion, TestOptions, TestResult } from './types';
export { normalCdf, normalPdf, normalQuantile, normalSf } from './normal';
export { studentTCdf, studentTPdf, studentTQuantile, studentTSf } from './student-t';
export { logGamma, regularizedBeta, regularizedGammaP, regularizedGammaQ } from './special';
export { cohensH, oneProportionZTest, twoProportionZTest, wilsonInterval, type TwoProportionOptions } from './proportions';
export { hedgesG, oneSampleTTest, summarize, welchTTest, type Summary, type TTestResult } from './means';
export {
  histogramMoments,
  histogramQuantile,
  histogramQuantileInterval,
  mannWhitneyU,
  quantileExceedanceTest,
  type ExceedanceTestResult,
  type MannWhitneyResult,
  type QuantileEstimate,
} from './histogram';
export { benjaminiHochberg, holm } from './multiple-testing';
export { poissonSf } from './poisson';
export { binomialShareTest, type ShareTest } from './binomial';
export {
  momentsArm,
  proportionArm,
  SEQUENTIAL_DEFAULTS,
  sequentialCompare,
  sequentialMeanTest,
  sequentialProportionTest,
  type OneSidedSequential,
  type SequentialArm,
  type SequentialOptions,
  type SequentialResult,
} from './sequential';
export { createRandom, type Random } from './random';
