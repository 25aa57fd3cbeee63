// Render TeX to MathML with Temml at build time, so pages ship no math JavaScript.
// Protocol: one JSON request per stdin line, {"tex": str, "display": bool}; one JSON reply per
// stdout line, {"mathml": str} or {"error": str}. Stays alive so one Node start serves a build.
import { createInterface } from "node:readline";
import temml from "temml";

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  if (!line.trim()) continue;
  let reply;
  try {
    const { tex, display } = JSON.parse(line);
    // strict: a questionable construct is an authoring error, not a silent fallback
    reply = { mathml: temml.renderToString(tex, { displayMode: Boolean(display), throwOnError: true, strict: true }) };
  } catch (err) {
    reply = { error: String(err && err.message ? err.message : err).trim() };
  }
  process.stdout.write(JSON.stringify(reply) + "\n");
}
