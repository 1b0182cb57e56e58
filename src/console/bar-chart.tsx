import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  Tooltip,
} from 'chart.js';
import { useEffect, useRef } from 'react';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip, Legend);

export interface BarSeries {
  label: string;
  values: number[];
  colour: string;
}

/**
 * A bar chart (chart.js) with its numbers also as a table, for screen readers and for reading
 * exact values. `horizontal` suits long labels such as agent names at 375 px.
 */
export function BarChart(props: {
  title: string;
  labels: string[];
  series: BarSeries[];
  horizontal?: boolean;
  stacked?: boolean;
  max?: number;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const { title, labels, series, horizontal, stacked, max } = props;
  useEffect(() => {
    if (!canvas.current) return;
    const chart = new Chart(canvas.current, {
      type: 'bar',
      data: {
        labels,
        datasets: series.map((s) => ({
          label: s.label,
          data: s.values,
          backgroundColor: s.colour,
        })),
      },
      options: {
        indexAxis: horizontal ? 'y' : 'x',
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: {
          x: { stacked: stacked ?? false, ...(horizontal && max !== undefined ? { max } : {}) },
          y: {
            stacked: stacked ?? false,
            beginAtZero: true,
            ...(!horizontal && max !== undefined ? { max } : {}),
          },
        },
        plugins: { legend: { display: series.length > 1 } },
      },
    });
    return () => chart.destroy();
  }, [labels, series, horizontal, stacked, max]);
  return (
    <figure className="chart">
      <div
        className="chart-box"
        style={{ height: `${Math.max(160, horizontal ? labels.length * 36 + 60 : 220)}px` }}
      >
        <canvas ref={canvas} role="img" aria-label={title} />
      </div>
      <figcaption>{title}</figcaption>
      <details>
        <summary>Show the numbers</summary>
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              {series.map((s) => (
                <th scope="col" key={s.label}>
                  {s.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {labels.map((label, i) => (
              <tr key={label}>
                <th scope="row">{label}</th>
                {series.map((s) => (
                  <td key={s.label}>{s.values[i] ?? 0}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
