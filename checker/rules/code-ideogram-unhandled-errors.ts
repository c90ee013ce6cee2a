// Test cases for code-ideogram-unhandled-errors (TypeScript).
import axios from "axios";

const IDEOGRAM_URL = "https://api.ideogram.ai/v1/ideogram-v3/generate";
const BASE = "https://api.ideogram.ai";
const apiKey = process.env.IDEOGRAM_API_KEY ?? "";

export async function noCheck(body: FormData) {
  // ruleid: code-ideogram-unhandled-errors-js
  const res = await fetch(IDEOGRAM_URL, { method: "POST", headers: { "Api-Key": apiKey }, body });
  const data = await res.json();
  return data.data[0].url;
}

export async function collapsed(body: FormData) {
  // ruleid: code-ideogram-unhandled-errors-js
  const res = await fetch(`${BASE}/v1/ideogram-v3/generate`, { method: "POST", headers: { "Api-Key": apiKey }, body });
  if (!res.ok) throw new Error("failed");
  return res.json();
}

export async function only5xx(body: FormData) {
  // ruleid: code-ideogram-unhandled-errors-js
  const res = await fetch(IDEOGRAM_URL, { method: "POST", headers: { "Api-Key": apiKey }, body });
  if (res.status >= 500) throw new Error(`server error ${res.status}`);
  return res.json();
}

export async function swallowed(body: FormData) {
  try {
    // ruleid: code-ideogram-unhandled-errors-js
    return await fetch(IDEOGRAM_URL, { method: "POST", headers: { "Api-Key": apiKey }, body });
  } catch (e) {}
}

export function swallowedPromise(body: FormData) {
  // ruleid: code-ideogram-unhandled-errors-js
  return fetch(`${process.env.IDEOGRAM_API_URL}/generate`, { method: "POST", body }).catch(() => null);
}

export async function axiosGeneric(prompt: string) {
  try {
    // ruleid: code-ideogram-unhandled-errors-js
    const r = await axios.post(`${BASE}/generate`, { image_request: { prompt } }, { headers: { "Api-Key": apiKey } });
    return r.data;
  } catch (err) {
    console.error("ideogram failed", err);
    throw new Error("image generation failed");
  }
}

const ideogram = axios.create({ baseURL: "https://api.ideogram.ai", timeout: 60_000 });

export async function instanceNoCheck(form: FormData) {
  // ruleid: code-ideogram-unhandled-errors-js
  const r = await ideogram.post("/v1/ideogram-v3/generate", form);
  return r.data;
}

export async function headerOnly(url: string, body: FormData) {
  const headers = { "api-key": apiKey };
  // ruleid: code-ideogram-unhandled-errors-js
  const res = await fetch(url, { method: "POST", headers, body });
  if (!res.ok) throw new Error(await res.text());
  return res;
}

// ---- ok

export async function okBranches(body: FormData) {
  // ok: code-ideogram-unhandled-errors-js
  const res = await fetch(IDEOGRAM_URL, { method: "POST", headers: { "Api-Key": apiKey }, body });
  if (!res.ok) {
    if (res.status === 402) throw new OutOfCredits();
    if (res.status === 422) throw new PromptRejected();
    if (res.status === 429) throw new RateLimited(res.headers.get("Retry-After"));
    throw new Error(`ideogram ${res.status}`);
  }
  return res.json();
}

export async function okSwitch(body: FormData) {
  // ok: code-ideogram-unhandled-errors-js
  const res = await fetch(IDEOGRAM_URL, { method: "POST", headers: { "Api-Key": apiKey }, body });
  switch (res.status) {
    case 200:
      return res.json();
    case 429:
      throw new RateLimited();
    default:
      throw new Error(`ideogram ${res.status}`);
  }
}

export async function okIncludes(body: FormData) {
  // ok: code-ideogram-unhandled-errors-js
  const res = await fetch(IDEOGRAM_URL, { method: "POST", headers: { "Api-Key": apiKey }, body });
  if ([401, 403].includes(res.status)) throw new BadKey();
  return res;
}

export async function okAxiosCatch(form: FormData) {
  try {
    // ok: code-ideogram-unhandled-errors-js
    return (await ideogram.post("/v1/ideogram-v3/generate", form)).data;
  } catch (err) {
    if (axios.isAxiosError(err) && err.response?.status === 429) throw new RateLimited();
    throw err;
  }
}

export async function okHelper(body: FormData) {
  // ok: code-ideogram-unhandled-errors-js
  const res = await fetch(IDEOGRAM_URL, { method: "POST", headers: { "Api-Key": apiKey }, body });
  await raiseForIdeogramStatus(res);
  return res.json();
}

export async function okDownload(url: string) {
  // ok: code-ideogram-unhandled-errors-js
  const res = await fetch(url);
  return res.arrayBuffer();
}

export async function okOtherApi(prompt: string) {
  // ok: code-ideogram-unhandled-errors-js
  return fetch("https://api.openai.com/v1/images/generations", { method: "POST", body: prompt });
}

export type IdeogramImage = { url: string; is_image_safe: boolean };
export async function okTable(body: FormData) {
  // ok: code-ideogram-unhandled-errors-js
  const res = await fetch(IDEOGRAM_URL, { method: "POST", headers: { "Api-Key": apiKey }, body });
  const error = ERRORS[res.status];
  if (error) throw error;
  return res;
}

// ---- issue 13: `await c.post<T>(...)` is a call like any other

interface GenerateResponse { data: { url: string; is_image_safe: boolean }[] }

export async function genericInstance(form: FormData) {
  // ruleid: code-ideogram-unhandled-errors-js
  const r = await ideogram.post<GenerateResponse>("/v1/ideogram-v3/generate", form);
  return r.data;
}

export async function okGenericCatch(form: FormData) {
  try {
    // ok: code-ideogram-unhandled-errors-js
    const r = await ideogram.post<GenerateResponse>("/v1/ideogram-v3/generate", form);
    return r.data;
  } catch (err) {
    if (axios.isAxiosError(err) && err.response?.status === 422) throw new PromptRejected();
    throw err;
  }
}
