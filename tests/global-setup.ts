import path from "node:path";
import { buildIfStale } from "../scripts/build-if-stale";

/** Integration tests drive the production build over HTTP: make sure it is current. */
export default function setup() {
  buildIfStale(path.resolve(import.meta.dirname, ".."), { quiet: true });
}
