/**
 * The report page: one self-contained HTML file (inline CSS and SVG, no scripts, no external
 * fonts or images) whose Content-Security-Policy forbids loading anything, so it opens offline
 * and the same everywhere.
 */
import { CHART_FONT } from './render.js';

export interface Figure {
  id: string;
  svg: string;
  caption?: string;
}

export interface PageSection {
  id: string;
  title: string;
  /** One paragraph (plain text) under the heading. */
  intro?: string;
  /** Trusted HTML (built with `escapeHtml`/`tableHtml`) placed before the figures. */
  html?: string;
  figures: Figure[];
  /** Charts left out and why (plain text). */
  notes: string[];
}

export interface Page {
  title: string;
  /** One line under the title (plain text). */
  subtitle: string;
  sections: PageSection[];
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** A table of plain-text cells; `strong[r][c]` marks a cell in bold. */
export function tableHtml(header: string[], rows: string[][], strong?: boolean[][]): string {
  const head = header.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = rows
    .map((cells, r) => `<tr>${cells.map((c, i) => (strong?.[r]?.[i] ? `<td><strong>${escapeHtml(c)}</strong></td>` : `<td>${escapeHtml(c)}</td>`)).join('')}</tr>`)
    .join('\n');
  return `<table>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

const STYLE = `
body { font-family: ${CHART_FONT}; margin: 24px auto; max-width: 1200px; padding: 0 16px; color: #222; }
h1 { margin-bottom: 4px; } .subtitle { color: #555; margin-top: 0; }
h2 { border-bottom: 1px solid #ddd; padding-bottom: 4px; margin-top: 32px; }
table { border-collapse: collapse; font-size: 14px; margin: 8px 0; }
th, td { border: 1px solid #ddd; padding: 4px 10px; text-align: left; }
th { background: #f4f4f4; }
.figures { display: flex; flex-wrap: wrap; gap: 16px; }
figure.chart { margin: 0; border: 1px solid #eee; padding: 8px; background: #fff; }
figure.chart svg { display: block; }
figcaption { font-size: 13px; color: #555; max-width: 560px; }
.note { background: #fff8e1; border-left: 4px solid #f0b400; padding: 6px 10px; font-size: 14px; }
details pre { font-size: 12px; background: #f7f7f7; padding: 8px; overflow-x: auto; }
`;

function sectionHtml(section: PageSection): string {
  const parts = [`<section id="${escapeHtml(section.id)}">`, `<h2>${escapeHtml(section.title)}</h2>`];
  if (section.intro) parts.push(`<p>${escapeHtml(section.intro)}</p>`);
  for (const note of section.notes) parts.push(`<p class="note">${escapeHtml(note)}</p>`);
  if (section.html) parts.push(section.html);
  if (section.figures.length > 0) {
    parts.push('<div class="figures">');
    for (const f of section.figures) {
      const caption = f.caption ? `<figcaption>${escapeHtml(f.caption)}</figcaption>` : '';
      parts.push(`<figure class="chart" id="${escapeHtml(f.id)}">\n${f.svg}\n${caption}</figure>`);
    }
    parts.push('</div>');
  }
  parts.push('</section>');
  return parts.join('\n');
}

export function reportPage(page: Page): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(page.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(page.title)}</h1>
<p class="subtitle">${escapeHtml(page.subtitle)}</p>
${page.sections.map(sectionHtml).join('\n')}
</body>
</html>
`;
}
