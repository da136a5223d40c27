import "server-only";
import { db, dialect } from "./db";
import { type Image, Prisma } from "./generated/prisma/client";

/** What a JobDto is made from: the job with its mask, inputs and outputs and their images. */
export const jobInclude = {
  maskImage: true,
  inputs: { orderBy: { position: "asc" }, include: { image: true } },
  outputs: { orderBy: { position: "asc" }, include: { image: true } },
} satisfies Prisma.JobInclude;
export type JobRow = Prisma.JobGetPayload<{ include: typeof jobInclude }>;

/**
 * The jobs of `ids` with their images, in the order of `ids` (unknown ids are left out): the
 * same rows as `include: jobInclude`. On PostgreSQL in one query: the include's six queries
 * (job, mask, inputs, their images, outputs, theirs) cost ~1 ms of Prisma's CPU each, most of a
 * gallery page's time. SQLite answers in-process, where the include costs little.
 */
export async function readJobs(ids: string[]): Promise<JobRow[]> {
  if (ids.length === 0) return [];
  const rows = dialect() === "postgresql" ? await readJoined(ids) : await db().job.findMany({ where: { id: { in: ids } }, include: jobInclude });
  const byId = new Map(rows.map((row) => [row.id, row]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

type ImageJson = Omit<Image, "createdAt"> & { createdAt: string };
type Joined = Omit<JobRow, "maskImage" | "inputs" | "outputs"> & {
  maskImage: ImageJson | null;
  inputs: (Omit<JobRow["inputs"][number], "image"> & { image: ImageJson })[];
  outputs: (Omit<JobRow["outputs"][number], "image"> & { image: ImageJson })[];
};

async function readJoined(ids: string[]): Promise<JobRow[]> {
  const rows = await db().$queryRaw<Joined[]>`
    SELECT j.*,
      (SELECT row_to_json(m) FROM "Image" m WHERE m.id = j."maskImageId") AS "maskImage",
      COALESCE((SELECT json_agg(json_build_object('jobId', x."jobId", 'position', x.position, 'imageId', x."imageId", 'image', row_to_json(i)) ORDER BY x.position)
        FROM "JobInput" x JOIN "Image" i ON i.id = x."imageId" WHERE x."jobId" = j.id), '[]') AS inputs,
      COALESCE((SELECT json_agg(json_build_object('jobId', x."jobId", 'position', x.position, 'imageId', x."imageId", 'seed', x.seed,
          'changeFraction', x."changeFraction", 'changeOutsideMask', x."changeOutsideMask", 'image', row_to_json(i)) ORDER BY x.position)
        FROM "JobOutput" x JOIN "Image" i ON i.id = x."imageId" WHERE x."jobId" = j.id), '[]') AS outputs
    FROM "Job" j WHERE j.id = ANY(${ids})`;
  return rows.map((row) => ({
    ...row,
    maskImage: row.maskImage && image(row.maskImage),
    inputs: row.inputs.map((input) => ({ ...input, image: image(input.image) })),
    outputs: row.outputs.map((output) => ({ ...output, image: image(output.image) })),
  }));
}

/** JSON carries a timestamp column as text without a zone; Prisma stores DateTime as UTC. */
const image = (json: ImageJson): Image => ({ ...json, createdAt: new Date(`${json.createdAt}Z`) });
