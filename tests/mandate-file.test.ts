import { randomBytes } from "node:crypto";
import { deflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { inspectMandate } from "../app/utils/mandate-file.server";
import { jpeg, objectStream, pdf, png } from "./helpers/files";

/**
 * What a mandate file may be (app/utils/mandate-file.server.ts): one type,
 * and for a PDF nothing that runs. The same checks over HTTP, on the public
 * form, are in tests/intake.test.ts › representatives and mandates.
 */
const verdict = (bytes: Buffer) => {
  const r = inspectMandate(bytes);
  return r.ok ? r.mimeType : r.reason;
};

describe("a mandate file has one type", () => {
  it("accepts a plain PDF, PNG and JPEG, and refuses what is none of them", () => {
    expect(verdict(pdf())).toBe("application/pdf");
    expect(verdict(png())).toBe("image/png");
    expect(verdict(jpeg())).toBe("image/jpeg");
    expect(verdict(Buffer.from("GIF89a not a mandate"))).toBe("bad_type");
    expect(verdict(Buffer.alloc(0))).toBe("bad_type");
  });

  it("refuses an image that is also a PDF or a web page: in a chunk, in a comment, or after its end", () => {
    const inside = pdf({ text: "I am a PDF too" });
    expect(verdict(png({ extra: [{ type: "pdFm", data: inside }] }))).toBe("mixed_types");
    expect(verdict(png({ after: inside }))).toBe("mixed_types");
    expect(verdict(png({ after: Buffer.from("trailing bytes") }))).toBe("mixed_types");
    expect(verdict(png({ extra: [{ type: "tEXt", data: Buffer.from("Comment\0<script>alert(1)</script>") }] }))).toBe("mixed_types");
    expect(verdict(jpeg(`%PDF-1.4 1 0 obj << >> endobj`))).toBe("mixed_types");
    expect(verdict(jpeg("<html><body>hello</body></html>"))).toBe("mixed_types");
    // A PNG cut short (its chunks run past the end) is not a PNG either.
    expect(verdict(png().subarray(0, 40))).toBe("mixed_types");
  });

  it("refuses a PDF holding a PNG file, or a JPEG that no image dictionary declares", () => {
    expect(verdict(pdf({ objects: [[`<< /Length 100 >>\nstream\n`, png(), "\nendstream"]] }))).toBe("mixed_types");
    const photo = jpeg();
    expect(verdict(pdf({ objects: [[`<< /Length ${photo.length} >>\nstream\n`, photo, "\nendstream"]] }))).toBe("mixed_types");
    // A scanned mandate: the page image is a JPEG stream that says it is one.
    const scan = pdf({ objects: [[`<< /Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode /Length ${photo.length} >>\nstream\n`, photo, "\nendstream"]] });
    expect(verdict(scan)).toBe("application/pdf");
  });

  it("refuses any file ending with a ZIP directory (a PDF or image that is also an archive)", () => {
    const zipEnd = Buffer.from([0x50, 0x4b, 0x05, 0x06, ...Buffer.alloc(18)]);
    expect(verdict(Buffer.concat([pdf(), zipEnd]))).toBe("mixed_types");
    expect(verdict(Buffer.concat([jpeg(), zipEnd]))).toBe("mixed_types");
  });
});

describe("a PDF mandate has no active content", () => {
  const active: Record<string, Buffer> = {
    "a JavaScript action on opening": pdf({ catalog: "/OpenAction << /S /JavaScript /JS (app.alert('x')) >>" }),
    "a document-level script (name tree)": pdf({ catalog: "/Names << /JavaScript 5 0 R >>", objects: [["<< /Names [(a) << /S /JavaScript /JS (1) >>] >>"]] }),
    "a launch action": pdf({ objects: [["<< /Type /Annot /Subtype /Link /A << /S /Launch /F (cmd.exe) >> >>"]] }),
    "an embedded file": pdf({ catalog: "/Names << /EmbeddedFiles 5 0 R >>", objects: [["<< /Names [(x.exe) 6 0 R] >>"], ["<< /Type /Filespec /F (x.exe) /EF << /F 7 0 R >> >>"]] }),
    "a file attachment annotation": pdf({ objects: [["<< /Type /Annot /Subtype /FileAttachment /FS 6 0 R >>"]] }),
    "page actions (/AA)": pdf({ objects: [["<< /Type /Page /AA << /O << /S /URI /URI (https://evil.example/) >> >> >>"]] }),
    "page actions by reference": pdf({ objects: [["<< /Type /Page /AA 6 0 R >>"]] }),
    "an action on opening, by reference": pdf({ catalog: "/OpenAction 5 0 R", objects: [["<< /S /URI /URI (https://evil.example/) >>"]] }),
    "a go-to on opening chained to another action": pdf({ catalog: "/OpenAction << /S /GoTo /D [3 0 R /Fit] /Next 5 0 R >>", objects: [["<< /S /URI /URI (x) >>"]] }),
    "an action on opening whose object is nowhere": pdf({ catalog: "/OpenAction 42 0 R" }),
    "a form that submits itself": pdf({ objects: [["<< /S /SubmitForm /F (https://evil.example/) >>"]] }),
    "a link to another file": pdf({ objects: [["<< /S /GoToR /F (other.pdf) /D [0 /Fit] >>"]] }),
    "an XFA form": pdf({ catalog: "/AcroForm << /Fields [] /XFA [(template) 5 0 R] >>" }),
    "encryption": Buffer.from(pdf().toString("latin1").replace("/Root 1 0 R", "/Root 1 0 R /Encrypt << /Filter /Standard /V 2 >>"), "latin1"),
    "a script name written with #-escapes": pdf({ catalog: "/OpenAction << /S /J#61va#53cript /JS (1) >>" }),
    "a script inside a compressed object stream": pdf({ objects: [objectStream(["<< /Type /Catalog /OpenAction << /S /JavaScript /JS (1) >> >>"], 6)] }),
    "an object stream whose /Type is escaped": pdf({
      objects: [objectStream(["<< /AA << /O << /S /URI /URI (https://evil.example/) >> >> >>"], 6).map((p) => (typeof p === "string" ? p.replace("/ObjStm", "/Obj#53tm") : p))],
    }),
    "an object stream behind a filter this check does not read": pdf({
      objects: [[`<< /Type /ObjStm /N 1 /First 4 /Filter /ASCIIHexDecode /Length 10 >>\nstream\n`, Buffer.from("3c3c3e3e3e"), "\nendstream"]],
    }),
    "a compressed object stream hidden behind a fake stream keyword in a comment": pdf({
      objects: [["% stream\n<< >>"], objectStream(["<< /Type /Page /AA << /O << /S /URI /URI (x) >> >> >>"], 7)],
    }),
  };
  for (const [what, bytes] of Object.entries(active)) {
    it(`refuses ${what}`, () => {
      expect(inspectMandate(bytes)).toEqual({ ok: false, reason: "active_content" });
    });
  }

  it("accepts what office suites write: a first page chosen with /OpenAction [page /Fit], links, forms without scripts, compressed objects", () => {
    expect(verdict(pdf({ catalog: "/OpenAction [3 0 R /XYZ null null 0]" }))).toBe("application/pdf");
    // LaTeX (hyperref) writes a go-to action, as an object of its own, often inside an object stream.
    expect(verdict(pdf({ catalog: "/OpenAction 5 0 R", objects: [["<< /S /GoTo /D [3 0 R /Fit] >>"]] }))).toBe("application/pdf");
    expect(verdict(pdf({ catalog: "/OpenAction 6 0 R", objects: [objectStream(["<< /S /GoTo /D [3 0 R /Fit] >>"], 6)] }))).toBe("application/pdf");
    expect(verdict(pdf({ objects: [["<< /Type /Annot /Subtype /Link /Rect [0 0 10 10] /A << /S /URI /URI (https://www.centrecall.example/) >> >>"]] }))).toBe("application/pdf");
    expect(verdict(pdf({ catalog: "/AcroForm << /Fields [] /NeedAppearances true >>" }))).toBe("application/pdf");
    expect(verdict(pdf({ objects: [objectStream(["<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>", "<< /Producer (LibreOffice) >>"], 6)] }))).toBe("application/pdf");
  });

  it("does not mistake compressed data for names: a PDF full of random deflated streams passes", () => {
    const noise = Array.from({ length: 20 }, () => {
      const data = deflateSync(randomBytes(64 * 1024));
      return [`<< /Length ${data.length} /Filter /FlateDecode >>\nstream\n`, data, "\nendstream"];
    });
    expect(verdict(pdf({ objects: noise }))).toBe("application/pdf");
  });

  it("refuses an object stream that inflates past its budget (a zip bomb) instead of reading it", () => {
    const bomb = deflateSync(Buffer.alloc(40 * 1024 * 1024, 0x20));
    const file = pdf({ objects: [[`<< /Type /ObjStm /N 1 /First 2 /Filter /FlateDecode /Length ${bomb.length} >>\nstream\n`, bomb, "\nendstream"]] });
    expect(inspectMandate(file)).toEqual({ ok: false, reason: "active_content" });
  });
});
