// Test cases for code-ideogram-no-backoff (TypeScript).
import axios from "axios";
import axiosRetry from "axios-retry";
import pRetry, { AbortError } from "p-retry";
import retry from "async-retry";

const IDEOGRAM_URL = "https://api.ideogram.ai/v1/ideogram-v3/generate";
const BASE = "https://api.ideogram.ai";
const apiKey = process.env.IDEOGRAM_API_KEY ?? "";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function plain(body: FormData) {
  // ruleid: code-ideogram-no-backoff-js
  return fetch(IDEOGRAM_URL, { method: "POST", headers: { "Api-Key": apiKey }, body, signal: AbortSignal.timeout(120_000) });
}

export async function retryAroundDownload(body: FormData) {
  // ruleid: code-ideogram-no-backoff-js
  const res = await fetch(`${BASE}/v1/ideogram-v3/generate`, { method: "POST", headers: { "Api-Key": apiKey }, body });
  const data = await res.json();
  return pRetry(() => fetch(data.data[0].url), { retries: 5 });
}

export async function loopWithoutWait(body: FormData) {
  for (let i = 0; i < 3; i++) {
    // ruleid: code-ideogram-no-backoff-js
    const res = await fetch(IDEOGRAM_URL, { method: "POST", headers: { "Api-Key": apiKey }, body });
    if (res.ok) return res;
  }
  throw new Error("gave up");
}

export async function envHost(body: FormData) {
  // ruleid: code-ideogram-no-backoff-js
  return fetch(`${process.env.IDEOGRAM_BASE_URL}/v1/ideogram-v3/generate`, { method: "POST", body });
}

export async function axiosPlain(prompt: string) {
  // ruleid: code-ideogram-no-backoff-js
  return axios.post(`${BASE}/generate`, { image_request: { prompt } }, { headers: { "Api-Key": apiKey }, timeout: 60_000 });
}

const ideogram = axios.create({ baseURL: "https://api.ideogram.ai", timeout: 60_000 });

export async function instanceCall(form: FormData) {
  // ruleid: code-ideogram-no-backoff-js
  return ideogram.post("/v1/ideogram-v3/generate", form, { headers: { "api-key": apiKey } });
}

export async function headerOnly(url: string, body: FormData) {
  const headers = { "API-Key": apiKey };
  // ruleid: code-ideogram-no-backoff-js
  return fetch(url, { method: "POST", headers, body });
}

export class IdeogramClient {
  private http = axios.create({ baseURL: BASE, timeout: 60_000 });
  async generate(form: FormData) {
    // ruleid: code-ideogram-no-backoff-js
    return this.http.post("/v1/ideogram-v3/generate", form);
  }
}

// ---- ok

export async function okPRetry(body: FormData) {
  return pRetry(
    async () => {
      // ok: code-ideogram-no-backoff-js
      const res = await fetch(IDEOGRAM_URL, { method: "POST", headers: { "Api-Key": apiKey }, body });
      if (res.status === 402 || res.status === 422) throw new AbortError(await res.text());
      if (!res.ok) throw new Error(`ideogram ${res.status}`);
      return res.json();
    },
    { retries: 5, factor: 2, randomize: true },
  );
}

export async function okAsyncRetry(body: FormData) {
  return retry(
    async (bail: (e: Error) => void) => {
      // ok: code-ideogram-no-backoff-js
      const res = await fetch(IDEOGRAM_URL, { method: "POST", headers: { "Api-Key": apiKey }, body });
      if (res.status === 402) bail(new Error("out of credits"));
      return res;
    },
    { retries: 5 },
  );
}

const retried = axios.create({ baseURL: BASE, timeout: 60_000 });
axiosRetry(retried, { retries: 5, retryDelay: axiosRetry.exponentialDelay });

export async function okAxiosRetry(form: FormData) {
  // ok: code-ideogram-no-backoff-js
  return retried.post("/v1/ideogram-v3/generate", form);
}

export async function okLoopSleep(body: FormData) {
  for (let attempt = 0; attempt < 5; attempt++) {
    // ok: code-ideogram-no-backoff-js
    const res = await fetch(IDEOGRAM_URL, { method: "POST", headers: { "Api-Key": apiKey }, body });
    if (res.status !== 429 && res.status < 500) return res;
    const retryAfter = Number(res.headers.get("Retry-After") ?? 0);
    await sleep(Math.max(retryAfter * 1000, 2 ** attempt * 1000));
  }
  throw new Error("rate limited");
}

export async function okWhilePromise(body: FormData) {
  let attempt = 0;
  while (attempt < 5) {
    // ok: code-ideogram-no-backoff-js
    const res = await fetch(IDEOGRAM_URL, { method: "POST", headers: { "Api-Key": apiKey }, body });
    if (res.status !== 429) return res;
    attempt++;
    await new Promise((r) => setTimeout(r, 2 ** attempt * 1000));
  }
}

export async function okDownload(url: string) {
  // ok: code-ideogram-no-backoff-js
  return fetch(url);
}

export async function okOtherApi(prompt: string) {
  // ok: code-ideogram-no-backoff-js
  return fetch("https://api.openai.com/v1/images/generations", { method: "POST", body: prompt });
}

export async function okHelper(body: FormData) {
  // ok: code-ideogram-no-backoff-js
  return withRetry(() => fetch(IDEOGRAM_URL, { method: "POST", headers: { "Api-Key": apiKey }, body }));
}

// ---- issue 13: `await c.post<T>(...)` is a call like any other

interface GenerateResponse { data: { url: string; is_image_safe: boolean }[] }

export async function genericInstance(form: FormData) {
  // ruleid: code-ideogram-no-backoff-js
  const { data } = await ideogram.post<GenerateResponse>("/v1/ideogram-v3/generate", form);
  return data;
}

export async function okGenericRetried(form: FormData) {
  // ok: code-ideogram-no-backoff-js
  const { data } = await retried.post<GenerateResponse>("/v1/ideogram-v3/generate", form);
  return data;
}
