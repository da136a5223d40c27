"use client";

import { useQuery } from "@tanstack/react-query";
import type { LineageNode } from "@/lib/dto";
import { fetchLineage } from "@/lib/client/api";
import { queryKeys } from "@/lib/client/query-keys";
import type { Lineage } from "@/lib/dto";

/** The lineage with what made its root (null when the root is an upload: it has no recipe to ask for). */
export type LineageData = Lineage;

export function useLineage(imageId: string | null) {
  return useQuery({
    queryKey: queryKeys.lineage(imageId ?? "none"),
    enabled: imageId !== null,
    staleTime: 0,
    queryFn: ({ signal }) => fetchLineage(imageId!, signal),
  });
}

type Made = { jobId: string | null; prompt: string | null };

export type LaidImage = {
  kind: "image";
  key: string;
  imageId: string;
  thumbUrl: string;
  width: number;
  height: number;
  favorite: boolean;
  /** The job that made it; null for an upload. */
  jobId: string | null;
  prompt: string | null;
  depth: number;
  column: number;
  parentKey: string | null;
};

/** A job of the tree that has no image (yet): queued, running, failed or canceled. */
export type LaidPending = {
  kind: "pending";
  key: string;
  jobId: string;
  prompt: string;
  status: string;
  depth: number;
  column: number;
  parentKey: string;
};

export type LaidNode = LaidImage | LaidPending;

export type LineageLayout = { nodes: LaidNode[]; columns: number; depth: number; images: number };

/**
 * A top-down tidy layout: generations are rows, each leaf takes the next column, and a
 * parent sits centred over its children. Columns × rows stay small for a few dozen nodes.
 */
export function layoutLineage(data: LineageData): LineageLayout {
  const nodes: LaidNode[] = [];
  let nextColumn = 0;
  let maxDepth = 0;

  const place = (node: LineageNode, depth: number, parentKey: string | null, made: Made): number => {
    maxDepth = Math.max(maxDepth, depth);
    const key = `image:${node.imageId}`;
    const self: LaidImage = {
      kind: "image",
      key,
      imageId: node.imageId,
      thumbUrl: node.thumbUrl,
      width: node.width,
      height: node.height,
      favorite: node.favorite,
      jobId: made.jobId,
      prompt: made.prompt,
      depth,
      column: 0,
      parentKey,
    };
    nodes.push(self);
    const columns: number[] = [];
    for (const job of node.children) {
      if (job.outputs.length === 0) {
        maxDepth = Math.max(maxDepth, depth + 1);
        const column = nextColumn++;
        nodes.push({ kind: "pending", key: `job:${job.jobId}`, jobId: job.jobId, prompt: job.prompt, status: job.status, depth: depth + 1, column, parentKey: key });
        columns.push(column);
      }
      for (const output of job.outputs) columns.push(place(output, depth + 1, key, { jobId: job.jobId, prompt: job.prompt }));
    }
    self.column = columns.length === 0 ? nextColumn++ : (columns[0]! + columns[columns.length - 1]!) / 2;
    return self.column;
  };

  place(data.root, 0, null, { jobId: data.rootJob?.jobId ?? null, prompt: data.rootJob?.prompt ?? null });
  return { nodes, columns: Math.max(1, nextColumn), depth: maxDepth + 1, images: nodes.filter((n) => n.kind === "image").length };
}

/** Every image of the tree, oldest generation first. */
export function lineageImages(data: LineageData): LaidImage[] {
  return layoutLineage(data)
    .nodes.filter((n): n is LaidImage => n.kind === "image")
    .sort((a, b) => a.depth - b.depth || a.column - b.column);
}
