#!/usr/bin/env node
'use strict';
// The compiled CLI lives in dist/; `npm run build` (run by `npm start` / `npm test`) produces it.
const path = require('node:path');
const entry = path.join(__dirname, '..', 'dist', 'cli', 'main.js');
try {
  require.resolve(entry);
} catch {
  console.error('cargoscope: not built yet — run `npm run build` (or `npm start`) first');
  process.exit(3);
}
// Exit as soon as main is done rather than when the event loop drains: a stop signal arriving
// while Node tears itself down would otherwise kill the process with the default action, and a
// handle someone forgot to close must not keep a stopped pipeline alive. (stdout and stderr are
// synchronous for files and pipes on Linux, so nothing written is lost.)
require(entry).main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => { console.error(err); process.exit(1); },
);
