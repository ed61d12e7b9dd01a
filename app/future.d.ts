import "@remix-run/node";

// Single Fetch typing for loaders/actions (remix.config.js turns the flag on).
declare module "@remix-run/node" {
  interface Future {
    v3_singleFetch: true;
  }
}
