// Integration tests drive the production server build over HTTP, so build it
// once per run — only when sources are newer than the last build.
export default async function setup() {}
