"use client";
// Cases for code-ideogram-key-client-exposed: a Next.js client component.
import axios from "axios";
import { useState } from "react";

const IDEOGRAM_URL = "https://api.ideogram.ai/v1/ideogram-v3/generate";

const IDEOGRAM_BASE = "https://api.ideogram.ai";

// ruleid: code-ideogram-key-client-exposed-js
const ideogram = axios.create({ baseURL: "https://api.ideogram.ai/v1", timeout: 60_000 });

export async function remix(form: FormData) {
  // Template literals built from a constant are not resolved.
  // todoruleid: code-ideogram-key-client-exposed-js
  return fetch(`${IDEOGRAM_BASE}/remix`, { method: "POST", body: form });
}

export default function Generator() {
  const [url, setUrl] = useState<string | null>(null);

  async function generate(prompt: string) {
    const form = new FormData();
    form.append("prompt", prompt);
    // ruleid: code-ideogram-key-client-exposed-js
    const res = await fetch(IDEOGRAM_URL, {
      method: "POST",
      // ruleid: code-ideogram-key-client-exposed-js
      headers: { "Api-Key": process.env.IDEOGRAM_API_KEY ?? "" },
      body: form,
    });
    const data = await res.json();
    setUrl(data.data[0].url);
  }

  async function viaOwnRoute(prompt: string) {
    // ok: code-ideogram-key-client-exposed-js
    const res = await fetch("/api/generate", { method: "POST", body: JSON.stringify({ prompt }) });
    return res.json();
  }

  // ok: code-ideogram-key-client-exposed-js
  return <button onClick={() => generate("a cat")}>{url ?? "Generate"}</button>;
}
