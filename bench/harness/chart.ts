/** chart.svg: one panel of bars per scenario, absolute values and the ratio to raw ws. */
import type { Meta } from './report.js';
import { count, rate, type Medians } from './format.js';
import { FLOOR, RAW } from './targets.js';
import type { Memory, Throughput } from './scenarios.js';

const COLORS: Record<string, string> = {
  'raw-ws': '#9ca3af',
  'raw-ws-batched': '#4b5563',
  'nest-ws': '#e0234e',
  socketio: '#2563eb',
  'nest-socketio': '#7c3aed',
  realtime: '#10b981',
  'realtime-dto': '#047857',
  'realtime-metrics': '#34d399',
};

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

interface Panel {
  title: string;
  rows: { name: string; label: string; value: number }[];
  format: (v: number) => string;
  /** Where a target for nestjs-realtime sits (absolute value), if any. */
  targets: { value: number; label: string }[];
  lowerIsBetter?: boolean;
}

export function chart(m: Medians, meta: Meta): string {
  const labels = new Map(meta.servers.map((s) => [s.name, s.label]));
  const panels: Panel[] = [];
  const fmtRate = (v: number): string => `${rate(v)}/s`;
  const add = (scenario: string, title: string, goals: [string, number, string][]): void => {
    const rows = m[scenario];
    if (!rows) return;
    panels.push({
      title,
      rows: Object.entries(rows).map(([name, v]) => ({
        name,
        label: labels.get(name)! + (scenario === 'redis' ? ' + Redis' : ''),
        value: (v as Throughput).rate,
      })),
      format: fmtRate,
      targets: goals.map(([base, ratio, text]) => ({
        value: ((m[scenario]?.[base] as Throughput | undefined)?.rate ?? NaN) * ratio,
        label: `target ${text}`,
      })),
    });
  };
  add('reqrep', 'Request/reply (replies/s)', [[FLOOR, 0.85, '0.85× batched']]);
  for (const size of [...meta.config.broadcastSizes].sort((a, b) => a - b)) {
    add(`broadcast-${size}`, `Broadcast to ${count(size)} (deliveries/s)`, [
      [FLOOR, 0.95, '0.95× batched'],
    ]);
  }
  add('handshakes', 'Handshakes with JWT (connections/s)', [[FLOOR, 0.9, '0.9× batched']]);
  if (m['memory']) {
    const rows = Object.entries(m['memory']).map(([name, v]) => ({
      name,
      label: labels.get(name)!,
      value: (v as Memory).rssPerConn / 1024,
    }));
    const raw = (m['memory'][FLOOR] as Memory | undefined)?.rssPerConn ?? NaN;
    panels.push({
      title: 'Memory per idle connection (KB RSS, lower is better)',
      rows,
      format: (v) => `${v.toFixed(1)} KB`,
      targets: [{ value: (raw / 1024) * 1.1, label: 'target 1.1× batched' }],
      lowerIsBetter: true,
    });
  }
  add('redis', 'Broadcast over Redis, 2 instances (deliveries/s)', []);

  const panelWidth = 520;
  const labelWidth = 160;
  const barWidth = 250;
  const rowHeight = 22;
  const columns = 2;
  const heights = panels.map((p) => 44 + p.rows.length * rowHeight + 10);
  const rowsOfPanels = Math.ceil(panels.length / columns);
  const rowHeights = Array.from({ length: rowsOfPanels }, (_, r) =>
    Math.max(...heights.slice(r * columns, r * columns + columns)),
  );
  const top = 56;
  const width = panelWidth * columns + 20;
  const height = top + rowHeights.reduce((a, b) => a + b, 0) + 10;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="14" y="24" font-size="16" font-weight="bold">nestjs-realtime vs raw ws, stock Nest and Socket.IO (${meta.config.reps > 1 ? `medians of ${meta.config.reps} runs` : 'one run'}, same machine, same run)</text>`,
    `<text x="14" y="43" fill="#555">Bars: absolute values; label: value and ratio to raw ws batched (raw ws with the same per-turn cork: the floor). Dashed line: the nestjs-realtime target.</text>`,
  );
  let y = top;
  panels.forEach((panel, i) => {
    const column = i % columns;
    if (column === 0 && i > 0) y += rowHeights[Math.floor(i / columns) - 1]!;
    const x0 = 10 + column * panelWidth;
    const max =
      Math.max(...panel.rows.map((r) => r.value), ...panel.targets.map((t) => t.value)) || 1;
    const floor =
      panel.rows.find((r) => r.name === FLOOR) ?? panel.rows.find((r) => r.name === RAW);
    const raw = floor?.value ?? NaN;
    out.push(
      `<rect x="${x0}" y="${y}" width="${panelWidth - 10}" height="${heights[i]! - 6}" fill="#f9fafb" stroke="#e5e7eb"/>`,
      `<text x="${x0 + 10}" y="${y + 22}" font-size="13" font-weight="bold">${escape(panel.title)}</text>`,
    );
    for (const target of panel.targets) {
      if (!Number.isFinite(target.value)) continue;
      const tx = x0 + labelWidth + 8 + (target.value / max) * barWidth;
      const y1 = y + 32;
      const y2 = y + 36 + panel.rows.length * rowHeight;
      out.push(
        `<line x1="${tx.toFixed(1)}" y1="${y1}" x2="${tx.toFixed(1)}" y2="${y2}" stroke="#111" stroke-dasharray="4 3"/>`,
        `<text x="${(tx + 3).toFixed(1)}" y="${y1 + 2}" font-size="10" fill="#111">${escape(target.label)}</text>`,
      );
    }
    panel.rows.forEach((row, j) => {
      const ry = y + 36 + j * rowHeight;
      const w = Number.isFinite(row.value) ? (row.value / max) * barWidth : 0;
      const ratio = row.value / raw;
      const text = `${panel.format(row.value)}${Number.isFinite(ratio) && row !== floor ? `  ${ratio.toFixed(2)}×` : ''}`;
      out.push(
        `<text x="${x0 + labelWidth}" y="${ry + 14}" text-anchor="end">${escape(row.label)}</text>`,
        `<rect x="${x0 + labelWidth + 8}" y="${ry + 3}" width="${w.toFixed(1)}" height="${rowHeight - 7}" fill="${COLORS[row.name] ?? '#999'}"/>`,
        `<text x="${x0 + labelWidth + 14 + w}" y="${ry + 14}" fill="#111" stroke="#f9fafb" stroke-width="3" paint-order="stroke">${escape(text)}</text>`,
      );
    });
  });
  out.push('</svg>', '');
  return out.join('\n');
}

/** Writes a text file formatted as the project's Prettier would (so `npm run lint` passes). */
