// Test cases for code-ideogram-wrong-auth-header (TypeScript).
import axios from "axios";

const IDEOGRAM_URL = "https://api.ideogram.ai/v1/ideogram-v3/generate";
const BASE = "https://api.ideogram.ai";
const token = process.env.TOKEN ?? "";

export async function bearerLiteral(body: FormData) {
  // ruleid: code-ideogram-wrong-auth-header-js
  return fetch(IDEOGRAM_URL, { method: "POST", headers: { Authorization: `Bearer ${token}` }, body, signal: AbortSignal.timeout(60_000) });
}

export async function bearerQuotedKey(prompt: string) {
  // ruleid: code-ideogram-wrong-auth-header-js
  return fetch(`${BASE}/generate`, { method: "POST", headers: { "authorization": "Bearer " + token }, body: prompt });
}

export async function bearerEnvHost(body: FormData) {
  const headers = { Authorization: `Bearer ${token}`, Accept: "application/json" };
  // ruleid: code-ideogram-wrong-auth-header-js
  return fetch(`${process.env.IDEOGRAM_API_URL}/v1/ideogram-v3/generate`, { method: "POST", headers, body });
}

export async function bearerIdeogramKey(url: string, body: string) {
  // the Ideogram key sent as a bearer token, whatever the URL
  // ruleid: code-ideogram-wrong-auth-header-js
  return fetch(url, { method: "POST", headers: { Authorization: `Bearer ${process.env.IDEOGRAM_API_KEY}` }, body });
}

export async function bearerAxios(prompt: string) {
  // ruleid: code-ideogram-wrong-auth-header-js
  return axios.post(IDEOGRAM_URL, { prompt }, { headers: { Authorization: `Bearer ${token}` }, timeout: 60_000 });
}

const bearerInstance = axios.create({ baseURL: BASE, headers: { Authorization: `Bearer ${token}` }, timeout: 60_000 });

export async function bearerInstanceCall(form: FormData) {
  // ruleid: code-ideogram-wrong-auth-header-js
  return bearerInstance.post("/v1/ideogram-v3/generate", form);
}

export async function bearerHeadersObject(body: FormData) {
  const headers = new Headers();
  headers.set("Authorization", `Bearer ${token}`);
  // ruleid: code-ideogram-wrong-auth-header-js
  return fetch(IDEOGRAM_URL, { method: "POST", headers, body });
}

export class Client {
  private baseUrl = "https://api.ideogram.ai";
  async generate(body: FormData) {
    // ruleid: code-ideogram-wrong-auth-header-js
    return fetch(`${this.baseUrl}/v1/ideogram-v3/generate`, { method: "POST", headers: { Authorization: `Bearer ${token}` }, body });
  }
}

// ---- ok

export async function okApiKey(body: FormData) {
  // ok: code-ideogram-wrong-auth-header-js
  return fetch(IDEOGRAM_URL, { method: "POST", headers: { "Api-Key": process.env.IDEOGRAM_API_KEY ?? "" }, body });
}

export async function okApiKeyLower(body: FormData) {
  const headers = { "api-key": process.env.IDEOGRAM_API_KEY ?? "" };
  // ok: code-ideogram-wrong-auth-header-js
  return fetch(`${BASE}/generate`, { method: "POST", headers, body });
}

export async function okOpenAi(prompt: string) {
  // ok: code-ideogram-wrong-auth-header-js
  return fetch("https://api.openai.com/v1/images/generations", { method: "POST", headers: { Authorization: `Bearer ${process.env.OPENAI_API_KEY}` }, body: prompt });
}

export async function okUpload(body: FormData) {
  const res = await fetch(IDEOGRAM_URL, { method: "POST", headers: { "Api-Key": process.env.IDEOGRAM_API_KEY ?? "" }, body });
  const data = await res.json();
  // ok: code-ideogram-wrong-auth-header-js
  return fetch("https://storage.example.com/upload", { method: "PUT", headers: { Authorization: `Bearer ${token}` }, body: data.data[0].url });
}

const ideogram = axios.create({ baseURL: BASE, headers: { "Api-Key": process.env.IDEOGRAM_API_KEY ?? "" } });
const storage = axios.create({ baseURL: "https://storage.example.com", headers: { Authorization: `Bearer ${token}` } });

export async function okTwoInstances(form: FormData) {
  // ok: code-ideogram-wrong-auth-header-js
  const r = await ideogram.post("/v1/ideogram-v3/generate", form);
  // ok: code-ideogram-wrong-auth-header-js
  return storage.put("/images", r.data);
}

export async function okBasic(body: string) {
  // ok: code-ideogram-wrong-auth-header-js
  return fetch("https://internal.example.com/hook", { method: "POST", headers: { Authorization: "Basic abc" }, body });
}

export function okInbound(req: Request) {
  // ok: code-ideogram-wrong-auth-header-js
  return req.headers.get("authorization");
}
