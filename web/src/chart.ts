/** A small line chart on a canvas: one polyline per series, y from the data's range (or fixed). */
export interface Series {
  color: string;
  points: [number, number][];
}

export function drawLines(canvas: HTMLCanvasElement, series: Series[], yRange?: [number, number]): void {
  const ctx = canvas.getContext('2d')!;
  const { width, height } = canvas;
  const [left, right, top, bottom] = [40, 8, 8, height - 20];
  ctx.clearRect(0, 0, width, height);
  const all = series.flatMap((s) => s.points);
  if (all.length === 0) return;
  const xMax = Math.max(...all.map((p) => p[0]), 1);
  let [yMin, yMax] = yRange ?? [Math.min(...all.map((p) => p[1])), Math.max(...all.map((p) => p[1]))];
  if (yMax - yMin < 1e-6) [yMin, yMax] = [yMin - 0.5, yMax + 0.5];
  const X = (x: number) => left + (x / xMax) * (width - left - right);
  const Y = (y: number) => bottom - ((y - yMin) / (yMax - yMin)) * (bottom - top);
  ctx.fillStyle = '#5f6368';
  ctx.font = '11px sans-serif';
  ctx.strokeStyle = '#eeeeee';
  for (let t = 0; t <= 4; t++) {
    const y = yMin + ((yMax - yMin) * t) / 4;
    ctx.beginPath();
    ctx.moveTo(left, Y(y));
    ctx.lineTo(width - right, Y(y));
    ctx.stroke();
    ctx.fillText(y.toFixed(y >= 10 ? 1 : 2), 2, Y(y) + 4);
  }
  ctx.fillText(`step ${xMax}`, width - right - 56, height - 4);
  for (const s of series) {
    ctx.strokeStyle = s.color;
    ctx.lineWidth = 2;
    ctx.beginPath();
    s.points.forEach(([x, y], i) => (i === 0 ? ctx.moveTo(X(x), Y(y)) : ctx.lineTo(X(x), Y(y))));
    ctx.stroke();
  }
}
