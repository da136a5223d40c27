import { fork, type ChildProcess } from "node:child_process";
import path from "node:path";

/** A worker process of the multi-process queue tests (tests/support/queue-worker-process.ts). */
export type WorkerProcess = { id: string; name: string; child: ChildProcess; cancel(jobId: string): Promise<{ status: string }> };

/**
 * Forks a worker named `name` with `env` over this process's environment and waits until it
 * claims jobs. The child goes into `children` at once, so a test that stalls still kills it.
 */
export async function startWorkerProcess(name: string, env: Record<string, string | undefined>, children: ChildProcess[]): Promise<WorkerProcess> {
  const child = fork(path.resolve("tests/support/queue-worker.mjs"), [], {
    env: { ...process.env, ...env, WORKER_NAME: name },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  children.push(child);
  const id = await new Promise<string>((resolve, reject) => {
    child.on("message", (m: { ready?: string }) => m.ready && resolve(m.ready));
    child.once("exit", (code) => reject(new Error(`worker ${name} exited with ${code} before it was ready`)));
  });
  // Canceled through the worker's own lib/jobs, as a request to its studio would be.
  const cancel = (jobId: string) =>
    new Promise<{ status: string }>((resolve) => {
      const onMessage = (m: { canceled?: string; status: string }) => {
        if (m.canceled !== jobId) return;
        child.off("message", onMessage);
        resolve(m);
      };
      child.on("message", onMessage);
      child.send({ cancel: jobId });
    });
  return { id, name, child, cancel };
}

/** kill -9, returning once the process is gone. */
export async function killWorker(worker: WorkerProcess): Promise<void> {
  worker.child.kill("SIGKILL");
  if (worker.child.exitCode === null && worker.child.signalCode === null) await new Promise((resolve) => worker.child.once("exit", resolve));
}
