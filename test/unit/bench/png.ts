// Reads a PNG's structure without decoding it: the signature, every chunk's CRC, IHDR first and
// IEND last, and the image's size from IHDR.
import { crc32 } from 'node:zlib';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export interface PngInfo {
  width: number;
  height: number;
  bitDepth: number;
  colourType: number;
  chunks: string[];
}

/** The PNG's header fields and chunk types; throws on anything that is not a well-formed PNG. */
export function readPng(bytes: Buffer): PngInfo {
  if (!bytes.subarray(0, 8).equals(SIGNATURE)) throw new Error('no PNG signature');
  const chunks: string[] = [];
  let header: Omit<PngInfo, 'chunks'> | undefined;
  let at = 8;
  while (at < bytes.length) {
    if (at + 12 > bytes.length) throw new Error(`truncated chunk at ${at}`);
    const length = bytes.readUInt32BE(at);
    const type = bytes.toString('latin1', at + 4, at + 8);
    const end = at + 8 + length;
    if (end + 4 > bytes.length) throw new Error(`chunk ${type} runs past the end`);
    if (crc32(bytes.subarray(at + 4, end)) >>> 0 !== bytes.readUInt32BE(end))
      throw new Error(`bad CRC in ${type}`);
    if (type === 'IHDR') {
      header = {
        width: bytes.readUInt32BE(at + 8),
        height: bytes.readUInt32BE(at + 12),
        bitDepth: bytes.readUInt8(at + 16),
        colourType: bytes.readUInt8(at + 17),
      };
    }
    chunks.push(type);
    at = end + 4;
  }
  if (chunks[0] !== 'IHDR' || !header) throw new Error('IHDR is not the first chunk');
  if (chunks.at(-1) !== 'IEND') throw new Error('IEND is not the last chunk');
  if (!chunks.includes('IDAT')) throw new Error('no image data');
  return { ...header, chunks };
}
