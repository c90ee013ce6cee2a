// Cases for code-ideogram-key-logged (TypeScript).
import axios from "axios";
import pino from "pino";
import { createHash } from "node:crypto";
import { env } from "~/env";

const logger = pino();
const IDEOGRAM_URL = "https://api.ideogram.ai/v1/ideogram-v3/generate";

export function banner(): void {
  // ruleid: code-ideogram-key-logged-js
  console.log(`Ideogram key: ${process.env.IDEOGRAM_API_KEY}`);
}

export function prefix(): void {
  const key = process.env.IDEOGRAM_API_KEY ?? "";
  // ruleid: code-ideogram-key-logged-js
  console.debug("ideogram key prefix", key.slice(0, 8));
}

export async function debugHeaders(prompt: string) {
  const headers = { "Api-Key": process.env.IDEOGRAM_API_KEY!, "Content-Type": "application/json" };
  // ruleid: code-ideogram-key-logged-js
  logger.info({ headers }, "calling ideogram");
  return fetch(IDEOGRAM_URL, { method: "POST", headers, body: JSON.stringify({ prompt }) });
}

export async function debugInit(apiKey: string, prompt: string) {
  const init: RequestInit = { method: "POST", headers: { "api-key": apiKey }, body: prompt };
  // ruleid: code-ideogram-key-logged-js
  console.log("fetch init", JSON.stringify(init));
}

export function t3Env(): void {
  // ruleid: code-ideogram-key-logged-js
  logger.warn(`using ${env.IDEOGRAM_API_KEY.substring(0, 4)}***`);
}

export function destructured(): void {
  const { IDEOGRAM_API_KEY } = process.env;
  // ruleid: code-ideogram-key-logged-js
  console.error("missing credits for", IDEOGRAM_API_KEY);
}

class IdeogramService {
  constructor(private readonly config: { ideogramApiKey: string }, private readonly log = pino()) {}

  start(): void {
    // ruleid: code-ideogram-key-logged-js
    this.log.info(`ideogram ready with ${this.config.ideogramApiKey}`);
  }
}

export function headersObject(apiKey: string): Headers {
  const h = new Headers();
  h.set("Api-Key", apiKey);
  // ruleid: code-ideogram-key-logged-js
  console.log(Object.fromEntries(h.entries()));
  return h;
}

export function axiosInstance(): void {
  const client = axios.create({ baseURL: "https://api.ideogram.ai", headers: { "Api-Key": process.env.IDEOGRAM_API_KEY } });
  // ruleid: code-ideogram-key-logged-js
  console.log("axios defaults", client.defaults.headers);
}

export function stdoutWrite(): void {
  // ruleid: code-ideogram-key-logged-js
  process.stdout.write(`key=${process.env["IDEOGRAM_API_KEY"]}\n`);
}

export function okLength(): void {
  const key = process.env.IDEOGRAM_API_KEY ?? "";
  // ok: code-ideogram-key-logged-js
  console.log("ideogram key length", key.length);
}

export function okPresence(): void {
  // ok: code-ideogram-key-logged-js
  console.log("ideogram key configured:", Boolean(process.env.IDEOGRAM_API_KEY));
}

export function okMissing(): void {
  if (!process.env.IDEOGRAM_API_KEY) {
    // ok: code-ideogram-key-logged-js
    console.error("IDEOGRAM_API_KEY is not set");
  }
}

export function okHash(): void {
  const key = process.env.IDEOGRAM_API_KEY!;
  const fp = createHash("sha256").update(key).digest("hex").slice(0, 12);
  // ok: code-ideogram-key-logged-js
  logger.info({ fp }, "ideogram key fingerprint");
}

function maskKey(k: string): string {
  return `****${k.slice(-4)}`;
}

export function okMasked(): void {
  // ok: code-ideogram-key-logged-js
  console.log("key", maskKey(process.env.IDEOGRAM_API_KEY!));
}

export async function okResponse(prompt: string) {
  const res = await fetch(IDEOGRAM_URL, {
    method: "POST",
    headers: { "Api-Key": process.env.IDEOGRAM_API_KEY!, "Content-Type": "application/json" },
    body: JSON.stringify({ prompt }),
  });
  // ok: code-ideogram-key-logged-js
  console.log("ideogram status", res.status);
  const body = await res.json();
  // ok: code-ideogram-key-logged-js
  logger.info({ created: body.created }, "generated");
}

export async function okAxiosResponse(prompt: string) {
  const client = axios.create({ baseURL: "https://api.ideogram.ai", headers: { "Api-Key": env.IDEOGRAM_API_KEY } });
  const r = await client.post("/generate", { image_request: { prompt } });
  // ok: code-ideogram-key-logged-js
  console.log("status", r.status);
}

export function okOtherEnv(): void {
  // ok: code-ideogram-key-logged-js
  console.log("model", process.env.IDEOGRAM_MODEL, "region", process.env.AWS_REGION);
}

export function okOtherSecret(): void {
  // ok: code-ideogram-key-logged-js
  console.log(process.env.OPENAI_API_KEY?.slice(0, 3));
}

function maskPrefix(k: string): string {
  return `${k.slice(0, 4)}...${k.slice(-4)}`;
}

export function maskedPrefix(): void {
  // first-4 + last-4 still prints a prefix of the key
  // ruleid: code-ideogram-key-logged-js
  console.info("ideogram key", maskPrefix(process.env.IDEOGRAM_API_KEY!));
}

interface GenerateResponse { created: string; data: { url: string; seed: number }[] }

export async function okGenericResponse(prompt: string) {
  const client = axios.create({ baseURL: "https://api.ideogram.ai", headers: { "Api-Key": env.IDEOGRAM_API_KEY }, timeout: 60_000 });
  const r = await client.post<GenerateResponse>("/v1/ideogram-v3/generate", { prompt });
  // ok: code-ideogram-key-logged-js
  logger.info({ created: r.data.created }, "generated");
}

declare const router: { post(path: string, h: (req: any, res: any) => unknown): void };

router.post("/api/generate", async (req, res) => {
  const key = process.env.IDEOGRAM_API_KEY;
  // a route registration does not clear what its handler logs
  // ruleid: code-ideogram-key-logged-js
  console.log("generate with key", key);
  res.json({ ok: true });
});

async function callIdeogram(prompt: string, apiKey: string) {
  const res = await fetch(IDEOGRAM_URL, { method: "POST", headers: { "Api-Key": apiKey }, body: JSON.stringify({ prompt }) });
  return res.json();
}

export async function okLocalCallResult(prompt: string) {
  const result = await callIdeogram(prompt, process.env.IDEOGRAM_API_KEY!);
  // ok: code-ideogram-key-logged-js
  console.log("seed", result.data[0].seed);
}
