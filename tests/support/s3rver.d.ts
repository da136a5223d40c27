/** The part of s3rver 3.7 (no types of its own) that tests/support/s3.ts uses. */
declare module "s3rver" {
  import type { Server } from "node:http";

  type Options = {
    address?: string;
    port?: number;
    silent?: boolean;
    directory?: string;
    configureBuckets?: { name: string; configs?: (string | Buffer)[] }[];
  };

  export default class S3rver {
    constructor(options?: Options);
    run(): Promise<Server>;
    close(): Promise<void>;
    httpServer: Server;
  }
}
