// Reads a solc standard-JSON input on stdin, compiles it with the pinned solc-js
// (no native binary, no network) and writes the standard-JSON output on stdout.
// Every source is inlined by the caller, so no import callback is needed.
"use strict";
const solc = require("solc");
const chunks = [];
process.stdin.on("data", (c) => chunks.push(c));
process.stdin.on("end", () => {
  const input = Buffer.concat(chunks).toString("utf8");
  const output = solc.compile(input);
  process.stdout.write(JSON.stringify({ version: solc.version(), output: JSON.parse(output) }));
});
