// Test cases for code-ideogram-no-timeout (TypeScript).
import axios from "axios";

const IDEOGRAM_URL = "https://api.ideogram.ai/v1/ideogram-v3/generate";
const BASE = "https://api.ideogram.ai";
const apiKey = process.env.IDEOGRAM_API_KEY ?? "";

export async function generateConst(prompt: string) {
  const form = new FormData();
  form.append("prompt", prompt);
  // ruleid: code-ideogram-no-timeout-js
  const res = await fetch(IDEOGRAM_URL, { method: "POST", headers: { "Api-Key": apiKey }, body: form });
  return res.json();
}

export async function generateTemplate(prompt: string) {
  // ruleid: code-ideogram-no-timeout-js
  const res = await fetch(`${BASE}/generate`, { method: "POST", body: JSON.stringify({ image_request: { prompt } }) });
  return res.json();
}

export async function generateEnvHost(prompt: string) {
  // ruleid: code-ideogram-no-timeout-js
  return fetch(`${process.env.IDEOGRAM_BASE_URL}/v1/ideogram-v3/generate`, { method: "POST", body: prompt });
}

export async function generateHeaderOnly(url: string, body: FormData) {
  const options = { method: "POST", headers: { "API-KEY": apiKey }, body };
  // ruleid: code-ideogram-no-timeout-js
  return fetch(url, options);
}

export async function pollGeneration(id: string) {
  // ruleid: code-ideogram-no-timeout-js
  return fetch(`${BASE}/v2/generations/${id}`);
}

export async function generateAxios(prompt: string) {
  // ruleid: code-ideogram-no-timeout-js
  return axios.post(`${BASE}/generate`, { image_request: { prompt } }, { headers: { "Api-Key": apiKey } });
}

const ideogram = axios.create({ baseURL: "https://api.ideogram.ai", headers: { "Api-Key": apiKey } });

export async function generateInstance(form: FormData) {
  // ruleid: code-ideogram-no-timeout-js
  return ideogram.post("/v1/ideogram-v3/generate", form);
}

export class IdeogramClient {
  private http = axios.create({ baseURL: BASE });
  async generate(form: FormData) {
    // ruleid: code-ideogram-no-timeout-js
    return this.http.post("/v1/ideogram-v3/generate", form, { headers: { "Api-Key": apiKey } });
  }
}

// ---- ok

export async function okSignal(prompt: string) {
  // ok: code-ideogram-no-timeout-js
  return fetch(IDEOGRAM_URL, { method: "POST", headers: { "Api-Key": apiKey }, body: prompt, signal: AbortSignal.timeout(120_000) });
}

export async function okAbortController(prompt: string) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 120_000);
  try {
    // ok: code-ideogram-no-timeout-js
    return await fetch(IDEOGRAM_URL, { method: "POST", body: prompt, signal: controller.signal });
  } finally {
    clearTimeout(timer);
  }
}

export async function okOptionsVar(body: FormData) {
  const init = { method: "POST", headers: { "Api-Key": apiKey }, body, signal: AbortSignal.timeout(90_000) };
  // ok: code-ideogram-no-timeout-js
  return fetch(IDEOGRAM_URL, init);
}

export async function okAxiosConfig(prompt: string) {
  // ok: code-ideogram-no-timeout-js
  return axios.post(IDEOGRAM_URL, { prompt }, { headers: { "Api-Key": apiKey }, timeout: 120_000 });
}

const timed = axios.create({ baseURL: BASE, timeout: 120_000, headers: { "Api-Key": apiKey } });

export async function okInstanceTimeout(form: FormData) {
  // ok: code-ideogram-no-timeout-js
  return timed.post("/v1/ideogram-v3/generate", form);
}

const later = axios.create({ baseURL: BASE });
later.defaults.timeout = 120_000;

export async function okDefaultsTimeout(form: FormData) {
  // ok: code-ideogram-no-timeout-js
  return later.post("/v1/ideogram-v3/generate", form);
}

export async function okDownload(prompt: string) {
  const res = await fetch(IDEOGRAM_URL, { method: "POST", body: prompt, signal: AbortSignal.timeout(60_000) });
  const data = await res.json();
  // ok: code-ideogram-no-timeout-js
  return fetch(data.data[0].url);
}

export async function okOtherApi(prompt: string) {
  // ok: code-ideogram-no-timeout-js
  return fetch("https://api.openai.com/v1/images/generations", { method: "POST", body: prompt });
}

export async function okInitParam(init: RequestInit) {
  // options we cannot see into are not judged
  // ok: code-ideogram-no-timeout-js
  return fetch(IDEOGRAM_URL, init);
}

export class OkClient {
  private http = axios.create({ baseURL: BASE, timeout: 60_000 });
  async generate(form: FormData) {
    // ok: code-ideogram-no-timeout-js
    return this.http.post("/v1/ideogram-v3/generate", form);
  }
}

// ---- issue 13: a caller's signal is not a timeout; generic calls are calls

export async function callerSignal(prompt: string, signal?: AbortSignal) {
  // ruleid: code-ideogram-no-timeout-js
  const res = await fetch(IDEOGRAM_URL, { method: "POST", headers: { "Api-Key": apiKey }, body: prompt, signal });
  return res.json();
}

export async function requestSignal(req: Request, prompt: string) {
  // the browser's request signal fires only when the client goes away
  // ruleid: code-ideogram-no-timeout-js
  return fetch(IDEOGRAM_URL, { method: "POST", headers: { "Api-Key": apiKey }, body: prompt, signal: req.signal });
}

export async function unarmedController(prompt: string) {
  const controller = new AbortController();
  // ruleid: code-ideogram-no-timeout-js
  return fetch(IDEOGRAM_URL, { method: "POST", body: prompt, signal: controller.signal });
}

interface GenerateResponse { data: { url: string; is_image_safe: boolean }[] }

export async function genericInstance(form: FormData) {
  // ruleid: code-ideogram-no-timeout-js
  const { data } = await ideogram.post<GenerateResponse>("/v1/ideogram-v3/generate", form);
  return data;
}

export class GenericClient {
  private http = axios.create({ baseURL: BASE, headers: { "Api-Key": apiKey } });
  async generate(form: FormData) {
    // ruleid: code-ideogram-no-timeout-js
    const res = await this.http.post<GenerateResponse>("/v1/ideogram-v3/generate", form);
    return res.data;
  }
}

export async function okAnySignal(prompt: string, signal: AbortSignal) {
  // ok: code-ideogram-no-timeout-js
  return fetch(IDEOGRAM_URL, { method: "POST", body: prompt, signal: AbortSignal.any([signal, AbortSignal.timeout(90_000)]) });
}

export async function okNamedTimeoutSignal(prompt: string, signal: AbortSignal) {
  const combined = AbortSignal.any([signal, AbortSignal.timeout(90_000)]);
  // ok: code-ideogram-no-timeout-js
  return fetch(IDEOGRAM_URL, { method: "POST", body: prompt, signal: combined });
}

export async function okGenericTimeout(form: FormData) {
  // ok: code-ideogram-no-timeout-js
  const { data } = await ideogram.post<GenerateResponse>("/v1/ideogram-v3/generate", form, { timeout: 90_000 });
  return data;
}
