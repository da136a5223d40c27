"use client";

import Link from "next/link";
import { type MouseEvent, useEffect, useMemo, useRef, useState } from "react";
import { usePathname } from "next/navigation";
import { withFrom } from "@/lib/client/back-link";
import { compareUrl } from "@/lib/client/urls";
import { STATUS_LABEL } from "@/lib/client/jobs";
import type { JobStatus } from "@/lib/schemas";
import { AlertIcon, CompareIcon, JobStarIcon, Spinner, TreeIcon } from "../ui/icons";
import { buttonPrimary, buttonSecondary } from "../ui/button-styles";
import { type LaidImage, type LaidNode, layoutLineage, useLineage } from "./lineage-data";

const NODE_W = 120;
const THUMB_H = 76;
/** Thumbnail plus a two-line caption. */
const NODE_H = THUMB_H + 36;
const COL_W = 140;
const ROW_H = NODE_H + 34;
const PAD = 20;

const left = (column: number) => PAD + column * COL_W;
const top = (depth: number) => PAD + depth * ROW_H;

function isStatus(status: string): status is JobStatus {
  return status in STATUS_LABEL;
}

function Edge({ from, to, highlight }: { from: LaidNode; to: LaidNode; highlight: boolean }) {
  const x1 = left(from.column) + NODE_W / 2;
  const y1 = top(from.depth) + NODE_H - 2;
  const x2 = left(to.column) + NODE_W / 2;
  const y2 = top(to.depth);
  const mid = (y1 + y2) / 2;
  return (
    <path
      d={`M ${x1} ${y1} C ${x1} ${mid}, ${x2} ${mid}, ${x2} ${y2}`}
      fill="none"
      strokeWidth={highlight ? 2 : 1.5}
      className={highlight ? "stroke-accent-400/80" : "stroke-zinc-700"}
    />
  );
}

/**
 * The image's family tree on the job page: the original at the top, each edit a row
 * further down. A node opens the job that made it; tick two nodes (or shift-click them)
 * to compare them.
 */
export function LineagePanel({
  imageId,
  currentImageIds,
  focusImageId,
}: {
  /** Which image to ask the server about (any image of the tree). */
  imageId: string;
  /** This job's outputs: marked on the tree. */
  currentImageIds: string[];
  /** The output shown above the tree: its path from the root is highlighted. */
  focusImageId: string | null;
}) {
  const { data, error, isPending } = useLineage(imageId);
  const pathname = usePathname();
  const [selected, setSelected] = useState<string[]>([]);
  const scroller = useRef<HTMLDivElement>(null);
  const layout = useMemo(() => (data ? layoutLineage(data) : null), [data]);
  const byKey = useMemo(() => new Map(layout?.nodes.map((n) => [n.key, n]) ?? []), [layout]);

  // The ancestors of the focused image: their edges light up.
  const path = useMemo(() => {
    const keys = new Set<string>();
    let node = focusImageId ? byKey.get(`image:${focusImageId}`) : undefined;
    while (node) {
      keys.add(node.key);
      node = node.parentKey ? byKey.get(node.parentKey) : undefined;
    }
    return keys;
  }, [byKey, focusImageId]);

  // Bring the current image into view in a wide tree (once per image, not on every refetch).
  const centred = useRef<string | null>(null);
  useEffect(() => {
    const element = scroller.current;
    const focus = focusImageId ? byKey.get(`image:${focusImageId}`) : undefined;
    if (!element || !focus || centred.current === focusImageId) return;
    centred.current = focusImageId;
    const x = left(focus.column) + NODE_W / 2 - element.clientWidth / 2;
    element.scrollLeft = Math.max(0, x);
  }, [byKey, focusImageId]);

  function toggle(id: string) {
    setSelected((old) => (old.includes(id) ? old.filter((x) => x !== id) : [...old, id].slice(-2)));
  }

  function onNodeClick(event: MouseEvent, id: string) {
    if (!event.shiftKey) return;
    event.preventDefault();
    toggle(id);
  }

  const current = new Set(currentImageIds);
  const ready = selected.length === 2;

  return (
    <section aria-labelledby="lineage-heading" className="mt-10 rounded-2xl border border-zinc-800/80 bg-zinc-900/30" data-testid="lineage">
      <header className="flex flex-wrap items-center justify-between gap-3 border-b border-zinc-800/80 px-5 py-3">
        <div className="flex items-center gap-3">
          <TreeIcon className="size-4 text-zinc-500" />
          <h2 id="lineage-heading" className="text-sm font-semibold text-zinc-100">
            Lineage
          </h2>
          {layout ? (
            <p className="text-xs text-zinc-500" data-testid="lineage-summary">
              {layout.images} {layout.images === 1 ? "image" : "images"} · {layout.depth} {layout.depth === 1 ? "generation" : "generations"}
            </p>
          ) : null}
        </div>
        <div className="flex items-center gap-3">
          <p className="hidden text-xs text-zinc-500 sm:block" aria-live="polite">
            {selected.length === 0
              ? "Tick two images, or shift-click them, to compare."
              : selected.length === 1
                ? "Pick one more image to compare."
                : "Ready to compare."}
          </p>
          {ready ? (
            <Link href={withFrom(compareUrl(selected[0]!, selected[1]!), pathname)} className={`${buttonPrimary} h-8`} data-testid="lineage-compare">
              <CompareIcon className="size-3.5" />
              Compare
            </Link>
          ) : (
            <button type="button" disabled className={`${buttonSecondary} h-8`} title="Select two images first">
              <CompareIcon className="size-3.5" />
              Compare
            </button>
          )}
          {selected.length > 0 ? (
            <button type="button" onClick={() => setSelected([])} className="text-xs text-zinc-400 hover:text-zinc-100">
              Clear
            </button>
          ) : null}
        </div>
      </header>

      {isPending ? (
        <div className="flex h-40 items-center justify-center gap-2 text-sm text-zinc-500">
          <Spinner className="size-4" /> Loading the lineage…
        </div>
      ) : error || !layout ? (
        <p role="alert" className="flex h-24 items-center justify-center gap-2 text-sm text-red-300">
          <AlertIcon className="size-4" /> Couldn&apos;t load the lineage.
        </p>
      ) : (
        <div ref={scroller} className="max-h-[40rem] overflow-auto overscroll-x-contain" tabIndex={-1}>
          <div className="relative mx-auto" style={{ width: PAD * 2 + (layout.columns - 1) * COL_W + NODE_W, height: PAD * 2 + (layout.depth - 1) * ROW_H + NODE_H }}>
            <svg className="pointer-events-none absolute inset-0 size-full" aria-hidden="true">
              {layout.nodes.map((node) => {
                const parent = node.parentKey ? byKey.get(node.parentKey) : undefined;
                return parent ? <Edge key={node.key} from={parent} to={node} highlight={path.has(node.key)} /> : null;
              })}
            </svg>
            <ul aria-label="Images in this lineage">
              {layout.nodes.map((node) =>
                node.kind === "image" ? (
                  <ImageNode
                    key={node.key}
                    node={node}
                    current={current.has(node.imageId)}
                    focus={node.imageId === focusImageId}
                    selected={selected.includes(node.imageId)}
                    anySelected={selected.length > 0}
                    onToggle={() => toggle(node.imageId)}
                    onClick={(e) => onNodeClick(e, node.imageId)}
                  />
                ) : (
                  <li
                    key={node.key}
                    className="absolute"
                    style={{ left: left(node.column), top: top(node.depth), width: NODE_W }}
                    data-testid="lineage-pending"
                  >
                    <Link
                      href={`/jobs/${node.jobId}`}
                      title={node.prompt}
                      className={`flex flex-col items-center justify-center gap-1.5 rounded-lg border border-dashed text-center text-xs ${
                        node.status === "failed" ? "border-red-900/80 bg-red-950/20 text-red-300" : "border-zinc-700 bg-zinc-900/60 text-zinc-400"
                      } hover:border-zinc-500`}
                      style={{ height: THUMB_H }}
                    >
                      {node.status === "running" || node.status === "queued" ? <Spinner className="size-4 text-accent-300" /> : null}
                      {isStatus(node.status) ? STATUS_LABEL[node.status] : node.status}
                    </Link>
                    <p className="mt-1.5 line-clamp-2 text-[11px] leading-snug text-zinc-500">{node.prompt}</p>
                  </li>
                ),
              )}
            </ul>
          </div>
        </div>
      )}
    </section>
  );
}

function ImageNode({
  node,
  current,
  focus,
  selected,
  anySelected,
  onToggle,
  onClick,
}: {
  node: LaidImage;
  current: boolean;
  focus: boolean;
  selected: boolean;
  anySelected: boolean;
  onToggle: () => void;
  onClick: (event: MouseEvent) => void;
}) {
  const name = node.prompt ?? "Original upload";
  const ring = selected
    ? "ring-2 ring-sky-400"
    : focus
      ? "ring-2 ring-accent-400"
      : current
        ? "ring-2 ring-accent-400/50"
        : "ring-1 ring-zinc-700/80 hover:ring-zinc-500";
  const thumb = (
    <img src={node.thumbUrl} alt="" width={node.width} height={node.height} loading="lazy" decoding="async" draggable={false} className="size-full object-cover" />
  );
  return (
    <li
      className="group absolute"
      style={{ left: left(node.column), top: top(node.depth), width: NODE_W }}
      data-testid="lineage-node"
      data-image-id={node.imageId}
      data-depth={node.depth}
      data-current={focus ? "true" : current ? "job" : undefined}
      data-selected={selected ? "true" : undefined}
    >
      <div className="relative">
        {node.jobId ? (
          <Link
            href={`/jobs/${node.jobId}`}
            title={`${name}\nOpen the job that made it · shift-click to select`}
            aria-label={`${name}${focus ? " (this image)" : ""}`}
            onClick={onClick}
            className={`checker block overflow-hidden rounded-lg transition ${ring}`}
            style={{ height: THUMB_H }}
          >
            {thumb}
          </Link>
        ) : (
          <button
            type="button"
            onClick={onToggle}
            tabIndex={-1}
            title="The original upload · click to select it for comparison"
            aria-label={`${name}: select for comparison`}
            aria-pressed={selected}
            className={`checker block w-full overflow-hidden rounded-lg transition ${ring}`}
            style={{ height: THUMB_H }}
          >
            {thumb}
          </button>
        )}
        <label
          className={`absolute left-1.5 top-1.5 flex size-6 items-center justify-center rounded-md bg-zinc-950/80 backdrop-blur transition-opacity has-[:focus-visible]:opacity-100 has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-accent-400 ${
            selected || anySelected ? "opacity-100" : "opacity-0 group-hover:opacity-100 pointer-coarse:opacity-100"
          }`}
        >
          <input
            type="checkbox"
            checked={selected}
            onChange={onToggle}
            aria-label={`Select “${name}” for comparison`}
            className="size-3.5 cursor-pointer accent-sky-400"
          />
        </label>
        {node.favorite ? (
          <span className="absolute right-1.5 top-1.5 rounded-md bg-zinc-950/80 p-1 text-accent-300 backdrop-blur" title="Favourite">
            <JobStarIcon filled className="size-3" />
            <span className="sr-only">Favourite</span>
          </span>
        ) : null}
        {focus || current ? (
          <span className="pointer-events-none absolute bottom-1.5 left-1.5 rounded bg-accent-400 px-1.5 py-0.5 text-[10px] font-semibold text-zinc-950">
            {focus ? "This image" : "This job"}
          </span>
        ) : !node.jobId ? (
          <span className="pointer-events-none absolute bottom-1.5 left-1.5 rounded bg-zinc-950/80 px-1.5 py-0.5 text-[10px] font-medium text-zinc-300">
            Original
          </span>
        ) : null}
      </div>
      <p className={`mt-1.5 line-clamp-2 text-[11px] leading-snug ${focus ? "text-zinc-200" : "text-zinc-500"}`} title={name}>
        {name}
      </p>
    </li>
  );
}
