import * as grpc from "@grpc/grpc-js";
import { loadUserPackage } from "./user-package.ts";

// `node scripts/bench/stream-client.ts '<options JSON>'`, pinned to CPU 1 by the bench:
// one grpc-js client (the same for every server) keeps `streams` ExportUsers calls
// going, each checked to deliver exactly `expected` users with status OK, and prints
// {"messages": n, "seconds": s, "calls": c} for the measured window.

interface Options {
  address: string;
  streams: number;
  seconds: number;
  warmUpSeconds: number;
  expected: number;
}

const options = JSON.parse(process.argv[2] ?? "{}") as Options;
const { Client } = loadUserPackage();
const client = new Client(options.address, grpc.credentials.createInsecure());
// The bench's token (scripts/bench/bench-auth.ts), inherited from the bench process.
const metadata = new grpc.Metadata();
if (process.env.BENCH_AUTHORIZATION) metadata.set("authorization", process.env.BENCH_AUTHORIZATION);

let measuring = false;
let stopping = false;
let messages = 0;
let calls = 0;

function exportOnce(): Promise<void> {
  return new Promise((resolve, reject) => {
    let received = 0;
    const call = client.ExportUsers({}, metadata);
    call.on("data", () => {
      received++;
      if (measuring) messages++;
    });
    call.on("error", reject);
    call.on("status", (status: grpc.StatusObject) => {
      if (status.code !== grpc.status.OK) {
        reject(new Error(`ExportUsers ended with status ${status.code}: ${status.details}`));
      } else if (received !== options.expected) {
        reject(new Error(`ExportUsers sent ${received} users, expected ${options.expected}`));
      } else {
        if (measuring) calls++;
        resolve();
      }
    });
  });
}

async function keepStreaming(): Promise<void> {
  while (!stopping) await exportOnce();
}

try {
  await exportOnce(); // connect, and check the answer before anything is timed
  const loops = Array.from({ length: options.streams }, keepStreaming);
  const failed = Promise.all(loops); // rejects as soon as one call is wrong
  failed.catch(() => {});
  const wait = (seconds: number) => Promise.race([new Promise((resolve) => setTimeout(resolve, seconds * 1000)), failed]);
  await wait(options.warmUpSeconds);
  measuring = true;
  const start = performance.now();
  await wait(options.seconds);
  measuring = false;
  const seconds = (performance.now() - start) / 1000;
  stopping = true;
  await failed; // calls still open finish (and are checked), uncounted
  process.stdout.write(`${JSON.stringify({ messages, seconds, calls })}\n`);
  client.close();
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
