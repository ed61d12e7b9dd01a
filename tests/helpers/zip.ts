import yauzl from "yauzl";

/** Every entry of a zip (a file or bytes in memory), read with yauzl, an independent reader. */
export function unzipEntries(source: string | Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    const opened = (err: Error | null, zip?: yauzl.ZipFile) => {
      if (err || !zip) return reject(err);
      const out = new Map<string, Buffer>();
      zip.on("error", reject);
      zip.on("entry", (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e);
          const chunks: Buffer[] = [];
          stream.on("data", (c: Buffer) => chunks.push(c));
          stream.on("error", reject);
          stream.on("end", () => {
            out.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.on("end", () => resolve(out));
      zip.readEntry();
    };
    if (typeof source === "string") yauzl.open(source, { lazyEntries: true }, opened);
    else yauzl.fromBuffer(source, { lazyEntries: true }, opened);
  });
}

/** One entry of a zip as UTF-8 text; throws when it is not there. */
export async function zipText(source: string | Buffer, name: string): Promise<string> {
  const entry = (await unzipEntries(source)).get(name);
  if (!entry) throw new Error(`${name} is not in the zip`);
  return entry.toString("utf8");
}
