// A small, valid PDF (cross-reference table, page labels, Flate-compressed content, TJ arrays with kerning)
// built in memory. A pooled parse worker reads it once before it reports ready, so pdf.js's code is already
// compiled and its lazily built tables (glyph names, standard fonts) exist when the user's document
// arrives: ~60–90 ms less before the first page. It is our own document, never a user's, so parsing it
// carries nothing from one upload to the next.
import { deflateSync } from 'node:zlib';

const LINES_PER_PAGE = 40;

/** @returns {Uint8Array} */
export function buildWarmUpPdf(pageCount = 3) {
  const objects = [];
  const add = (body) => objects.push(body); // returns the new object's number
  const catalog = add('');
  const pageTree = add('');
  const font = add('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>');
  const pages = [];
  for (let p = 1; p <= pageCount; p++) {
    const lines = [];
    for (let l = 0; l < LINES_PER_PAGE; l++) {
      const hex = Buffer.from(
        `${p}.${l + 1} The Contractor shall line the existing 8-inch main with cured-in-place pipe.`,
        'latin1',
      ).toString('hex');
      lines.push(`BT /F1 10 Tf 1 0 0 1 72 ${740 - l * 16} Tm [<${hex.slice(0, 40)}> -15 <${hex.slice(40)}>] TJ ET`);
    }
    const content = deflateSync(Buffer.from(lines.join('\n'), 'latin1')).toString('latin1');
    const stream = add(`<< /Length ${content.length} /Filter /FlateDecode >>\nstream\n${content}\nendstream`);
    pages.push(
      add(
        `<< /Type /Page /Parent ${pageTree} 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 ${font} 0 R >> >> /Contents ${stream} 0 R >>`,
      ),
    );
  }
  objects[catalog - 1] = `<< /Type /Catalog /Pages ${pageTree} 0 R /PageLabels << /Nums [0 << /S /r >>] >> >>`;
  objects[pageTree - 1] = `<< /Type /Pages /Kids [${pages.map((n) => `${n} 0 R`).join(' ')}] /Count ${pages.length} >>`;

  let pdf = '%PDF-1.4\n';
  const offsets = objects.map((body, i) => {
    const offset = pdf.length;
    pdf += `${i + 1} 0 obj\n${body}\nendobj\n`;
    return offset;
  });
  const xref = pdf.length;
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) pdf += `${String(offset).padStart(10, '0')} 00000 n \n`;
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root ${catalog} 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return new Uint8Array(Buffer.from(pdf, 'latin1'));
}
