import { validateHeaderValue } from 'node:http';
import { describe, expect, it } from 'vitest';
import {
  MAX_FILENAME_CHARS,
  buildExportFilename,
  contentDisposition,
  toAsciiFilename,
} from '../../src/export/content-disposition.js';

const HEADER_SHAPE = /^attachment; filename="([^"\\\r\n]*)"; filename\*=UTF-8''([A-Za-z0-9!#$&+\-.^_`|~%]+)$/;

function parseHeader(header: string): { ascii: string; utf8: string } {
  const match = HEADER_SHAPE.exec(header);
  if (!match) throw new Error(`unexpected header shape: ${JSON.stringify(header)}`);
  return { ascii: match[1] ?? '', utf8: decodeURIComponent(match[2] ?? '') };
}

function headerFor(
  documentName: string,
  partial = false,
): { filename: string; ascii: string; utf8: string; header: string } {
  const filename = buildExportFilename(documentName, 'xlsx', partial);
  const header = contentDisposition(filename);
  // Node refuses header values with CR/LF or other invalid characters: this is what Fastify would hit.
  expect(() => validateHeaderValue('Content-Disposition', header)).not.toThrow();
  return { filename, header, ...parseHeader(header) };
}

describe('export file names and Content-Disposition', () => {
  it('names files after the document, with PARTIAL for runs that did not complete', () => {
    expect(buildExportFilename('Penhold RFP.pdf', 'xlsx', false)).toBe('Penhold RFP - analysis.xlsx');
    expect(buildExportFilename('Penhold RFP.PDF', 'csv', true)).toBe('Penhold RFP - analysis - PARTIAL.csv');
    expect(headerFor('Penhold RFP.pdf').header).toBe(
      `attachment; filename="Penhold RFP - analysis.xlsx"; filename*=UTF-8''Penhold%20RFP%20-%20analysis.xlsx`,
    );
  });

  it('cannot be used to inject a header', () => {
    const { header, ascii, utf8 } = headerFor('a"\r\nSet-Cookie: x.pdf');
    expect(header).not.toMatch(/[\r\n]/);
    expect(ascii).not.toContain('"');
    expect(utf8).not.toMatch(/["\r\n]/);
    expect(utf8).toBe('a_ Set-Cookie_ x - analysis.xlsx');
    // Given a hostile name directly, contentDisposition still sanitises it.
    expect(() =>
      validateHeaderValue('Content-Disposition', contentDisposition('x"\r\nSet-Cookie: a=b;.xlsx')),
    ).not.toThrow();
    expect(contentDisposition('x"\r\nSet-Cookie: a=b;.xlsx')).toMatch(HEADER_SHAPE);
  });

  it('cannot name a path', () => {
    for (const name of ['../../etc/passwd.pdf', '..\\..\\windows\\system32.pdf', '/abs/path.pdf', 'C:\\x.pdf']) {
      const { ascii, utf8 } = headerFor(name);
      for (const filename of [ascii, utf8]) {
        expect(filename).not.toMatch(/[/\\:*?"<>|]/);
        expect(filename.startsWith('.')).toBe(false);
      }
    }
    expect(headerFor('../../etc/passwd.pdf').utf8).toBe('etc_passwd - analysis.xlsx');
  });

  it('keeps non-ASCII names in filename* and transliterates the ASCII fallback', () => {
    const german = headerFor('Überprüfung – Straße.pdf');
    expect(german.utf8).toBe('Überprüfung – Straße - analysis.xlsx');
    expect(german.ascii).toBe('Uberprufung - Strasse - analysis.xlsx');

    const tokyo = headerFor('東京.pdf');
    expect(tokyo.utf8).toBe('東京 - analysis.xlsx');
    expect(tokyo.ascii).toMatch(/^[\x20-\x7e]+\.xlsx$/);
    expect(tokyo.ascii).toMatch(/[A-Za-z]/);
  });

  it('strips markup, control and bidi-override characters', () => {
    const xss = headerFor('<script>alert(1)</script><img src=x onerror=alert(1)>.pdf');
    expect(xss.utf8).not.toMatch(/[<>"]/);
    const spoof = headerFor('invoice\u202Efdp.exe\u0000\u0007.pdf');
    expect(spoof.utf8).toBe('invoice fdp.exe - analysis.xlsx');
  });

  it('drops leading dots and falls back to "document" when nothing usable is left', () => {
    expect(headerFor('...hidden.pdf').utf8).toBe('hidden - analysis.xlsx');
    expect(headerFor('').utf8).toBe('document - analysis.xlsx');
    expect(headerFor('///.pdf').utf8).toBe('document - analysis.xlsx');
    expect(headerFor('   ').utf8).toBe('document - analysis.xlsx');
  });

  it('caps long names without splitting characters and keeps the suffix', () => {
    const long = headerFor(`${'🚧'.repeat(300)}.pdf`, true);
    expect(Array.from(long.filename).length).toBeLessThanOrEqual(MAX_FILENAME_CHARS);
    expect(long.filename.endsWith(' - analysis - PARTIAL.xlsx')).toBe(true);
    expect(long.filename).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    expect(Array.from(headerFor('x'.repeat(1000)).filename).length).toBeLessThanOrEqual(MAX_FILENAME_CHARS);
  });

  it('keeps percent signs out of the ASCII fallback and encodes them in filename*', () => {
    const { ascii, header } = headerFor('100% done (final).pdf');
    expect(ascii).toBe('100_ done (final) - analysis.xlsx');
    expect(header).toContain("filename*=UTF-8''100%25%20done%20%28final%29%20-%20analysis.xlsx");
    expect(toAsciiFilename('naïve café.csv')).toBe('naive cafe.csv');
  });
});
