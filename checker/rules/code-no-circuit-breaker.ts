// Rule test for code-no-circuit-breaker-js: Ideogram calls without a breaker (no breaker import in this file).
import axios from "axios";
import nodeFetch from "node-fetch";

const IDEOGRAM_URL = "https://api.ideogram.ai/v1/ideogram-v3/generate";
const BASE = "https://api.ideogram.ai";
const IDEOGRAM_API_BASE = process.env.IDEOGRAM_API_BASE ?? "https://api.ideogram.ai";
const apiKey = process.env.IDEOGRAM_API_KEY!;

const ideogram = axios.create({ baseURL: "https://api.ideogram.ai", timeout: 60_000 });
const keyed = axios.create({ baseURL: process.env.IMAGE_API!, headers: { "Api-Key": apiKey } });
const other = axios.create({ baseURL: "https://api.openai.com", timeout: 60_000 });

export async function generateConst(prompt: string) {
  // ruleid: code-no-circuit-breaker-js
  const res = await fetch(IDEOGRAM_URL, {
    method: "POST",
    headers: { "Api-Key": apiKey, "Content-Type": "application/json" },
    body: JSON.stringify({ prompt }),
    signal: AbortSignal.timeout(60_000),
  });
  return res.json();
}

export async function generateTemplate(prompt: string) {
  // ruleid: code-no-circuit-breaker-js
  const res = await fetch(`${BASE}/v1/ideogram-v4/generate`, { method: "POST", body: JSON.stringify({ prompt }) });
  return res.json();
}

export async function generateEnv(prompt: string) {
  // ruleid: code-no-circuit-breaker-js
  const res = await nodeFetch(`${IDEOGRAM_API_BASE}/generate`, { method: "POST", body: JSON.stringify({ prompt }) });
  return res.json();
}

export async function generateHeaderOnly(url: string, prompt: string) {
  // ruleid: code-no-circuit-breaker-js
  const res = await fetch(url, { method: "POST", headers: { "API-KEY": apiKey }, body: JSON.stringify({ prompt }) });
  return res.json();
}

export async function generateAxios(prompt: string) {
  // ruleid: code-no-circuit-breaker-js
  const { data } = await axios.post(IDEOGRAM_URL, { prompt }, { headers: { "api-key": apiKey }, timeout: 60_000 });
  return data;
}

export async function generateInstance(prompt: string) {
  // ruleid: code-no-circuit-breaker-js
  const { data } = await ideogram.post("/v1/ideogram-v3/generate", { prompt });
  return data;
}

export async function generateKeyedInstance(prompt: string) {
  // ruleid: code-no-circuit-breaker-js
  const { data } = await keyed.post("/generate", { prompt });
  return data;
}

export async function generateAxiosConfig(prompt: string) {
  // ruleid: code-no-circuit-breaker-js
  const { data } = await axios({ method: "post", url: IDEOGRAM_URL, data: { prompt } });
  return data;
}

export async function generateProcessEnv(prompt: string) {
  // ruleid: code-no-circuit-breaker-js
  const { data } = await axios.post(process.env.IDEOGRAM_API_URL!, { prompt });
  return data;
}

export async function otherApi(prompt: string) {
  // ok: code-no-circuit-breaker-js
  const { data } = await other.post("/v1/images/generations", { prompt });
  return data;
}

export async function azure(endpoint: string, azureKey: string) {
  // ok: code-no-circuit-breaker-js
  return fetch(endpoint, { method: "POST", headers: { "api-key": azureKey } });
}

export async function download(url: string) {
  // ok: code-no-circuit-breaker-js
  return fetch(url, { signal: AbortSignal.timeout(30_000) });
}

export function config(map: Map<string, string>) {
  // ok: code-no-circuit-breaker-js
  return map.get("IDEOGRAM_API_URL");
}

export async function cached(cache: { get(k: string): Promise<string> }, prompt: string) {
  // ok: code-no-circuit-breaker-js
  return cache.get(`ideogram-url:${prompt}`);
}

export function opossumInline(CircuitBreaker: any) {
  // ok: code-no-circuit-breaker-js
  return new CircuitBreaker(async (prompt: string) => fetch(IDEOGRAM_URL, { method: "POST", body: prompt }), {
    timeout: 60_000,
  });
}

export async function cockatielPolicy(policy: any, prompt: string) {
  // ok: code-no-circuit-breaker-js
  return policy.execute(() => axios.post(IDEOGRAM_URL, { prompt }));
}

export async function breakerWrapper(withBreaker: any, prompt: string) {
  // ok: code-no-circuit-breaker-js
  return withBreaker(() => ideogram.post("/v1/ideogram-v3/generate", { prompt }));
}

export async function fireBreaker(ideogramBreaker: any, prompt: string) {
  // ok: code-no-circuit-breaker-js
  return ideogramBreaker.fire(() => fetch(IDEOGRAM_URL, { method: "POST", body: prompt }));
}
