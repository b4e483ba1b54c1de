// The benchmarks' reports: figures as JSON, charts as PNG, and a progress line for long runs.
export type { Bar, Chart, RatePoint, Sample } from './chart.ts';
export { createProgress, type Progress, progress, progressText } from './progress.ts';
export { renderPng, renderSvg } from './render.ts';
export { bars, ratePoints, samples } from './series.ts';
export { chartSpec } from './spec.ts';
export { benchOutDir, type ReportFile, type WrittenReport, writeReport } from './write.ts';
