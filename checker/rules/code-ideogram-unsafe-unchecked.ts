// Cases for code-ideogram-unsafe-unchecked (TypeScript).
import axios from "axios";
import { NextResponse } from "next/server";

const IDEOGRAM_URL = "https://api.ideogram.ai/v1/ideogram-v3/generate";
const ideogram = axios.create({ baseURL: "https://api.ideogram.ai", headers: { "Api-Key": process.env.IDEOGRAM_API_KEY! } });

interface IdeogramImage {
  url?: string | null;
  is_image_safe: boolean;
  seed: number;
}

interface IdeogramResponse {
  created: string;
  data: IdeogramImage[];
}

async function callIdeogram(prompt: string): Promise<IdeogramResponse> {
  const res = await fetch(IDEOGRAM_URL, {
    method: "POST",
    headers: { "Api-Key": process.env.IDEOGRAM_API_KEY!, "Content-Type": "application/json" },
    body: JSON.stringify({ prompt }),
  });
  return res.json();
}

export async function POST(req: Request) {
  const { prompt } = await req.json();
  const data = await callIdeogram(prompt);
  // The interface declares is_image_safe; that is not a check.
  // ruleid: code-ideogram-unsafe-unchecked-js
  return NextResponse.json({ url: data.data[0].url });
}

export async function viaAxios(prompt: string): Promise<string> {
  const r = await ideogram.post<IdeogramResponse>("/generate", { image_request: { prompt } });
  // ruleid: code-ideogram-unsafe-unchecked-js
  return r.data.data[0].url!;
}

export async function allUrls(prompt: string) {
  const data = await callIdeogram(prompt);
  // ruleid: code-ideogram-unsafe-unchecked-js
  return data.data.map((img) => img.url);
}

export async function destructure(prompt: string) {
  const data = await callIdeogram(prompt);
  const { url, seed } = data.data[0];
  // ruleid: code-ideogram-unsafe-unchecked-js
  return { src: url, seed };
}

export async function loop(prompt: string, out: string[]) {
  const data = await callIdeogram(prompt);
  for (const img of data.data) {
    // ruleid: code-ideogram-unsafe-unchecked-js
    out.push(img.url ?? "");
  }
}

export async function optionalChain(prompt: string) {
  const data = await callIdeogram(prompt);
  // ruleid: code-ideogram-unsafe-unchecked-js
  const src = data.data?.[0]?.url;
  return src;
}

export async function passThrough(prompt: string) {
  const data = await callIdeogram(prompt);
  const first = data.data[0];
  // Forwarding the flag is not checking it.
  // ruleid: code-ideogram-unsafe-unchecked-js
  return { url: first.url, safe: first.is_image_safe };
}

export const handler = async (prompt: string) => {
  const json = await (await fetch(IDEOGRAM_URL, { method: "POST", body: prompt })).json();
  // ruleid: code-ideogram-unsafe-unchecked-js
  return json["data"][0]["url"];
};

// Below, every block checks is_image_safe.

export async function okIf(prompt: string) {
  const data = await callIdeogram(prompt);
  const image = data.data[0];
  if (!image.is_image_safe) {
    throw new Error("Ideogram blocked the image");
  }
  // ok: code-ideogram-unsafe-unchecked-js
  return image.url;
}

export async function okFilter(prompt: string) {
  const data = await callIdeogram(prompt);
  const safe = data.data.filter((d) => d.is_image_safe);
  // ok: code-ideogram-unsafe-unchecked-js
  return safe.length ? data.data.map((d) => d.url) : [];
}

export async function okTernary(prompt: string) {
  const data = await callIdeogram(prompt);
  // ok: code-ideogram-unsafe-unchecked-js
  return data.data[0].is_image_safe ? data.data[0].url : "/blocked.png";
}

export async function okDestructured(prompt: string) {
  const data = await callIdeogram(prompt);
  // ok: code-ideogram-unsafe-unchecked-js
  const { url, is_image_safe } = data.data[0];
  if (!is_image_safe || !url) return null;
  return url;
}

export async function okVariable(prompt: string) {
  const data = await callIdeogram(prompt);
  const isSafe = data.data[0].is_image_safe;
  if (!isSafe) return null;
  // ok: code-ideogram-unsafe-unchecked-js
  return data.data[0].url;
}

export async function okEvery(prompt: string) {
  const data = await callIdeogram(prompt);
  if (
    !data.data.every((d) => d.is_image_safe)
  ) {
    return [];
  }
  // ok: code-ideogram-unsafe-unchecked-js
  return data.data.map((d) => d.url);
}

export async function okLoop(prompt: string, out: string[]) {
  for (const img of (await callIdeogram(prompt)).data) {
    if (img.is_image_safe === false) continue;
    // ok: code-ideogram-unsafe-unchecked-js
    out.push(img.url!);
  }
}

export async function okShortCircuit(prompt: string) {
  const data = await callIdeogram(prompt);
  const img = data.data[0];
  // ok: code-ideogram-unsafe-unchecked-js
  return img.is_image_safe && img.url;
}

export async function okNotUrl(prompt: string) {
  const data = await callIdeogram(prompt);
  // ok: code-ideogram-unsafe-unchecked-js
  return data.data[0].seed;
}

// ---- issue 13: the image list bound to a variable, entries(), a guarded first pick

export async function boundList(prompt: string) {
  const body = await callIdeogram(prompt);
  const images = body.data;
  // ruleid: code-ideogram-unsafe-unchecked-js
  return images.map((image) => image.url);
}

export async function destructuredList(prompt: string) {
  const { data: images } = await callIdeogram(prompt);
  // ruleid: code-ideogram-unsafe-unchecked-js
  return images[0].url;
}

export async function entries(prompt: string, out: Map<number, string>) {
  const body = await callIdeogram(prompt);
  for (const [i, image] of body.data.entries()) {
    // ruleid: code-ideogram-unsafe-unchecked-js
    out.set(i, image.url ?? "");
  }
}

export async function guardedFirst(prompt: string) {
  const body = await callIdeogram(prompt);
  const first = body.data.length > 0 ? body.data[0] : null;
  // ruleid: code-ideogram-unsafe-unchecked-js
  return first?.url ?? null;
}

export async function okBoundListFiltered(prompt: string) {
  const body = await callIdeogram(prompt);
  const images = body.data.filter((image) => image.is_image_safe);
  // ok: code-ideogram-unsafe-unchecked-js
  return images.map((image) => image.url);
}

export async function okDestructuredChecked(prompt: string) {
  const { data: images } = await callIdeogram(prompt);
  if (!images[0]?.is_image_safe) {
    throw new Error("Ideogram blocked the image");
  }
  // ok: code-ideogram-unsafe-unchecked-js
  return images[0].url;
}

export async function okEntriesChecked(prompt: string, out: Map<number, string>) {
  const body = await callIdeogram(prompt);
  for (const [i, image] of body.data.entries()) {
    if (!image.is_image_safe) continue;
    // ok: code-ideogram-unsafe-unchecked-js
    out.set(i, image.url!);
  }
}

export async function okGuardedFirst(prompt: string) {
  const body = await callIdeogram(prompt);
  const first = body.data.length > 0 && body.data[0].is_image_safe ? body.data[0] : null;
  // ok: code-ideogram-unsafe-unchecked-js
  return first?.url ?? null;
}
