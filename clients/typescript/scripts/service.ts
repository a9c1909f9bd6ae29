import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root: this file runs from clients/typescript/dist/scripts. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "..");

export interface RunningService {
  baseUrl: string;
  stop(): Promise<void>;
  /** What the service printed, for a failing test's message. */
  output(): string;
}

async function freeLoopbackPort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => done(port));
    });
  });
}

/**
 * Starts the built service (`dotnet build` first) on a free loopback port with a temporary data directory, and waits
 * until /health/ready answers. OPENSESAME_API_DLL names another build of OpenSesame.Api.dll; without a build at the
 * usual place, `dotnet run --no-build` is tried.
 */
export async function startService(settings: Record<string, string> = {}, timeoutMs = 90_000): Promise<RunningService> {
  const port = await freeLoopbackPort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const data = mkdtempSync(join(tmpdir(), "opensesame-ts-client-"));
  const dll = process.env.OPENSESAME_API_DLL
    ?? join(repoRoot, "src", "OpenSesame.Api", "bin", "Debug", "net10.0", "OpenSesame.Api.dll");
  const args = existsSync(dll)
    ? [dll, "--urls", baseUrl]
    : ["run", "--project", join(repoRoot, "src", "OpenSesame.Api"), "--no-build", "--", "--urls", baseUrl];
  const child: ChildProcess = spawn("dotnet", args, {
    cwd: repoRoot,
    env: {
      ...process.env,
      Storage__DataDirectory: data,
      // A developer's provider keys must not turn a client test into paid calls.
      ANTHROPIC_API_KEY: "",
      OPENAI_API_KEY: "",
      DOTNET_NOLOGO: "1",
      ...settings,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let printed = "";
  child.stdout?.on("data", (chunk: Buffer) => (printed += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (printed += chunk.toString()));
  let exited = false;
  const exit = new Promise<void>((done) => child.once("exit", () => { exited = true; done(); }));

  const stop = async () => {
    if (!exited) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exit;
      clearTimeout(timer);
    }
    rmSync(data, { recursive: true, force: true });
  };

  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited) {
      await stop();
      throw new Error(`The service exited before it was ready:\n${printed}`);
    }
    try {
      const ready = await fetch(`${baseUrl}/health/ready`);
      if (ready.ok) {
        return { baseUrl, stop, output: () => printed };
      }
    } catch {
      // Not listening yet.
    }
    await new Promise((done) => setTimeout(done, 250));
  }
  await stop();
  throw new Error(`The service was not ready within ${timeoutMs} ms:\n${printed}`);
}
