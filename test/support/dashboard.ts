import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

interface Panel {
  type: string;
  title: string;
  targets?: { expr: string }[];
}

/**
 * The metric names the queries of docs/grafana-dashboard.json use, per row (by the row's title):
 * each application's test checks that it exposes the names of its own row.
 */
export function dashboardMetrics(): Map<string, Set<string>> {
  const panels: Panel[] = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../docs/grafana-dashboard.json'), 'utf8')).panels;
  if (panels[0]?.type !== 'row') throw new Error('the dashboard must start with a row');
  const rows = new Map<string, Set<string>>();
  let names = new Set<string>();
  for (const panel of panels) {
    if (panel.type === 'row') rows.set(panel.title, (names = new Set()));
    for (const { expr } of panel.targets ?? []) for (const name of expr.match(/\b(?:ryzeapi|process|nodejs)_[a-z0-9_]+/g) ?? []) names.add(name);
  }
  return rows;
}
