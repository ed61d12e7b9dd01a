/**
 * The canonical 44-byte RIFF/WAVE header for uncompressed PCM: what telephony
 * systems write and every player reads. Only the demo writes audio; the
 * connector hands over stored bytes untouched.
 */
export type PcmFormat = { sampleRate: number; channels: number; bitsPerSample: number };

export const WAV_HEADER_BYTES = 44;

export function wavHeader(format: PcmFormat, dataBytes: number): Buffer {
  const { sampleRate, channels, bitsPerSample } = format;
  const blockAlign = channels * (bitsPerSample / 8);
  const h = Buffer.alloc(WAV_HEADER_BYTES);
  h.write("RIFF", 0, "ascii");
  h.writeUInt32LE(36 + dataBytes, 4); // everything after this field
  h.write("WAVE", 8, "ascii");
  h.write("fmt ", 12, "ascii");
  h.writeUInt32LE(16, 16); // PCM fmt chunk size
  h.writeUInt16LE(1, 20); // format tag 1 = PCM
  h.writeUInt16LE(channels, 22);
  h.writeUInt32LE(sampleRate, 24);
  h.writeUInt32LE(sampleRate * blockAlign, 28); // byte rate
  h.writeUInt16LE(blockAlign, 32);
  h.writeUInt16LE(bitsPerSample, 34);
  h.write("data", 36, "ascii");
  h.writeUInt32LE(dataBytes, 40);
  return h;
}

/** Reads back a canonical header; null when the bytes are not one. */
export function readWavHeader(h: Buffer): (PcmFormat & { formatTag: number; riffSize: number; byteRate: number; blockAlign: number; dataBytes: number }) | null {
  if (h.length < WAV_HEADER_BYTES) return null;
  if (h.toString("ascii", 0, 4) !== "RIFF" || h.toString("ascii", 8, 12) !== "WAVE") return null;
  if (h.toString("ascii", 12, 16) !== "fmt " || h.readUInt32LE(16) !== 16 || h.toString("ascii", 36, 40) !== "data") return null;
  return {
    riffSize: h.readUInt32LE(4),
    formatTag: h.readUInt16LE(20),
    channels: h.readUInt16LE(22),
    sampleRate: h.readUInt32LE(24),
    byteRate: h.readUInt32LE(28),
    blockAlign: h.readUInt16LE(32),
    bitsPerSample: h.readUInt16LE(34),
    dataBytes: h.readUInt32LE(40),
  };
}
