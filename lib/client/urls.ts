/** The app's own addresses the browser links to; pure, so server pages build the same ones. */

const enc = encodeURIComponent;

export const downloadUrl = (imageId: string) => `/api/images/${enc(imageId)}/download`;
export const batchZipUrl = (batchId: string) => `/api/batches/${enc(batchId)}/zip`;
export const exportUrl = (ids: string[]) => `/api/export?ids=${ids.map(enc).join(",")}`;
/**
 * One job's output, as /compare addresses it. Outputs are deduplicated by content, so two
 * jobs (a re-run, a fan-out) can share one image id; the output ref tells them apart.
 */
export const outputRef = (jobId: string, position = 0) => `${jobId}.${position}`;
/** Either side is an image id (an upload, a lineage node) or an outputRef. */
export const compareUrl = (a: string, b: string) => `/compare?a=${enc(a)}&b=${enc(b)}`;
export const continueUrl = (imageId: string) => `/?input=${enc(imageId)}`;
export const remixUrl = (jobId: string) => `/?remix=${enc(jobId)}`;
