// openPdf(…, { textOnly: true }) (the pipeline's text path, without glyph outlines) reads the same
// pages as an ordinary document, and renders through its twin (renderable) the same pixels.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { extractPage, openPdf, renderable } from '../src/extract/pdf.js';
import { renderPageGray } from '../src/extract/ocr/render.js';
import { RULED_FILE, UNRULED_FILE } from '../samples/generate.js';

const bytes = (file: string) => new Uint8Array(fs.readFileSync(file));

describe('a document opened textOnly', () => {
  it.each([RULED_FILE, UNRULED_FILE])('gives the same text runs and ruling lines as an ordinary one (%s)', async (file) => {
    const plain = await openPdf(bytes(file));
    const textOnly = await openPdf(bytes(file), { textOnly: true });
    try {
      expect(textOnly.numPages).toBe(plain.numPages);
      for (let n = 1; n <= plain.numPages; n++) {
        expect(await extractPage(textOnly, n), `page ${n}`).toEqual(await extractPage(plain, n));
      }
    } finally {
      await plain.destroy();
      await textOnly.destroy();
    }
  });

  it('renders through a twin opened once, with the pixels of an ordinary document, and closes it with itself', async () => {
    const plain = await openPdf(bytes(RULED_FILE));
    const textOnly = await openPdf(bytes(RULED_FILE), { textOnly: true });
    expect(await renderable(plain)).toBe(plain);
    const twin = await renderable(textOnly);
    expect(twin).not.toBe(textOnly);
    expect(await renderable(textOnly)).toBe(twin);
    try {
      for (const n of [1, 3]) {
        const a = await renderPageGray(plain, n, 72);
        const b = await renderPageGray(textOnly, n, 72);
        expect(b.img.width).toBe(a.img.width);
        expect(b.img.height).toBe(a.img.height);
        expect(Buffer.from(b.img.data).equals(Buffer.from(a.img.data)), `page ${n}`).toBe(true);
        // Text was drawn: the page is not blank.
        expect(a.img.data.some((v) => v < 128)).toBe(true);
      }
    } finally {
      await plain.destroy();
      await textOnly.destroy();
    }
    expect(twin.loadingTask.destroyed).toBe(true);
  });
});
