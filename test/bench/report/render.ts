// A Vega-Lite spec to a PNG, offline: vega-lite compiles it to Vega, a headless Vega view draws it
// as SVG, and resvg (a Rust SVG renderer, shipped prebuilt in its npm package) rasterises it with
// the machine's fonts (DejaVu Sans where present, else the first system font).
import { existsSync } from 'node:fs';
import { Resvg } from '@resvg/resvg-js';
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** Pixels per SVG unit: the charts are drawn at about 600 units wide, the PNG at twice that. */
const SCALE = 2;
const FONT = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';

/**
 * Vega-Lite's warnings go to stderr, but one: the bar charts' panels each size their own x axis
 * from layers of one data source, which it cannot tell apart from two sources, and says so.
 */
const KNOWN = 'Detected faceted independent scales that union domain of the same fields';
const logger = {
  level: (value?: number) => (value === undefined ? 2 : logger), // warnings and errors, always
  error(...args: unknown[]) {
    console.error('[vega-lite]', ...args);
    return logger;
  },
  warn(...args: unknown[]) {
    if (!String(args[0]).startsWith(KNOWN)) console.error('[vega-lite]', ...args);
    return logger;
  },
  info: () => logger,
  debug: () => logger,
};

/** The chart as an SVG document (no network: the data is inline, nothing is loaded). */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new View(parse(compile(spec, { logger }).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** The chart as a PNG file's bytes. */
export async function renderPng(spec: TopLevelSpec): Promise<Buffer> {
  const svg = await renderSvg(spec);
  const resvg = new Resvg(svg, {
    background: 'white',
    fitTo: { mode: 'zoom', value: SCALE },
    font: existsSync(FONT)
      ? { loadSystemFonts: true, fontFiles: [FONT], defaultFontFamily: 'DejaVu Sans' }
      : { loadSystemFonts: true },
    logLevel: 'off',
  });
  return Buffer.from(resvg.render().asPng());
}
