// A minimal, dependency-free PDF writer for the project's sample and fixture PDFs.
//
// One font only: the non-embedded Adobe CJK font STSong-Light as a /Type0 font with the predefined
// CMap /UniGB-UCS2-H (character codes are UTF-16BE code units, written as hex strings <...>) over a
// CIDFontType0 with CIDSystemInfo Adobe-GB1-2. Widths: ASCII (CIDs 1–95 under UniGB-UCS2-H) are half
// an em, everything else a full em (/DW 1000), so `textWidth` below is exactly what a viewer uses.
//
// Coordinates given to `Content` are top-left origin (y grows downwards), like the project's `Box`;
// they are flipped into PDF space when written. Output is deterministic: no dates, the /ID is a hash
// of the body, content streams are Flate-compressed by node:zlib at a fixed level.
import crypto from 'node:crypto';
import zlib from 'node:zlib';

export const A4_PORTRAIT = { width: 595.28, height: 841.89 } as const;
export const A4_LANDSCAPE = { width: 841.89, height: 595.28 } as const;

/** Ascent of the CJK glyphs as a fraction of the font size (the descriptor says 880/1000). */
export const ASCENT = 0.88;

/** A number for a content stream: at most two decimals, no exponent, no "-0". */
export function num(n: number): string {
  const r = Math.round(n * 100) / 100;
  if (r === 0) return '0';
  return r.toFixed(2).replace(/\.?0+$/, '');
}

/** Width of one character in ems under this writer's font metrics. */
export function charEm(ch: string): number {
  return ch.codePointAt(0)! < 0x80 ? 0.5 : 1;
}

export function textWidth(s: string, size: number): number {
  let ems = 0;
  for (const ch of s) ems += charEm(ch);
  return ems * size;
}

/** A string as UTF-16BE hex for the UniGB-UCS2-H CMap (BMP characters only). */
export function ucs2Hex(s: string): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (cp > 0xffff) throw new Error(`character outside the BMP cannot be written in UCS-2: ${ch}`);
    out += cp.toString(16).toUpperCase().padStart(4, '0');
  }
  return `<${out}>`;
}

/** Builder of one page's content stream, in top-left coordinates. */
export class Content {
  private readonly ops: string[] = [];
  private lineWidthSet: number | null = null;

  constructor(readonly width: number, readonly height: number) {}

  /** Text with its baseline at `baseline` (distance from the top of the page). */
  text(x: number, baseline: number, size: number, s: string): void {
    if (!s) return;
    this.ops.push(`BT /F1 ${num(size)} Tf 1 0 0 1 ${num(x)} ${num(this.height - baseline)} Tm ${ucs2Hex(s)} Tj ET`);
  }

  /** Text whose box [x0, x1] is given and which is placed left, centred or right inside it. */
  textIn(x0: number, x1: number, baseline: number, size: number, s: string, align: 'left' | 'center' | 'right', pad = 0): void {
    const w = textWidth(s, size);
    const x = align === 'left' ? x0 + pad : align === 'right' ? x1 - pad - w : (x0 + x1 - w) / 2;
    this.text(x, baseline, size, s);
  }

  private setLineWidth(w: number): void {
    if (this.lineWidthSet === w) return;
    this.ops.push(`${num(w)} w`);
    this.lineWidthSet = w;
  }

  /** A stroked straight segment. */
  line(x0: number, y0: number, x1: number, y1: number, width = 0.5): void {
    this.setLineWidth(width);
    this.ops.push(`${num(x0)} ${num(this.height - y0)} m ${num(x1)} ${num(this.height - y1)} l S`);
  }

  /** A stroked rectangle given by its top-left corner and size. */
  rect(x: number, top: number, w: number, h: number, width = 0.5): void {
    this.setLineWidth(width);
    this.ops.push(`${num(x)} ${num(this.height - top - h)} ${num(w)} ${num(h)} re S`);
  }

  toString(): string {
    return ['0 g 0 G', ...this.ops].join('\n') + '\n';
  }
}

interface PageEntry {
  width: number;
  height: number;
  content: string;
}

export interface DocInfo {
  title?: string;
  subject?: string;
}

function pdfTextString(s: string): string {
  // Text strings in the Info dictionary: UTF-16BE with a byte-order mark.
  return `<FEFF${ucs2Hex(s).slice(1, -1)}>`;
}

export class PdfWriter {
  private readonly pages: PageEntry[] = [];

  constructor(private readonly info: DocInfo = {}) {}

  addPage(content: Content): void {
    this.pages.push({ width: content.width, height: content.height, content: content.toString() });
  }

  get pageCount(): number {
    return this.pages.length;
  }

  toBuffer(): Buffer {
    const FIRST_PAGE_OBJ = 7;
    const objects: Buffer[] = [];
    const dict = (s: string) => Buffer.from(s, 'latin1');
    const kids = this.pages.map((_, i) => `${FIRST_PAGE_OBJ + 2 * i} 0 R`).join(' ');
    objects[1] = dict('<< /Type /Catalog /Pages 2 0 R /Lang (zh-CN) >>');
    objects[2] = dict(`<< /Type /Pages /Kids [${kids}] /Count ${this.pages.length} >>`);
    objects[3] = dict('<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [4 0 R] >>');
    objects[4] = dict(
      '<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light' +
        ' /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >>' +
        ' /FontDescriptor 5 0 R /DW 1000 /W [1 95 500] >>',
    );
    objects[5] = dict(
      '<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880]' +
        ' /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>',
    );
    const infoParts = ['/Producer (yusuan samples/pdf-writer.ts)'];
    if (this.info.title) infoParts.push(`/Title ${pdfTextString(this.info.title)}`);
    if (this.info.subject) infoParts.push(`/Subject ${pdfTextString(this.info.subject)}`);
    objects[6] = dict(`<< ${infoParts.join(' ')} >>`);
    this.pages.forEach((p, i) => {
      const pageObj = FIRST_PAGE_OBJ + 2 * i;
      objects[pageObj] = dict(
        `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${num(p.width)} ${num(p.height)}]` +
          ` /Resources << /Font << /F1 3 0 R >> /ProcSet [/PDF /Text] >> /Contents ${pageObj + 1} 0 R >>`,
      );
      const data = zlib.deflateSync(Buffer.from(p.content, 'latin1'), { level: 9 });
      objects[pageObj + 1] = Buffer.concat([
        dict(`<< /Length ${data.length} /Filter /FlateDecode >>\nstream\n`),
        data,
        dict('\nendstream'),
      ]);
    });

    const chunks: Buffer[] = [Buffer.from('%PDF-1.7\n%\xE2\xE3\xCF\xD3\n', 'latin1')];
    let offset = chunks[0].length;
    const offsets: number[] = [0];
    for (let n = 1; n < objects.length; n++) {
      offsets[n] = offset;
      const chunk = Buffer.concat([dict(`${n} 0 obj\n`), objects[n], dict('\nendobj\n')]);
      chunks.push(chunk);
      offset += chunk.length;
    }
    const body = Buffer.concat(chunks);
    const id = crypto.createHash('md5').update(body).digest('hex').toUpperCase();
    let xref = `xref\n0 ${objects.length}\n0000000000 65535 f \n`;
    for (let n = 1; n < objects.length; n++) xref += `${String(offsets[n]).padStart(10, '0')} 00000 n \n`;
    const trailer =
      `trailer\n<< /Size ${objects.length} /Root 1 0 R /Info 6 0 R /ID [<${id}> <${id}>] >>\n` +
      `startxref\n${offset}\n%%EOF\n`;
    return Buffer.concat([body, dict(xref + trailer)]);
  }
}

/** Break text into lines no wider than `maxWidth`: anywhere between Han characters, never inside
 * a run of ASCII letters/digits, and never before closing punctuation (it hangs on the line). */
export function wrapText(s: string, size: number, maxWidth: number): string[] {
  const tokens = s.match(/[A-Za-z0-9.,%+\-/]+|\s+|./gu) ?? [];
  const noLineStart = /^[，。、；：？！）》”’,.;:%)]$/u;
  const lines: string[] = [];
  let cur = '';
  for (const tok of tokens) {
    if (cur && textWidth(cur + tok, size) > maxWidth + 0.01 && !noLineStart.test(tok)) {
      lines.push(cur.trimEnd());
      cur = /^\s+$/.test(tok) ? '' : tok;
    } else {
      cur += tok;
    }
  }
  if (cur.trim()) lines.push(cur.trimEnd());
  return lines.length ? lines : [''];
}
