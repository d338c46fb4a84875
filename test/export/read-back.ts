/** Helpers that read exported files back the way a user's tools would (exceljs, a zip reader, csv-parse). */
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import type { ExportFile } from '../../src/export/build-export.js';

export function bodyBuffer(file: ExportFile): Buffer {
  if (!Buffer.isBuffer(file.body)) throw new Error('expected a Buffer body');
  return file.body;
}

export async function loadWorkbook(buffer: Buffer): Promise<ExcelJS.Workbook> {
  const workbook = new ExcelJS.Workbook();
  // exceljs's typings want its own Buffer alias; the runtime accepts a Node Buffer.
  await workbook.xlsx.load(buffer as unknown as ExcelJS.Buffer);
  return workbook;
}

export function requireSheet(workbook: ExcelJS.Workbook, name: string): ExcelJS.Worksheet {
  const sheet = workbook.getWorksheet(name);
  if (!sheet) throw new Error(`sheet "${name}" missing`);
  return sheet;
}

/** Each row's cell values (1-based columns kept as array index 0 = column 1). */
export function sheetRows(sheet: ExcelJS.Worksheet): ExcelJS.CellValue[][] {
  const rows: ExcelJS.CellValue[][] = [];
  sheet.eachRow({ includeEmpty: false }, (row) => {
    const values: ExcelJS.CellValue[] = [];
    for (let column = 1; column <= sheet.columnCount; column += 1) values.push(row.getCell(column).value);
    rows.push(values);
  });
  return rows;
}

export function allCells(workbook: ExcelJS.Workbook): ExcelJS.Cell[] {
  const cells: ExcelJS.Cell[] = [];
  workbook.eachSheet((sheet) => {
    sheet.eachRow((row) => {
      row.eachCell((cell) => {
        cells.push(cell);
      });
    });
  });
  return cells;
}

/** The value next to a label in column A (the summary's "Questions | 12" rows). */
export function valueBesideLabel(sheet: ExcelJS.Worksheet, label: string): ExcelJS.CellValue {
  let found: ExcelJS.CellValue | undefined;
  sheet.eachRow((row) => {
    if (found === undefined && row.getCell(1).value === label) found = row.getCell(2).value;
  });
  if (found === undefined) throw new Error(`label "${label}" not found`);
  return found;
}

export async function readZipEntry(buffer: Buffer, path: string): Promise<string> {
  const zip = await JSZip.loadAsync(buffer);
  const entry = zip.file(path);
  if (!entry) throw new Error(`zip entry ${path} missing`);
  return entry.async('string');
}

function decodeXmlEntities(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_match, code: string) => String.fromCodePoint(Number(code)))
    .replace(/&amp;/g, '&');
}

/** The visible text of a WordprocessingML part: its <w:t> runs, one paragraph per line. */
export function wordText(xml: string): string {
  return xml
    .split(/<\/w:p>/)
    .map((paragraph) =>
      Array.from(paragraph.matchAll(/<w:t(?:\s[^>]*)?>([^<]*)<\/w:t>/g), (match) =>
        decodeXmlEntities(match[1] ?? ''),
      ).join(''),
    )
    .join('\n');
}
