// The dlc4j playground: every action is one call of the JSON API this page is served with (see /openapi.json).
"use strict";
const $ = id => document.getElementById(id);
let info = null;          // GET /api/info
let current = null;       // the code being looked at: {tokens, distributions, keep: [bool]}
let tray = [];            // codes chosen for composition: {tokens, distributions, thumb}
let labels = [];          // gallery labels

function settings() {
  return { n: +$("n").value, steps: +$("steps").value, guidance: +$("guidance").value, seed: +$("seed").value };
}

function status(text, error) {
  $("status").textContent = text;
  $("status").classList.toggle("error", !!error);
}

function tokenColour(t) {
  const hue = (t * 137.508) % 360; // golden-angle hues: neighbouring values look different
  return `hsl(${hue.toFixed(0)} 70% 78%)`;
}

async function api(path, body) {
  const init = body === undefined ? {} : { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
  const response = await fetch(path, init);
  const json = await response.json();
  if (!response.ok) throw new Error(json.error || response.statusText);
  return json;
}

function blobUrl(text) {
  return URL.createObjectURL(new Blob([text], { type: "application/json" }));
}

// ---- encoding ----

function showGallery() {
  const cls = +$("gallery-class").value;
  const strip = $("gallery");
  strip.replaceChildren();
  let shown = 0;
  for (let i = 0; i < labels.length && shown < 48; i++) {
    if (cls >= 0 && labels[i] !== cls) continue;
    const img = document.createElement("img");
    img.src = `api/gallery/${i}.png`;
    img.alt = info.classes[labels[i]];
    img.title = `#${i}: ${info.classes[labels[i]]}`;
    img.dataset.index = i;
    img.addEventListener("click", () => encodeGallery(i));
    strip.appendChild(img);
    shown++;
  }
}

async function encodeGallery(index) {
  document.querySelectorAll("#gallery img").forEach(img => img.classList.toggle("chosen", +img.dataset.index === index));
  await encoded(api("api/encode", { gallery: index }), `gallery image #${index}`);
}

async function encodeUpload(file) {
  const form = new FormData();
  form.append("image", file);
  const response = fetch("api/encode", { method: "POST", body: form }).then(async r => {
    const json = await r.json();
    if (!r.ok) throw new Error(json.error || r.statusText);
    return json;
  });
  await encoded(response, file.name);
}

async function encoded(pending, what) {
  status(`encoding ${what} …`);
  try {
    const e = await pending;
    current = { tokens: e.code.tokens, distributions: e.code.distributions, keep: e.code.tokens.map(() => true), view: e.view };
    $("view").src = e.view;
    $("encoded").classList.remove("hidden");
    drawCode();
    const near = $("nearest");
    near.replaceChildren();
    for (const nb of e.nearest) {
      const fig = document.createElement("figure");
      const img = document.createElement("img");
      img.src = `api/gallery/${nb.index}.png`;
      img.title = `#${nb.index}: ${nb.className}, ${nb.shared} of ${info.codeLength} tokens shared`;
      img.addEventListener("click", () => encodeGallery(nb.index));
      fig.append(img, document.createTextNode(nb.shared));
      near.appendChild(fig);
    }
    status(`encoded ${what}`);
  } catch (err) {
    status(err.message, true);
  }
}

function drawCode() {
  const grid = $("code");
  grid.replaceChildren();
  current.tokens.forEach((t, p) => {
    const b = document.createElement("button");
    b.textContent = t;
    b.title = `position ${p}: token ${t} (${current.keep[p] ? "locked" : "released"})`;
    b.style.background = tokenColour(t);
    b.className = current.keep[p] ? "locked" : "released";
    b.dataset.position = p;
    b.addEventListener("click", () => {
      current.keep[p] = !current.keep[p];
      $("edit-position").value = p;
      $("edit-token").value = t;
      drawCode();
    });
    grid.appendChild(b);
  });
  $("code-download").href = blobUrl(JSON.stringify({ tokens: current.tokens }));
}

// ---- running a generation, with the images forming as they come ----

async function run(path, body, title) {
  const block = document.createElement("div");
  block.className = "result";
  const heading = document.createElement("h3");
  heading.textContent = title;
  const bar = document.createElement("div");
  bar.className = "progress";
  bar.appendChild(document.createElement("div"));
  const images = document.createElement("div");
  images.className = "images";
  block.append(heading, bar, images);
  $("results").prepend(block);
  document.querySelectorAll("button").forEach(b => b.disabled = true);
  status(`${title} …`);
  try {
    const response = await fetch(path + "?stream=true", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    if (!response.ok) {
      const json = await response.json();
      throw new Error(json.error || response.statusText);
    }
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let cut;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        const raw = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const event = /^event: (.*)$/m.exec(raw)[1];
        const data = JSON.parse(/^data: (.*)$/m.exec(raw)[1]);
        if (event === "progress") {
          bar.firstChild.style.width = `${(100 * data.step / data.total).toFixed(1)}%`;
          status(`${title}: ${data.task} ${data.step}/${data.total}`);
        } else if (event === "preview") {
          showPreview(images, data.images);
        } else if (event === "result") {
          bar.remove();
          showResult(images, data, title);
          status(`${title}: ${data.images.length} images in ${data.seconds.toFixed(1)} s (seed ${data.seed})`);
        } else if (event === "error") {
          throw new Error(data.error);
        }
      }
    }
  } catch (err) {
    bar.remove();
    status(err.message, true);
  } finally {
    document.querySelectorAll("button").forEach(b => b.disabled = false);
  }
}

function showPreview(container, urls) {
  let imgs = container.querySelectorAll("img.preview");
  if (imgs.length !== urls.length) {
    container.replaceChildren();
    urls.forEach(() => {
      const card = document.createElement("div");
      card.className = "card";
      const img = document.createElement("img");
      img.className = "preview";
      card.appendChild(img);
      container.appendChild(card);
    });
    imgs = container.querySelectorAll("img.preview");
  }
  urls.forEach((u, i) => imgs[i].src = u);
}

function showResult(container, result, title) {
  container.replaceChildren();
  result.images.forEach((image, i) => {
    const card = document.createElement("div");
    card.className = "card";
    const img = document.createElement("img");
    img.className = "generated";
    img.src = image.png;
    img.alt = `${title}, image ${i}`;
    img.title = `code: ${image.code.tokens.join(" ")}`;
    const row = document.createElement("div");
    const png = document.createElement("a");
    png.className = "button secondary";
    png.href = image.png;
    png.download = `dlc-seed${result.seed}-${i}.png`;
    png.textContent = "PNG";
    const code = document.createElement("a");
    code.className = "button secondary";
    code.href = blobUrl(JSON.stringify({ tokens: image.code.tokens, seed: result.seed, steps: result.steps,
      guidance: result.guidance }));
    code.download = `dlc-seed${result.seed}-${i}.json`;
    code.textContent = "code";
    const use = document.createElement("button");
    use.className = "secondary";
    use.textContent = "use";
    use.title = "make this the code to edit";
    use.addEventListener("click", () => {
      current = { tokens: image.code.tokens, distributions: null, keep: image.code.tokens.map(() => true) };
      $("view").src = image.png;
      $("encoded").classList.remove("hidden");
      $("nearest").replaceChildren();
      drawCode();
      window.scrollTo({ top: $("encode-section").offsetTop, behavior: "smooth" });
    });
    row.append(png, document.createTextNode(" "), code, document.createTextNode(" "), use);
    card.append(img, row);
    container.appendChild(card);
  });
}

function needCode() {
  if (!current) {
    status("encode an image first (pick one above)", true);
    return false;
  }
  return true;
}

// ---- composition tray ----

function drawTray() {
  const t = $("tray");
  t.replaceChildren();
  if (!tray.length) {
    const hint = document.createElement("span");
    hint.className = "muted";
    hint.textContent = "Encode images and add them here.";
    t.appendChild(hint);
  }
  tray.forEach((c, i) => {
    const img = document.createElement("img");
    img.src = c.thumb;
    img.title = `code ${i}: click to remove`;
    img.addEventListener("click", () => { tray.splice(i, 1); drawTray(); });
    t.appendChild(img);
  });
}

function weights() {
  const w = +$("weight").value;
  if (tray.length === 2) return [w, 1 - w];
  return tray.map((_, i) => (i === 0 ? w : (1 - w) / (tray.length - 1)));
}

// ---- wiring ----

async function start() {
  try {
    info = await api("api/info");
    const g = await api("api/gallery");
    labels = g.labels;
    $("shape").textContent = `${info.codeLength}`;
    $("view-kind").textContent = `${info.imageSize}×${info.imageSize} ${info.imageChannels === 1 ? "grey" : "colour"}`;
    $("model").textContent = `models: ${info.model} · codes of ${info.codeLength} tokens in 0..${info.vocabulary - 1}`;
    $("n").max = info.limits.maxImages;
    $("n").value = info.defaults.n;
    $("steps").max = info.limits.maxSteps;
    $("steps").value = info.defaults.steps;
    $("guidance").value = info.defaults.guidance;
    $("prior-steps").value = info.defaults.priorSteps;
    $("text-guidance").value = info.defaults.textGuidance;
    $("edit-position").max = info.codeLength - 1;
    $("edit-token").max = info.vocabulary - 1;
    info.classes.forEach((name, i) => {
      const o = document.createElement("option");
      o.value = i;
      o.textContent = name;
      $("gallery-class").appendChild(o);
    });
    showGallery();
    status("ready: pick an image");
  } catch (err) {
    status(`cannot reach the server: ${err.message}`, true);
  }
}

$("gallery-class").addEventListener("change", showGallery);
$("upload").addEventListener("change", e => { if (e.target.files.length) encodeUpload(e.target.files[0]); });
$("dice").addEventListener("click", () => { $("seed").value = Math.floor(Math.random() * 1e6); });
$("weight").addEventListener("input", () => { $("weight-out").value = (+$("weight").value).toFixed(2); });
$("decode").addEventListener("click", () => {
  if (needCode()) run("api/decode", { ...settings(), code: { tokens: current.tokens } }, "Images from the code");
});
$("add-compose").addEventListener("click", () => {
  if (!needCode()) return;
  tray.push({ tokens: current.tokens, distributions: current.distributions, thumb: $("view").src });
  drawTray();
});
$("lock-all").addEventListener("click", () => { if (needCode()) { current.keep = current.keep.map(() => true); drawCode(); } });
$("release-all").addEventListener("click", () => { if (needCode()) { current.keep = current.keep.map(() => false); drawCode(); } });
$("infill").addEventListener("click", () => {
  if (!needCode()) return;
  const kept = current.keep.filter(k => k).length;
  run("api/edit", { ...settings(), code: { tokens: current.tokens }, keep: current.keep, priorSteps: +$("prior-steps").value },
    `Edits keeping ${kept} of ${current.tokens.length} tokens`);
});
$("set-token").addEventListener("click", () => {
  if (!needCode()) return;
  const p = +$("edit-position").value, t = +$("edit-token").value;
  if (!(p >= 0 && p < current.tokens.length && t >= 0 && t < info.vocabulary)) {
    status(`position must be 0..${current.tokens.length - 1} and token 0..${info.vocabulary - 1}`, true);
    return;
  }
  current.tokens = current.tokens.slice();
  current.tokens[p] = t;
  current.distributions = null; // an edited code no longer matches the encoder's distributions
  drawCode();
  status(`position ${p} is now token ${t}`);
});
$("compose").addEventListener("click", () => {
  if (tray.length < 2) { status("add at least two codes to the composition", true); return; }
  const mixing = $("mixing").value;
  if (mixing === "distributions" && tray.some(c => !c.distributions)) {
    status("distribution mixing needs encoded codes (not edited or generated ones)", true);
    return;
  }
  const codes = tray.map(c => (mixing === "distributions" ? { tokens: c.tokens, distributions: c.distributions } : { tokens: c.tokens }));
  run("api/compose", { ...settings(), codes, weights: weights(), mixing }, `Composition of ${tray.length} codes (${mixing})`);
});
$("clear-tray").addEventListener("click", () => { tray = []; drawTray(); });
$("from-prompt").addEventListener("click", () => {
  const prompt = $("prompt").value.trim();
  if (!prompt) { status("type a prompt first", true); return; }
  run("api/prompt", { ...settings(), prompt, textGuidance: +$("text-guidance").value }, `“${prompt}”`);
});
$("generate").addEventListener("click", () => {
  run("api/generate", { ...settings(), priorSteps: +$("prior-steps").value }, "New codes from the prior");
});
start();
