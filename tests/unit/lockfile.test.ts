import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * A macOS, Windows or ARM user installs from the same lockfile we test with. npm writes only
 * this platform's optional binaries unless told otherwise, and then `npm install` on another
 * machine (or a fresh clone here) rewrites the file and installs versions we never tested.
 */
type Lock = { packages: Record<string, { version?: string; optionalDependencies?: Record<string, string> }> };
const lock: Lock = JSON.parse(fs.readFileSync(path.join(__dirname, "../../package-lock.json"), "utf8"));

/** Where Node would find `name` from the package at `from`: its own node_modules, then each parent's. */
function resolve(from: string, name: string): string | undefined {
  let base = from;
  for (;;) {
    const candidate = `${base ? `${base}/` : ""}node_modules/${name}`;
    if (lock.packages[candidate]) return candidate;
    if (!base) return undefined;
    const cut = base.lastIndexOf("/node_modules/");
    base = cut < 0 ? "" : base.slice(0, cut);
  }
}

describe("package-lock.json", () => {
  it("carries every platform's optional packages, not only this machine's", () => {
    const missing = Object.entries(lock.packages).flatMap(([at, pkg]) =>
      Object.keys(pkg.optionalDependencies ?? {})
        .filter((name) => !resolve(at, name))
        .map((name) => `${at || "(root)"} → ${name}`),
    );
    expect(missing).toEqual([]);
  });

  it("has the other platforms' Next.js and sharp binaries that a designer's Mac or ARM machine needs", () => {
    for (const name of ["@next/swc-darwin-arm64", "@next/swc-win32-x64-msvc", "@next/swc-linux-arm64-gnu", "@img/sharp-darwin-arm64", "@img/sharp-linux-arm64"]) {
      expect(lock.packages[`node_modules/${name}`]?.version, name).toMatch(/^\d+\.\d+\.\d+/);
    }
  });
});
