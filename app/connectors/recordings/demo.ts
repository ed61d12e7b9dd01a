import Database from "better-sqlite3";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { SITES, type Site } from "../../../db/schema/enums";
import { CREATE_RECORDINGS_INDEXES, CREATE_RECORDINGS_TABLE } from "./metadata-index";
import { wavHeader, type PcmFormat } from "./wav";
import { prng } from "../demo-random";

/**
 * Demo call recordings: real, playable WAV files (mono 16-bit PCM at 8 or
 * 16 kHz, 1–3 s of tones — a French ringback, DTMF digits, a beep) and their
 * metadata index. Deterministic for a given seed and `now`.
 *
 * Disk stays small at benchmark scale: the first `realAudio` rows (the named
 * people's calls always among them) each have their own file; every further
 * row points at one of a handful of shared files under `shared/`. Erasure
 * knows this: it keeps a file while another row still points at it.
 *
 * Idempotent: an index that already holds rows is left as it is.
 */
export type DemoRecordingsOptions = {
  root: string;
  index: string;
  /** total index rows (default 200; never fewer than the named people's calls) */
  count?: number;
  /** rows with their own audio file (default min(count, 50)) */
  realAudio?: number;
  seed?: number;
  /** calls are spread over the 180 days before this instant (default 2026-03-31T12:00Z, for stable output) */
  now?: Date;
};

export type DemoRecordingsResult = { created: boolean; rows: number; files: number; bytes: number };

/** The people the demo tickets are about, with the numbers their recordings carry. */
export const DEMO_CALLERS = {
  davidBlanc: "+33612345678",
  nadiaAzri: "+33781223344",
  /** a Tours landline */
  corinneDesmarc: "+33247000000",
} as const;

/** Each site's switchboard: the other end of inbound calls, the caller of outbound survey calls. */
export const SITE_NUMBERS: Record<Site, string> = {
  lille: "+33320450000",
  paris: "+33144500000",
  tours: "+33247600000",
  bordeaux: "+33556100000",
  toulouse: "+33561200000",
};

const SURVEYS = ["OSIRIS-RS-2026", "LUMEN-ENERGIE-2026", "VERDI-MOBILITE-2026"];

/**
 * The demo's `presentation` for its recordings connector (connectors.config.json
 * holds the same: keep them in step): the platform's survey codes, in words.
 */
export const demoRecordingsPresentation = {
  recordings: {
    fields: {
      surveyId: {
        values: {
          "OSIRIS-RS-2026": { fr: "Osiris — usages des réseaux sociaux (2026)", en: "Osiris — social media use (2026)" },
          "LUMEN-ENERGIE-2026": { fr: "Lumen Énergie — satisfaction (2026)", en: "Lumen Énergie — satisfaction (2026)" },
          "VERDI-MOBILITE-2026": { fr: "Verdi — mobilité (2026)", en: "Verdi — mobility (2026)" },
        },
      },
    },
  },
};
const SHARED_FILES = 8;
const DAY = 86_400_000;

type Call = {
  site: Site;
  direction: "in" | "out";
  subject: string;
  daysAgo: number;
  consent: boolean;
  surveyId: string | null;
  agent: number;
};

const NAMED: Call[] = [
  { site: "paris", direction: "in", subject: DEMO_CALLERS.davidBlanc, daysAgo: 41, consent: true, surveyId: null, agent: 3 },
  { site: "paris", direction: "out", subject: DEMO_CALLERS.davidBlanc, daysAgo: 17, consent: true, surveyId: "OSIRIS-RS-2026", agent: 7 },
  { site: "bordeaux", direction: "in", subject: DEMO_CALLERS.davidBlanc, daysAgo: 4, consent: false, surveyId: null, agent: 2 },
  { site: "lille", direction: "out", subject: DEMO_CALLERS.nadiaAzri, daysAgo: 26, consent: false, surveyId: "LUMEN-ENERGIE-2026", agent: 5 },
  { site: "lille", direction: "out", subject: DEMO_CALLERS.nadiaAzri, daysAgo: 2, consent: true, surveyId: "LUMEN-ENERGIE-2026", agent: 1 },
  { site: "tours", direction: "out", subject: DEMO_CALLERS.corinneDesmarc, daysAgo: 14, consent: true, surveyId: "OSIRIS-RS-2026", agent: 4 },
  { site: "tours", direction: "in", subject: DEMO_CALLERS.corinneDesmarc, daysAgo: 13, consent: false, surveyId: null, agent: 4 },
];


const DTMF: [number, number][] = [
  [941, 1336], [697, 1209], [697, 1336], [697, 1477], [770, 1209],
  [770, 1336], [770, 1477], [852, 1209], [852, 1336], [852, 1477],
];

/** A short call-like tone sequence; 16-bit PCM samples after the 44-byte header. */
export function demoWav(rand: () => number, format: Pick<PcmFormat, "sampleRate">, seconds: number): Buffer {
  const { sampleRate } = format;
  const total = Math.round(sampleRate * seconds);
  const pcm = Buffer.alloc(total * 2);
  // Segments: [from, to, frequencies] in seconds.
  const segments: [number, number, number[]][] = [[0, 0.4, [440]]];
  let t = 0.5;
  while (t + 0.12 < seconds - 0.35) {
    segments.push([t, t + 0.12, DTMF[Math.floor(rand() * 10)]!]);
    t += 0.2;
  }
  segments.push([seconds - 0.25, seconds - 0.05, [1400]]);
  const fade = 0.005 * sampleRate;
  for (const [from, to, freqs] of segments) {
    const start = Math.round(from * sampleRate);
    const end = Math.min(total, Math.round(to * sampleRate));
    const amplitude = 0.3 / freqs.length;
    for (let i = start; i < end; i++) {
      const envelope = Math.min(1, (i - start) / fade, (end - 1 - i) / fade);
      let v = 0;
      for (const f of freqs) v += Math.sin((2 * Math.PI * f * (i - start)) / sampleRate);
      pcm.writeInt16LE(Math.round(v * amplitude * envelope * 32767), i * 2);
    }
  }
  return Buffer.concat([wavHeader({ sampleRate, channels: 1, bitsPerSample: 16 }, pcm.length), pcm]);
}

export function createDemoRecordings(options: DemoRecordingsOptions): DemoRecordingsResult {
  const seed = options.seed ?? 1;
  const now = (options.now ?? new Date("2026-03-31T12:00:00Z")).getTime();
  const count = Math.max(options.count ?? 200, NAMED.length);
  const realAudio = Math.min(count, Math.max(options.realAudio ?? Math.min(count, 50), NAMED.length));
  const rand = prng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;

  mkdirSync(options.root, { recursive: true });
  mkdirSync(path.dirname(path.resolve(options.index)), { recursive: true });
  const db = new Database(options.index);
  try {
    db.pragma("journal_mode = WAL");
    db.exec(CREATE_RECORDINGS_TABLE);
    const existing = db.prepare<[], { n: number }>("SELECT count(*) AS n FROM recordings").get()!.n;
    if (existing > 0) return { created: false, rows: existing, files: 0, bytes: 0 };

    let files = 0;
    let bytes = 0;
    const writeAudio = (relative: string, seconds: number) => {
      const wav = demoWav(rand, { sampleRate: rand() < 0.25 ? 16_000 : 8_000 }, seconds);
      const full = path.join(options.root, relative);
      mkdirSync(path.dirname(full), { recursive: true });
      writeFileSync(full, wav);
      files++;
      bytes += wav.length;
    };

    const sharedCount = Math.min(SHARED_FILES, count - realAudio);
    const shared: { path: string; seconds: number }[] = [];
    for (let k = 0; k < sharedCount; k++) {
      const s = { path: `shared/tones-${k + 1}.wav`, seconds: 1 + (k % 3) };
      writeAudio(s.path, s.seconds);
      shared.push(s);
    }

    const randomMobile = () => {
      for (;;) {
        const n = `+33${pick(["6", "7"])}${String(Math.floor(rand() * 100_000_000)).padStart(8, "0")}`;
        if (!Object.values(DEMO_CALLERS).includes(n as never)) return n;
      }
    };
    const callAt = (daysAgo: number) => {
      // Working hours in France (07:00–18:00 UTC), on the day `daysAgo` before now.
      const day = Math.floor((now - daysAgo * DAY) / DAY) * DAY;
      return new Date(day + (7 * 3600 + Math.floor(rand() * 11 * 3600)) * 1000).toISOString();
    };

    const insert = db.prepare(
      `INSERT INTO recordings (id, caller_number, called_number, agent_id, site, started_at, duration_s, consent_recorded, survey_id, path)
       VALUES (@id, @caller, @called, @agent, @site, @startedAt, @duration, @consent, @survey, @path)`,
    );
    db.transaction(() => {
      for (let i = 0; i < count; i++) {
        const call: Call =
          NAMED[i] ??
          (() => {
            const direction = rand() < 0.5 ? "out" : "in";
            return {
              site: pick(SITES),
              direction,
              subject: randomMobile(),
              daysAgo: 1 + Math.floor(rand() * 179),
              consent: rand() < 0.85,
              surveyId: direction === "out" ? pick(SURVEYS) : null,
              agent: 1 + Math.floor(rand() * 12),
            } satisfies Call;
          })();
        const id = `rec-${String(i + 1).padStart(6, "0")}`;
        const startedAt = callAt(call.daysAgo);
        let file: { path: string; seconds: number };
        if (i < realAudio) {
          file = { path: `${call.site}/${startedAt.slice(0, 4)}/${startedAt.slice(5, 7)}/${id}.wav`, seconds: 1 + Math.floor(rand() * 3) };
          writeAudio(file.path, file.seconds);
        } else file = shared[i % shared.length]!;
        const switchboard = SITE_NUMBERS[call.site];
        insert.run({
          id,
          caller: call.direction === "in" ? call.subject : switchboard,
          called: call.direction === "in" ? switchboard : call.subject,
          agent: `agt-${call.site}-${String(call.agent).padStart(2, "0")}`,
          site: call.site,
          startedAt,
          duration: file.seconds,
          consent: call.consent ? 1 : 0,
          survey: call.surveyId,
          path: file.path,
        });
      }
    })();
    // Indexes after the bulk insert: one sort instead of 100,000 B-tree updates.
    for (const sql of CREATE_RECORDINGS_INDEXES) db.exec(sql);
    return { created: true, rows: count, files, bytes };
  } finally {
    db.close();
  }
}
