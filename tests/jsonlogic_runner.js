// Evaluates JsonLogic lines from stdin with json-logic-js and Jimu's operations; one JSON
// result per line on stdout. Used by the differential tests.
"use strict";
const path = require("path");
const readline = require("readline");
const root = path.resolve(__dirname, "..");
const jsonLogic = require(path.join(root, "frontend/node_modules/json-logic-js"));
require(path.join(root, "jimu/platform/static/components/jimu-logic.js"))(jsonLogic);

const rl = readline.createInterface({ input: process.stdin });
rl.on("line", (line) => {
  let out;
  try {
    const { logic, data } = JSON.parse(line);
    const value = jsonLogic.apply(logic, data);
    out = { ok: true, value: value === undefined ? null : value };
  } catch (err) {
    out = { ok: false, error: String(err && err.message) };
  }
  process.stdout.write(JSON.stringify(out) + "\n");
});
