// Builds the demo pages RoomService serves at /demo/: bundles viewer.ts and streamer.ts with the SDK and
// @microsoft/signalr from node_modules (no CDN: nothing is fetched from the internet when the page runs), and copies
// the HTML and CSS. Run by `npm run build:demo` (RoomService's build runs it when npm is there).
import { build } from "esbuild";
import { cpSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "dist-demo");
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [join(here, "viewer.ts"), join(here, "streamer.ts")],
  outdir: out,
  bundle: true,
  format: "esm",
  platform: "browser",
  target: "es2020",
  sourcemap: true,
  legalComments: "linked",
  logLevel: "warning",
});
for (const file of ["index.html", "index.js", "viewer.html", "streamer.html", "demo.css"]) {
  cpSync(join(here, file), join(out, file));
}

writeFileSync(join(out, ".built"), new Date().toISOString() + "\n");
console.log(`demo built into ${out}`);
