// Lays out emoji-datasource-google's 64×64 images as a dlc picture folder: one sub-folder per category, captions.tsv
// from the names. Called by install.sh: node layout.js PACKAGE_DIR OUT_DIR
"use strict";
const fs = require("fs");
const path = require("path");
const [pkg, out] = process.argv.slice(2);
const emoji = require(path.resolve(pkg, "emoji.json"));
const TONES = { "1F3FB": "light skin tone", "1F3FC": "medium-light skin tone", "1F3FD": "medium skin tone",
  "1F3FE": "medium-dark skin tone", "1F3FF": "dark skin tone" };
const slug = s => s.toLowerCase().replace(/&/g, "and").replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
const name = e => e.name.toLowerCase();
const captions = [];
let copied = 0, missing = 0;
function add(category, image, caption) {
  const src = path.join(pkg, "img", "google", "64", image);
  if (!fs.existsSync(src)) { missing++; return; }
  const dir = path.join(out, slug(category));
  fs.mkdirSync(dir, { recursive: true });
  fs.copyFileSync(src, path.join(dir, image));
  captions.push(`${slug(category)}/${image}\t${caption}`);
  copied++;
}
for (const e of emoji) {
  if (!e.has_img_google) continue;
  add(e.category, e.image, name(e));
  for (const [tones, v] of Object.entries(e.skin_variations || {})) {
    if (!v.has_img_google) continue;
    const words = tones.split("-").map(t => TONES[t] || t);
    add(e.category, v.image, `${name(e)}, ${[...new Set(words)].join(" and ")}`);
  }
}
captions.sort();
fs.writeFileSync(path.join(out, "captions.tsv"), captions.join("\n") + "\n");
fs.writeFileSync(path.join(out, "LICENSES.txt"),
  "Images: Noto Emoji (Google), Apache License 2.0, https://github.com/googlefonts/noto-emoji/blob/main/LICENSE\n" +
  "Package emoji-datasource-google@16.0.0 (names, categories): MIT, Copyright (c) 2013 Cal Henderson\n");
console.log(`emoji: ${copied} images in ${new Set(emoji.map(e => e.category)).size} categories under ${out}` +
  (missing ? ` (${missing} listed without an image file)` : ""));
