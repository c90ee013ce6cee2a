// Cases for code-ideogram-key-client-exposed: a Vite SPA module (no 'use client'; it touches the DOM, so it runs in the browser).
import axios from "axios";

const API = "https://api.ideogram.ai/v1/ideogram-v3/generate";
const form = document.querySelector<HTMLFormElement>("#generate")!;
const out = document.getElementById("result") as HTMLImageElement;

function savedKey(): string {
  return window.localStorage.getItem("ideogram-key") ?? "";
}

export async function generate(prompt: string): Promise<string> {
  const body = new FormData();
  body.append("prompt", prompt);
  // ruleid: code-ideogram-key-client-exposed-js
  const res = await fetch(API, {
    method: "POST",
    // ruleid: code-ideogram-key-client-exposed-js
    headers: { "Api-Key": savedKey() },
    body,
  });
  const data = await res.json();
  return data.data[0].url;
}

// ruleid: code-ideogram-key-client-exposed-js
const ideogram = axios.create({ baseURL: "https://api.ideogram.ai", timeout: 60_000 });

export async function remix(image: Blob, prompt: string, apiKey: string) {
  const body = new FormData();
  body.append("image", image);
  body.append("prompt", prompt);
  const headers = new Headers();
  // ruleid: code-ideogram-key-client-exposed-js
  headers.set("Api-Key", apiKey);
  return ideogram.post("/v1/ideogram-v3/remix", body, { headers: Object.fromEntries(headers) });
}

export function upscale(image: Blob) {
  const body = new FormData();
  body.append("image_file", image);
  // ruleid: code-ideogram-key-client-exposed-js
  return axios.post("https://api.ideogram.ai/upscale", body, { headers: { "api-key": import.meta.env.IDEOGRAM_API_KEY } });
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  out.src = await generate(new FormData(form).get("prompt") as string);
});

export async function viaBackend(prompt: string): Promise<string> {
  // ok: code-ideogram-key-client-exposed-js
  const res = await fetch("/api/ideogram/generate", { method: "POST", body: JSON.stringify({ prompt }) });
  return (await res.json()).url;
}

export async function describe(image: Blob) {
  const body = new FormData();
  body.append("image_file", image);
  // ok: code-ideogram-key-client-exposed-js
  return fetch(`${window.location.origin}/api/describe`, { method: "POST", body, headers: { "X-Requested-With": "fetch" } });
}

// A typed getServerSideProps in a page module runs on the server.
export const getServerSideProps: (ctx: unknown) => Promise<unknown> = async () => {
  // ok: code-ideogram-key-client-exposed-js
  const r = await fetch("https://api.ideogram.ai/v1/ideogram-v3/generate", { method: "POST", body: "{}" });
  return { props: { created: (await r.json()).created } };
};
