/**
 * Generates real PDFs for tests: known text on known pages, page labels, running headers/footers,
 * multi-column pages, ligature glyphs, image-only (scanned) pages, encrypted files and hostile files.
 * Shared by every test folder; nothing here reads the network or fixture files.
 *
 *   const bytes = await createPdf({ pages: [{ lines: ['Hello'] }, { columns: [['left'], ['right']] }] });
 *   const bytes = await createTextPdf(['page one text', 'page two\nsecond line']);
 */
import { createDeflate } from 'node:zlib';
import { createCanvas } from '@napi-rs/canvas';
import PDFKitDocument from 'pdfkit';
import {
  PDFDocument,
  PDFHexString,
  PDFName,
  StandardFonts,
  beginText,
  endText,
  moveText,
  setFontAndSize,
  showText,
  type PDFFont,
  type PDFPage,
} from 'pdf-lib';

export interface PageSpec {
  /**
   * Single-column body lines, top to bottom. May contain the ligature characters ﬁ and ﬂ (drawn as real ligature
   * glyphs).
   */
  lines?: string[];
  /** Multi-column body: one array of lines per column, laid out side by side with a gutter. */
  columns?: string[][];
  /** Running header/footer; "{page}" is replaced by the physical page number. */
  header?: string;
  footer?: string;
  /** Image-only page: these lines are drawn into a PNG that fills the page; the page has no text layer. */
  imageLines?: string[];
  /** Body font size in points (default 11). */
  fontSize?: number;
  /** Page size in points (default US Letter 612 × 792). */
  size?: [number, number];
}

export type PageLabelStyle = 'D' | 'r' | 'R' | 'a' | 'A';

export interface PageLabelRange {
  /** 1-based physical page where this labelling range starts. */
  startPage: number;
  /** Numbering style: D decimal, r/R roman, a/A letters; omitted = prefix only. */
  style?: PageLabelStyle;
  prefix?: string;
  /** First number of the range (default 1). */
  start?: number;
}

export interface PdfSpec {
  pages: PageSpec[];
  pageLabels?: PageLabelRange[];
}

const LETTER: [number, number] = [612, 792];
const MARGIN_PT = 72;
const HEADER_FROM_TOP_PT = 40;
const FOOTER_FROM_BOTTOM_PT = 36;
const LINE_HEIGHT = 1.35; // × font size
const GUTTER_PT = 24;
const IMAGE_DPI = 150;
// Codes 1 and 2 of the ligature font are mapped to these glyph names through an /Encoding /Differences
// array. Helvetica (a standard font, not embedded) has only the fi and fl ligature glyphs.
const LIGATURE_GLYPHS: Record<string, { code: number; glyph: string }> = {
  '\uFB01': { code: 1, glyph: 'fi' },
  '\uFB02': { code: 2, glyph: 'fl' },
};
const LIGATURE_FONT_KEY = 'FLig';

/** Build a PDF from page specs (or a bare page list). */
export async function createPdf(spec: PdfSpec | PageSpec[]): Promise<Uint8Array> {
  const { pages, pageLabels } = Array.isArray(spec) ? { pages: spec, pageLabels: undefined } : spec;
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (const [index, pageSpec] of pages.entries()) await drawPage(doc, font, pageSpec, index + 1);
  if (pageLabels?.length) setPageLabels(doc, pageLabels);
  return doc.save({ useObjectStreams: true });
}

/** One page per string; "\n" separates lines. */
export function createTextPdf(pageTexts: string[]): Promise<Uint8Array> {
  return createPdf(pageTexts.map((text) => ({ lines: text.split('\n') })));
}

export interface LongPdfOptions {
  /** Body lines per page (default 36). */
  linesPerPage?: number;
  /** Body font size in points (default 9). */
  fontSize?: number;
}

/**
 * A document of `pageCount` pages of spec-like prose with a running header and a page-number footer, for
 * speed and memory measurements. The defaults give ~2,300 characters per page, a little denser than the
 * real bid documents in the corpus (1,500–1,700).
 */
export function createLongPdf(pageCount: number, options: LongPdfOptions = {}): Promise<Uint8Array> {
  const linesPerPage = options.linesPerPage ?? 36;
  const pages: PageSpec[] = [];
  for (let p = 1; p <= pageCount; p++) {
    const lines: string[] = [];
    for (let l = 1; l <= linesPerPage; l++) {
      lines.push(`${p}.${l} The contractor shall install the liner to the thickness specified.`);
    }
    pages.push({
      lines,
      header: 'City of Example Sewer Rehabilitation Contract',
      footer: 'Page {page}',
      fontSize: options.fontSize ?? 9,
    });
  }
  return createPdf(pages);
}

async function drawPage(doc: PDFDocument, font: PDFFont, spec: PageSpec, pageNumber: number): Promise<void> {
  const [width, height] = spec.size ?? LETTER;
  const page = doc.addPage([width, height]);
  const size = spec.fontSize ?? 11;

  if (spec.imageLines) {
    const png = renderTextImage(spec.imageLines, width, height);
    const image = await doc.embedPng(png);
    page.drawImage(image, { x: 0, y: 0, width, height });
  }
  const fill = (text: string) => text.replaceAll('{page}', String(pageNumber));
  if (spec.header) drawLine(doc, page, font, fill(spec.header), MARGIN_PT, height - HEADER_FROM_TOP_PT, 9);
  if (spec.footer) drawLine(doc, page, font, fill(spec.footer), MARGIN_PT, FOOTER_FROM_BOTTOM_PT, 9);

  const top = height - MARGIN_PT;
  spec.lines?.forEach((line, i) => drawLine(doc, page, font, line, MARGIN_PT, top - i * size * LINE_HEIGHT, size));
  if (spec.columns) {
    const count = spec.columns.length;
    const columnWidth = (width - 2 * MARGIN_PT - (count - 1) * GUTTER_PT) / count;
    spec.columns.forEach((column, c) => {
      const x = MARGIN_PT + c * (columnWidth + GUTTER_PT);
      column.forEach((line, i) => drawLine(doc, page, font, line, x, top - i * size * LINE_HEIGHT, size));
    });
  }
}

function drawLine(
  doc: PDFDocument,
  page: PDFPage,
  font: PDFFont,
  text: string,
  x: number,
  y: number,
  size: number,
): void {
  if (!/[\uFB01\uFB02]/.test(text)) {
    page.drawText(text, { x, y, size, font });
    return;
  }
  // Standard-font WinAnsi text cannot hold ligature characters, so these lines use a Helvetica font whose
  // encoding maps a few byte codes to the "fi"/"fl"/... glyphs, exactly like typeset PDFs do.
  const key = ensureLigatureFont(doc, page);
  const bytes: number[] = [];
  for (const ch of text) {
    const lig = LIGATURE_GLYPHS[ch];
    const code = lig ? lig.code : ch.charCodeAt(0);
    if (code > 0xff) throw new Error(`pdf-factory: character ${ch} cannot be drawn`);
    bytes.push(code);
  }
  const hex = Buffer.from(bytes).toString('hex');
  page.pushOperators(beginText(), setFontAndSize(key, size), moveText(x, y), showText(PDFHexString.of(hex)), endText());
}

function ensureLigatureFont(doc: PDFDocument, page: PDFPage): string {
  const differences: (number | string)[] = [];
  for (const { code, glyph } of Object.values(LIGATURE_GLYPHS)) differences.push(code, glyph);
  const dict = doc.context.obj({
    Type: 'Font',
    Subtype: 'Type1',
    BaseFont: 'Helvetica',
    Encoding: { Type: 'Encoding', BaseEncoding: 'WinAnsiEncoding', Differences: differences },
  });
  page.node.setFontDictionary(PDFName.of(LIGATURE_FONT_KEY), doc.context.register(dict));
  return LIGATURE_FONT_KEY;
}

/** Render lines of black text on white at 150 dpi, as a scanner would produce. */
export function renderTextImage(lines: string[], widthPt: number, heightPt: number): Buffer {
  const scale = IMAGE_DPI / 72;
  const canvas = createCanvas(Math.round(widthPt * scale), Math.round(heightPt * scale));
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.fillStyle = '#000000';
  const fontPx = Math.round(14 * scale);
  ctx.font = `${fontPx}px "DejaVu Sans", sans-serif`;
  lines.forEach((line, i) => ctx.fillText(line, MARGIN_PT * scale, (MARGIN_PT + 20) * scale + i * fontPx * 1.6));
  return canvas.toBuffer('image/png');
}

function setPageLabels(doc: PDFDocument, ranges: PageLabelRange[]): void {
  const nums: unknown[] = [];
  for (const r of [...ranges].sort((a, b) => a.startPage - b.startPage)) {
    const entry: Record<string, unknown> = {};
    if (r.style) entry.S = r.style;
    if (r.prefix !== undefined) entry.P = PDFHexString.fromText(r.prefix);
    if (r.start !== undefined) entry.St = r.start;
    nums.push(r.startPage - 1, entry);
  }
  const tree = doc.context.obj({ Nums: nums as never });
  doc.catalog.set(PDFName.of('PageLabels'), doc.context.register(tree));
}

/** A password-protected PDF (pdfkit's RC4/AES encryption); pdf.js needs the password to open it. */
export function createEncryptedPdf(text: string, userPassword = 'secret'): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const doc = new PDFKitDocument({ userPassword, ownerPassword: `${userPassword}-owner`, pdfVersion: '1.7' });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks))));
    doc.on('error', reject);
    doc.text(text);
    doc.end();
  });
}

/**
 * A "decompression bomb": one page whose content stream is a FlateDecode stream that inflates to
 * `inflatedBytes` (default 1 GiB) of spaces. The file itself stays around 1 MB.
 */
export async function createFlateBombPdf(inflatedBytes = 1024 * 1024 * 1024): Promise<Uint8Array> {
  const compressed = await deflateRepeated(Buffer.alloc(1024 * 1024, 0x20), Math.ceil(inflatedBytes / (1024 * 1024)));
  return assemblePdf([
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << >> >>',
    { dict: `<< /Length ${compressed.length} /Filter /FlateDecode >>`, data: compressed },
  ]);
}

function deflateRepeated(chunk: Buffer, times: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const deflate = createDeflate({ level: 9 });
    const out: Buffer[] = [];
    deflate.on('data', (c: Buffer) => out.push(c));
    deflate.on('end', () => resolve(Buffer.concat(out)));
    deflate.on('error', reject);
    let written = 0;
    const writeMore = () => {
      while (written < times) {
        written++;
        if (!deflate.write(chunk)) {
          deflate.once('drain', writeMore);
          return;
        }
      }
      deflate.end();
    };
    writeMore();
  });
}

type RawObject = string | { dict: string; data: Buffer };

/** Serialise numbered objects (1..n, first is the catalog) into a PDF with a correct xref table. */
export function assemblePdf(objects: RawObject[]): Uint8Array {
  const parts: Buffer[] = [Buffer.from('%PDF-1.7\n%\xE2\xE3\xCF\xD3\n', 'latin1')];
  let offset = parts[0]!.length;
  const offsets: number[] = [];
  objects.forEach((obj, i) => {
    offsets.push(offset);
    const body =
      typeof obj === 'string'
        ? Buffer.from(`${i + 1} 0 obj\n${obj}\nendobj\n`, 'latin1')
        : Buffer.concat([
            Buffer.from(`${i + 1} 0 obj\n${obj.dict}\nstream\n`, 'latin1'),
            obj.data,
            Buffer.from('\nendstream\nendobj\n', 'latin1'),
          ]);
    parts.push(body);
    offset += body.length;
  });
  const xref = [
    `xref\n0 ${objects.length + 1}\n`,
    '0000000000 65535 f \n',
    ...offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`),
  ].join('');
  parts.push(
    Buffer.from(
      `${xref}trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${offset}\n%%EOF\n`,
      'latin1',
    ),
  );
  return new Uint8Array(Buffer.concat(parts));
}
