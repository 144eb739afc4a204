"use strict";
// The countypath page: a form built from the API's own vocabulary, no build step, no network
// beyond this server.
// The Deqing example profile, embedded by the server (the same one the API documentation shows).
const DEQING = JSON.parse(document.getElementById("deqing-example").textContent);
// The page's words in every language countypath speaks, embedded by the server from its message
// catalogue: {lang: {tag, language, <page words>, dims, status_words, families}}.
const TEXT = JSON.parse(document.getElementById("page-words").textContent);
// The example county's name and province as each language writes them: the form opens on the
// example named in the page's language.
const NAMES = JSON.parse(document.getElementById("example-names").textContent);
const DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

// The page's language: ?lang= when countypath speaks it, else the first of the browser's
// languages it speaks (what its Accept-Language says), else English.
function pickLang() {
  const base = (tag) => String(tag || "").toLowerCase().split("-")[0];
  const wanted = [new URLSearchParams(location.search).get("lang"), ...(navigator.languages || [])];
  return wanted.map(base).find((code) => Object.hasOwn(TEXT, code)) || "en";
}
let lang = pickLang();
let LABELS = {}; // indicator labels by key, in the page's language

function example(code) {
  return { ...DEQING.county, ...NAMES[code] };
}

async function getAll(path) {
  let items = [], cursor = null;
  do {
    const url = `${path}?limit=100` + (cursor ? `&cursor=${encodeURIComponent(cursor)}` : "");
    const res = await fetch(url, { headers: { "Accept-Language": lang } });
    const body = await res.json();
    items = items.concat(body.items);
    cursor = body.next_cursor;
  } while (cursor);
  return items;
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  for (const c of children) node.append(c);
  return node;
}

function currentValues() {
  const form = document.getElementById("profile");
  const values = {};
  form.querySelectorAll("input[data-indicator]").forEach((i) => { if (i.value !== "") values[i.dataset.indicator] = i.value; });
  const signals = [...form.querySelectorAll("input[data-signal]:checked")].map((i) => i.dataset.signal);
  return { values, signals, facts: declared() };
}

// The county facts the form declares: only what the bureau filled in, so a fact left empty stays
// unknown rather than being sent as "no".
function declared() {
  const form = document.getElementById("profile");
  const facts = {};
  const kinds = [...form.querySelectorAll("input[data-kind]:checked")].map((i) => i.dataset.kind);
  if (kinds.length) facts.kinds = kinds;
  if (form.elements.main_function_zone.value) facts.main_function_zone = form.elements.main_function_zone.value;
  if (form.elements.resource_type.value) {
    facts.resource = { type: form.elements.resource_type.value };
    if (form.elements.resource_stage.value) facts.resource.stage = form.elements.resource_stage.value;
  }
  const leading = form.elements.leading_industries.value.split(/[,;\u3001\uff0c\uff1b]/).map((n) => n.trim()).filter(Boolean);
  if (leading.length) facts.leading_industries = leading;
  return facts;
}

function choices(select, items, chosen) {
  select.replaceChildren(el("option", { value: "" }, `— ${TEXT[lang].not_declared} —`), ...items.map((i) => el("option", { value: i.slug }, i.label)));
  select.value = chosen || "";
}

// The declared facts in the page's language, keeping what was chosen.
function buildFacts(facts) {
  const words = TEXT[lang].fact_choices;
  const form = document.getElementById("profile");
  const box = document.getElementById("kinds");
  box.querySelectorAll("label").forEach((n) => n.remove());
  for (const k of words.kinds) {
    const cb = el("input", { type: "checkbox", "data-kind": k.slug });
    cb.checked = (facts.kinds || []).includes(k.slug);
    box.append(el("label", { class: "kind" }, cb, el("span", {}, k.label)));
  }
  choices(form.elements.main_function_zone, words.zones, facts.main_function_zone);
  choices(form.elements.resource_type, words.resource_types, facts.resource && facts.resource.type);
  choices(form.elements.resource_stage, words.resource_stages, facts.resource && facts.resource.stage);
  form.elements.resource_stage.disabled = !form.elements.resource_type.value;
  form.elements.leading_industries.value = (facts.leading_industries || []).join(TEXT[lang].list_separator);
  document.getElementById("industries").replaceChildren(...words.industries.map((name) => el("option", { value: name })));
}

async function buildForm(keep) {
  document.documentElement.lang = TEXT[lang].tag;
  document.querySelectorAll("[data-i18n]").forEach((n) => { n.textContent = TEXT[lang][n.dataset.i18n]; });
  const [indicators, signals, benchmarks] = await Promise.all([getAll("/v1/indicators"), getAll("/v1/signals"), getAll("/v1/benchmarks")]);
  const values = keep ? keep.values : DEQING.indicators;
  const chosen = keep ? keep.signals : DEQING.signals;
  buildFacts(keep ? keep.facts : {});
  LABELS = Object.fromEntries(indicators.map((i) => [i.key, i.label]));
  const box = document.getElementById("indicators");
  box.replaceChildren();
  const byDim = {};
  indicators.filter((i) => !i.derived).forEach((i) => { (byDim[i.dimension] ||= []).push(i); });
  for (const [dim, list] of Object.entries(byDim)) {
    const fs = el("fieldset", { class: "dimension", "data-dimension": dim }, el("legend", {}, TEXT[lang].dims[dim] || dim));
    for (const i of list) {
      const input = el("input", { type: "number", step: "any", "data-indicator": i.key, min: String(i.min), max: String(i.max) });
      if (values[i.key] !== undefined) input.value = values[i.key];
      fs.append(el("label", { title: i.description }, el("span", {}, i.label), el("small", {}, i.unit_label), input));
    }
    box.append(fs);
  }
  const sfs = document.getElementById("signals");
  sfs.querySelectorAll("label").forEach((n) => n.remove());
  for (const s of signals) {
    const cb = el("input", { type: "checkbox", "data-signal": s.slug });
    cb.checked = chosen.includes(s.slug);
    sfs.append(el("label", { class: "signal", title: s.description }, cb, el("span", {}, s.label)));
  }
  const select = document.getElementById("benchmark");
  const current = select.value || DEQING.benchmark;
  select.replaceChildren(el("option", { value: "" }, "—"), ...benchmarks.filter((b) => b.kind !== "policy_target").map((b) => el("option", { value: b.slug }, b.title)));
  select.value = current;
  const form = document.getElementById("profile");
  if (!keep) for (const [k, v] of Object.entries(example(lang))) form.elements[k].value = v;
  document.body.dataset.ready = "true";
}

function profile() {
  const form = document.getElementById("profile");
  const { values, signals } = currentValues();
  const county = { name: form.elements.name.value };
  if (form.elements.code.value) county.code = form.elements.code.value;
  if (form.elements.province.value) county.province = form.elements.province.value;
  if (form.elements.year.value) county.year = Number(form.elements.year.value);
  Object.assign(county, declared());
  const indicators = {};
  for (const [k, v] of Object.entries(values)) indicators[k] = Number(v);
  const body = { county, indicators, signals };
  if (form.elements.benchmark.value) body.benchmark = form.elements.benchmark.value;
  return body;
}

function showErrors(problem) {
  const box = document.getElementById("errors");
  box.replaceChildren(el("strong", {}, problem.title + ": " + problem.detail));
  const list = el("ul");
  for (const e of problem.errors || []) list.append(el("li", {}, `${e.pointer || e.parameter}: ${e.message}`));
  box.append(list);
  box.hidden = false;
}

function render(result) {
  const t = TEXT[lang];
  const body = document.querySelector("#challenges tbody");
  body.replaceChildren();
  for (const c of result.challenges) {
    const evidence = c.evidence.filter((e) => e.band !== "ok").map((e) => `${e.label} ${e.value} → ${e.target}`).join("; ");
    const row = el("tr", { class: c.status, "data-challenge": c.slug },
      el("td", {}, c.title), el("td", {}, el("span", { class: "light" }), t.status_words[c.status]),
      el("td", {}, String(c.severity)), el("td", {}, evidence || (c.missing.length ? "… " + c.missing.slice(0, 3).map((k) => LABELS[k] || k).join(t.list_separator) : "")));
    body.append(row);
  }
  const paths = document.getElementById("paths");
  paths.replaceChildren();
  for (const p of result.recommendations.slice(0, 9)) {
    const examples = p.examples.slice(0, 2).map((e) => e.title + (e.source.section ? ` (§${e.source.section})` : "")).join("; ");
    paths.append(el("li", { "data-family": p.family, "data-path": p.slug },
      el("span", { class: `family ${p.family}` }, t.families[p.family]), el("strong", {}, p.title), el("span", { class: "score" }, String(p.score)),
      el("div", {}, p.summary), el("div", { class: "examples" }, examples ? `${t.examples}: ${examples}` : "")));
  }
  document.getElementById("results").hidden = false;
  document.getElementById("report").disabled = false;
  document.getElementById("plan").disabled = false;
}

// The action plan of the diagnosed profile: its main targets and its tasks, with the
// Word plan and the one-page brief to download.
async function plan() {
  document.getElementById("errors").hidden = true;
  const res = await fetch("/v1/plans", {
    method: "POST", headers: { "Content-Type": "application/json", "Accept": "application/json", "Accept-Language": lang }, body: JSON.stringify(profile()),
  });
  const body = await res.json();
  if (!res.ok) { showErrors(body); return; }
  renderPlan(body);
  document.body.dataset.planned = "true";
}

function renderPlan(result) {
  const t = TEXT[lang];
  document.getElementById("plan-title").textContent = t.plan_title.replace("{start}", result.start).replace("{horizon}", result.horizon);
  const rows = result.targets.map((r) => el("tr", { "data-indicator": r.indicator },
    el("td", {}, r.label, " ", el("small", {}, r.unit_label)), el("td", {}, String(r.baseline)), el("td", {}, String(r.target)),
    el("td", {}, String(r.year)), el("td", {}, r.kind_label), el("td", {}, r.basis_text)));
  document.querySelector("#targets tbody").replaceChildren(...rows);
  const items = result.actions.map((a) => {
    const line = (label, text) => (text ? el("div", {}, `${label}${t.colon}${text}`) : "");
    return el("li", { "data-path": a.path },
      el("span", { class: `family ${a.family}` }, t.families[a.family]), el("strong", {}, a.title),
      line(t.phase, t.years.replace("{start}", a.phase.start).replace("{end}", a.phase.end)), line(t.lead, a.lead && a.lead.name),
      line(t.partners, a.partners.map((p) => p.name).join(t.list_separator)),
      line(t.kpis, a.kpis.map((k) => k.label).join(t.list_separator)));
  });
  document.getElementById("plan-actions").replaceChildren(...items);
  document.getElementById("plan-view").hidden = false;
}

// A Word document of the profile: the plan itself, or its one-page brief (layout=brief), saved
// under the name the server gives it.
async function download(layout) {
  const query = layout ? `?layout=${layout}` : "";
  const res = await fetch(`/v1/reports${query}`, {
    method: "POST", headers: { "Content-Type": "application/json", "Accept": DOCX, "Accept-Language": lang }, body: JSON.stringify(profile()),
  });
  if (!res.ok) { showErrors(await res.json()); return; }
  const named = /filename="([^"]+)"/.exec(res.headers.get("Content-Disposition") || "");
  let name = named ? named[1] : "countypath.docx";
  if (layout) name = name.replace(/\.docx$/, `-${layout}.docx`);
  const link = el("a", { href: URL.createObjectURL(await res.blob()), download: name });
  document.body.append(link);
  link.click();
  link.remove();
  document.body.dataset.saved = [document.body.dataset.saved, layout || "plan"].filter(Boolean).join(" ");
}

async function submit(event) {
  event.preventDefault();
  document.getElementById("errors").hidden = true;
  const res = await fetch("/v1/recommendations?paths=9", {
    method: "POST", headers: { "Content-Type": "application/json", "Accept-Language": lang }, body: JSON.stringify(profile()),
  });
  const body = await res.json();
  if (!res.ok) { showErrors(body); return; }
  render(body);
  if (!document.getElementById("plan-view").hidden) await plan();
  document.body.dataset.done = "true";
}

async function report() {
  const res = await fetch("/v1/reports", {
    method: "POST", headers: { "Content-Type": "application/json", "Accept": "text/html", "Accept-Language": lang }, body: JSON.stringify(profile()),
  });
  if (!res.ok) { showErrors(await res.json()); return; }
  const url = URL.createObjectURL(await res.blob());
  window.open(url, "_blank");
}

// A workbook of counties as a batch job: submit it with the caller's key, follow the job's
// progress, download the results workbook when it is done. The key stays in the field only.
const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
let job = null;

function showJob(state) {
  const t = TEXT[lang];
  const bar = document.getElementById("batch-progress");
  bar.max = state.progress.total;
  bar.value = state.progress.done;
  let text = `${t["job_" + state.status]}${t.colon}${state.progress.done} / ${state.progress.total} ${t.batch_rows}`;
  if (state.results) text += ` · ${t.batch_failed} ${state.results.failed}`;
  if (state.error) text += ` · ${state.error.detail}`;
  document.getElementById("batch-text").textContent = text;
  const box = document.getElementById("batch-state");
  box.hidden = false;
  box.dataset.status = state.status;
  const open = state.status === "queued" || state.status === "running";
  document.getElementById("batch-cancel").hidden = !open;
  document.getElementById("batch-download").hidden = state.status !== "done";
  document.getElementById("batch-submit").disabled = open;
}

async function followJob(location) {
  while (job && job.location === location) {
    const res = await fetch(location, { headers: { Authorization: `Bearer ${job.key}` } });
    const state = await res.json();
    if (!res.ok) { showErrors(state); return; }
    job.state = state;
    showJob(state);
    if (state.status !== "queued" && state.status !== "running") return;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

async function submitJob() {
  document.getElementById("errors").hidden = true;
  const file = document.getElementById("batch-file").files[0];
  const key = document.getElementById("batch-key").value.trim();
  if (!key || !file) { showErrors({ title: TEXT[lang].batch_title, detail: TEXT[lang].batch_missing }); return; }
  const view = document.getElementById("batch-view").value;
  const res = await fetch(`/v1/batch-jobs?view=${view}`, {
    method: "POST", headers: { "Content-Type": XLSX, "Accept-Language": lang, Authorization: `Bearer ${key}` }, body: file,
  });
  const body = await res.json();
  if (!res.ok) { showErrors(body); return; }
  job = { location: res.headers.get("Location"), key, state: body };
  showJob(body);
  followJob(job.location);
}

async function cancelJob() {
  if (!job) return;
  const res = await fetch(job.location, { method: "DELETE", headers: { Authorization: `Bearer ${job.key}` } });
  if (res.status === 200) { job.state = await res.json(); showJob(job.state); }
}

async function downloadJob() {
  if (!job || !job.state.results) return;
  const res = await fetch(job.state.results.href, { headers: { Accept: XLSX, Authorization: `Bearer ${job.key}` } });
  if (!res.ok) { showErrors(await res.json()); return; }
  const link = el("a", { href: URL.createObjectURL(await res.blob()), download: "countypath-results.xlsx" });
  document.body.append(link);
  link.click();
  link.remove();
  document.body.dataset.downloaded = "true";
}

document.getElementById("batch-submit").addEventListener("click", submitJob);
document.getElementById("batch-cancel").addEventListener("click", cancelJob);
document.getElementById("batch-download").addEventListener("click", downloadJob);
document.getElementById("profile").addEventListener("submit", submit);
document.getElementById("report").addEventListener("click", report);
document.getElementById("plan").addEventListener("click", plan);
document.getElementById("plan-docx").addEventListener("click", () => download(""));
document.getElementById("brief-docx").addEventListener("click", () => download("brief"));
document.getElementById("profile").elements.resource_type.addEventListener("change", (event) => {
  const stage = document.getElementById("profile").elements.resource_stage;
  stage.disabled = !event.target.value;
  if (stage.disabled) stage.value = "";
});
for (const [code, words] of Object.entries(TEXT)) {
  const b = el("button", { type: "button", id: `lang-${code}`, "data-lang": code }, words.language);
  document.querySelector("header .lang").append(b);
  b.addEventListener("click", async () => {
    const form = document.getElementById("profile");
    const before = example(lang);
    const named = form.elements.name.value === before.name && form.elements.province.value === before.province;
    lang = b.dataset.lang;
    const keep = currentValues();
    await buildForm(keep);
    // The example county, untouched, is renamed in the new language; a county typed in is kept.
    if (named) for (const k of ["name", "province"]) form.elements[k].value = example(lang)[k];
    if (job && job.state) showJob(job.state);
    if (!document.getElementById("results").hidden) document.getElementById("profile").requestSubmit();
  });
}
buildForm(null);
