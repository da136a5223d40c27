// Figures, verdicts and the two result files (results.json for machines, results.md for people).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { cpuShare, ROOT, round } from "./util.mjs";

export class Results {
  /** `only`: the parts a partial run (--only) ran, null for all of them. */
  constructor(mode, only = null) {
    this.mode = mode;
    this.only = only;
    this.figures = [];
    this.details = {};
    this.methods = {};
    this.errors = [];
    this.machine = machine();
    this.startedAt = Date.now();
  }

  /**
   * Records one figure. `budget` is {op: "<=" | "==", value} or null (stated, not budgeted).
   * `why` explains a miss (what was measured and what would meet it); shown only when short.
   */
  add({ id, section, label, value, unit, budget = null, note, why }) {
    const v = typeof value === "number" ? round(value, unit === "×" ? 2 : 1) : value;
    let pass = null;
    if (budget && typeof v === "number" && Number.isFinite(v)) {
      pass = budget.op === "<=" ? v <= budget.value : budget.op === "==" ? v === budget.value : null;
    } else if (budget) {
      pass = false;
    }
    const figure = { id, section, label, value: v, unit, budget, pass, note: note ?? null, why: pass === false ? (why ?? null) : null };
    this.figures.push(figure);
    return figure;
  }

  /** A figure that could not be measured: recorded (value null, short) with the reason. */
  failed({ id, section, label, unit, budget = null, error }) {
    const message = String(error?.message ?? error).split("\n").slice(0, 6).join(" ").slice(0, 600);
    this.errors.push({ id, message });
    this.figures.push({ id, section, label, value: null, unit, budget, pass: budget ? false : null, note: null, why: `Not measured: ${message}` });
  }

  skip({ id, section, label, unit, reason }) {
    this.figures.push({ id, section, label, value: null, unit, budget: null, pass: null, skipped: reason, note: null, why: null });
  }

  /** Records the machine's load at a point of the run (other processes share these cores). */
  load(label) {
    const entry = { at: label, loadAverage1m: round(os.loadavg()[0], 2), cpuShare: round(cpuShare(200).share, 2) };
    (this.machine.load ??= []).push(entry);
    return entry;
  }

  /** One sentence on how busy the machine was when `label` started (for the "why" of a miss). */
  contention(label) {
    const e = (this.machine.load ?? []).find((l) => l.at === label);
    if (!e) return "";
    const busy = e.loadAverage1m > this.machine.cores;
    return `This section started at a 1-minute load average of ${e.loadAverage1m} on ${this.machine.cores} cores, and a busy loop in the bench process then got ${e.cpuShare} of a core${busy ? ": other work on the machine was competing for the CPU, and a tail (p95) far above the median is the signature of requests waiting for a core" : ""}.`;
  }

  method(section, text) {
    this.methods[section] = text;
  }

  toJSON() {
    return {
      schema: 1,
      mode: this.mode,
      only: this.only,
      machine: this.machine,
      durationS: round((Date.now() - this.startedAt) / 1000, 0),
      figures: this.figures,
      methods: this.methods,
      details: this.details,
      errors: this.errors,
    };
  }

  write(outDir) {
    fs.mkdirSync(outDir, { recursive: true });
    const json = this.toJSON();
    fs.writeFileSync(path.join(outDir, "results.json"), `${JSON.stringify(json, null, 2)}\n`);
    fs.writeFileSync(path.join(outDir, "results.md"), markdown(json));
  }
}

function git(args) {
  const r = spawnSync("git", args, { cwd: ROOT, encoding: "utf8", timeout: 10_000 });
  return r.status === 0 ? r.stdout.trim() : null;
}

function machine() {
  const cpus = os.cpus();
  const dirty = git(["status", "--porcelain"]);
  return {
    cores: cpus.length,
    cpu: cpus[0]?.model?.trim() ?? "unknown",
    memoryGb: round(os.totalmem() / 1024 ** 3, 1),
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    date: new Date().toISOString(),
    loadAverageAtStart: os.loadavg().map((v) => round(v, 2)),
    commit: git(["rev-parse", "--short", "HEAD"]),
    uncommittedFiles: dirty === null ? null : dirty.split("\n").filter(Boolean).length,
  };
}

const fmt = (f) => {
  if (f.skipped) return "skipped";
  if (f.value === null || f.value === undefined) return "not measured";
  return f.unit === "×" ? `${f.value}×` : `${f.value} ${f.unit ?? ""}`.trim();
};
const fmtBudget = (f) => (f.budget ? `${f.budget.op === "<=" ? "≤" : "="} ${f.budget.value}${f.unit === "×" ? "×" : ` ${f.unit}`}` : "—");
const verdict = (f) => (f.skipped ? "—" : f.pass === true ? "pass" : f.pass === false ? "**short**" : "stated");

// The issue's order of figures; within a group, the order they were measured in.
const GROUPS = ["overhead.", "overhead_concurrent.", "overhead_1mp.", "throughput.", "history.", "images.", "frontend.", "memory.", "scaleout.", "region.", "clone."];
const METHOD_ORDER = ["Overhead per job", "Throughput", "History at scale", "Images", "Front end", "Memory", "Scale-out (PostgreSQL)", "Region edits", "Fresh clone", "CPU profile (--profile)"];
const groupOf = (f) => {
  const i = GROUPS.findIndex((g) => f.id.startsWith(g));
  return i < 0 ? GROUPS.length : i;
};

function markdown(r) {
  const m = r.machine;
  const figures = r.figures.map((f, i) => ({ f, i })).sort((a, b) => groupOf(a.f) - groupOf(b.f) || a.i - b.i).map(({ f }) => f);
  const lines = [];
  lines.push("# Atelier benchmark results", "");
  lines.push(
    `Generated by \`npm run bench\`${r.mode === "smoke" ? " **--smoke** (tiny sizes; not the committed figures)" : ""}` +
      `${r.only ? ` **--only ${r.only.join(",")}** (a partial run; not the committed figures)` : ""}. ` +
      "All ratios and percentiles below come from this one run.",
    "",
  );
  lines.push(
    `**Machine:** ${m.cores} cores (${m.cpu}), ${m.memoryGb} GB RAM, Node ${m.node}, ${m.os}. ` +
      `**Date:** ${m.date}. **Commit:** ${m.commit ?? "?"}${m.uncommittedFiles ? ` + ${m.uncommittedFiles} uncommitted files in the working tree` : ""}. ` +
      `Run took ${r.durationS} s.`,
    "",
  );
  const loads = (m.load ?? []).map((l) => l.loadAverage1m);
  lines.push(
    `**Contention:** the cores are shared with whatever else runs on this machine. 1-minute load average over the run: ` +
      `${loads.length ? `${Math.min(...loads)}–${Math.max(...loads)}` : "?"} (start ${m.loadAverageAtStart[0]}); a CPU-bound loop in the bench process got ` +
      `${m.cpuShareAtStart ?? "?"} of a core at the start and ${m.cpuShareAtEnd ?? "?"} at the end (1.0 = uncontended). ` +
      `With a load above ${m.cores}, every latency below is inflated by waiting for a core; the server CPU time per job is the figure least affected.`,
    "",
  );
  let section = "";
  lines.push("Result: *pass* / ***short*** against the issue's budget; *stated* = measured and reported, no budget.", "");
  lines.push("| Figure | Value | Budget | Result |", "|---|---:|---:|---|");
  for (const f of figures) {
    if (f.section !== section) {
      section = f.section;
      lines.push(`| **${section}** | | | |`);
    }
    lines.push(`| ${f.label}${f.note ? ` <br><sub>${f.note}</sub>` : ""} | ${fmt(f)} | ${fmtBudget(f)} | ${verdict(f)} |`);
  }
  lines.push("");
  const short = figures.filter((f) => f.pass === false);
  lines.push("## Budgets missed", "");
  if (short.length === 0) lines.push("None: every budgeted figure is within its budget.", "");
  for (const f of short) lines.push(`- **${f.label}** (${fmt(f)}, budget ${fmtBudget(f)}): ${f.why ?? "no explanation recorded."}`);
  if (short.length) lines.push("");
  const skipped = figures.filter((f) => f.skipped);
  if (skipped.length) {
    lines.push("## Skipped", "");
    for (const f of skipped) lines.push(`- ${f.label}: ${f.skipped}`);
    lines.push("");
  }
  lines.push("## Method", "");
  const methods = Object.entries(r.methods).sort(([a], [b]) => (METHOD_ORDER.indexOf(a) + 99) % 99 - ((METHOD_ORDER.indexOf(b) + 99) % 99));
  for (const [name, text] of methods) lines.push(`### ${name}`, "", text, "");
  lines.push("Raw numbers (per-provider breakdowns, largest JS files, samples) are in `results.json` under `details`.", "");
  return `${lines.join("\n")}`;
}
