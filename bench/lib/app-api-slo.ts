import type { Comparison, ReportChart, Target } from './report.ts';

export interface AppApiMeasurement {
  targets: Target[];
  comparisons: Comparison[];
  charts: ReportChart[];
  notes: string[];
}

export async function measureAppApi(): Promise<AppApiMeasurement> {
  throw new Error('examples/app-api createAppApi is not available yet');
}
