// Cases for code-ideogram-url-not-persisted (TypeScript).
import axios from "axios";
import { put } from "@vercel/blob";
import { kv } from "@vercel/kv";
import { NextResponse } from "next/server";
import { db } from "./db";
import { images } from "./schema";
import { prisma } from "./prisma";
import { supabase } from "./supabase";

const IDEOGRAM_URL = "https://api.ideogram.ai/v1/ideogram-v3/generate";
const ideogram = axios.create({ baseURL: "https://api.ideogram.ai", headers: { "Api-Key": process.env.IDEOGRAM_API_KEY! } });

async function callIdeogram(prompt: string): Promise<any> {
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
  // ruleid: code-ideogram-url-not-persisted-js
  return NextResponse.json({ url: data.data[0].url });
}

export async function savePrisma(prompt: string, userId: string) {
  const data = await callIdeogram(prompt);
  const imageUrl = data.data[0].url;
  // ruleid: code-ideogram-url-not-persisted-js
  await prisma.image.create({ data: { prompt, userId, url: imageUrl } });
}

export async function saveDrizzle(prompt: string) {
  const r = await ideogram.post("/generate", { image_request: { prompt } });
  // ruleid: code-ideogram-url-not-persisted-js
  await db.insert(images).values({ prompt, url: r.data.data[0].url });
}

export async function saveSupabase(prompt: string) {
  const data = await callIdeogram(prompt);
  const urls = data.data.map((d: any) => d.url);
  // ruleid: code-ideogram-url-not-persisted-js
  await supabase.from("images").insert(urls.map((url: string) => ({ prompt, url })));
}

export async function cacheKv(id: string, prompt: string) {
  const data = await callIdeogram(prompt);
  const { url } = data.data[0];
  // ruleid: code-ideogram-url-not-persisted-js
  await kv.set(`img:${id}`, url);
}

export async function expressHandler(req: any, res: any) {
  const data = await callIdeogram(req.body.prompt);
  // ruleid: code-ideogram-url-not-persisted-js
  res.status(200).json({ images: data.data.map((d: any) => d.url) });
}

export async function loopMongo(collection: any, prompt: string) {
  const data = await callIdeogram(prompt);
  for (const img of data.data) {
    // ruleid: code-ideogram-url-not-persisted-js
    await collection.insertOne({ prompt, url: img.url, seed: img.seed });
  }
}

export async function browserStorage(prompt: string) {
  const data = await callIdeogram(prompt);
  // ruleid: code-ideogram-url-not-persisted-js
  localStorage.setItem("lastImage", data.data[0].url);
}

export async function okBlob(prompt: string, id: string) {
  const data = await callIdeogram(prompt);
  const imageUrl = data.data[0].url;
  const bytes = await (await fetch(imageUrl)).arrayBuffer();
  const blob = await put(`images/${id}.png`, bytes, { access: "public", contentType: "image/png" });
  // ok: code-ideogram-url-not-persisted-js
  await prisma.image.create({ data: { prompt, url: blob.url } });
  // ok: code-ideogram-url-not-persisted-js
  return NextResponse.json({ url: blob.url, source: imageUrl });
}

export async function okHelper(prompt: string) {
  const data = await callIdeogram(prompt);
  const stored = await uploadToS3(data.data[0].url);
  // ok: code-ideogram-url-not-persisted-js
  return Response.json({ url: stored });
}

export async function okMetadata(prompt: string) {
  const data = await callIdeogram(prompt);
  // ok: code-ideogram-url-not-persisted-js
  await prisma.generation.create({ data: { prompt, seed: data.data[0].seed, created: data.created } });
}

export async function okLogged(prompt: string) {
  const data = await callIdeogram(prompt);
  // ok: code-ideogram-url-not-persisted-js
  console.log("generated", data.data[0].url);
}

export async function okAxiosDownload(prompt: string) {
  const data = await callIdeogram(prompt);
  const { url } = data.data[0];
  const file = await axios.get(url, { responseType: "arraybuffer" });
  const key = await saveImageToBucket(file.data);
  // ok: code-ideogram-url-not-persisted-js
  await kv.set("latest", key);
}

export async function okMapSet(prompt: string) {
  const data = await callIdeogram(prompt);
  const seen = new Map<string, string>();
  // ok: code-ideogram-url-not-persisted-js
  seen.set(prompt, data.data[0].url);
}

export async function okStatus(prompt: string) {
  const data = await callIdeogram(prompt);
  // ok: code-ideogram-url-not-persisted-js
  return NextResponse.json({ ok: true, count: data.data.length });
}

export async function okDownloadLoop(prompt: string) {
  const data = await callIdeogram(prompt);
  const keys: string[] = [];
  for (const img of data.data) {
    const buf = Buffer.from(await (await fetch(img.url)).arrayBuffer());
    keys.push(await persistBuffer(buf));
  }
  // ok: code-ideogram-url-not-persisted-js
  await prisma.image.createMany({ data: keys.map((k) => ({ key: k })) });
}

// ---- issue 13: handed out by an exported function, kept on the instance

export async function generateImageUrl(prompt: string): Promise<string> {
  const data = await callIdeogram(prompt);
  // handed out by an exported function: the repository-level pass drops it when every caller persists it
  // ruleid: code-ideogram-url-not-persisted-js
  return data.data[0].url;
}

export async function generateUrls(prompt: string): Promise<string[]> {
  const data = await callIdeogram(prompt);
  // handed out by an exported function: the repository-level pass drops it when every caller persists it
  // ruleid: code-ideogram-url-not-persisted-js
  return data.data.map((d: any) => d.url);
}

export class Generation {
  imageUrl = "";
  async run(prompt: string) {
    const data = await callIdeogram(prompt);
    // ruleid: code-ideogram-url-not-persisted-js
    this.imageUrl = data.data[0].url;
  }
}

async function firstUrl(prompt: string): Promise<string> {
  const data = await callIdeogram(prompt);
  // a module-private helper: its caller here decides
  // ok: code-ideogram-url-not-persisted-js
  return data.data[0].url;
}

export async function generateAndStore(prompt: string): Promise<string> {
  const url = await firstUrl(prompt);
  const blob = await put(`ideogram/${Date.now()}.png`, await (await fetch(url)).blob(), { access: "public" });
  // ok: code-ideogram-url-not-persisted-js
  return blob.url;
}

export async function saveDownloadedGeneric(prompt: string) {
  const data = await callIdeogram(prompt);
  const url = data.data[0].url;
  const img = await ideogram.get<ArrayBuffer>(url, { responseType: "arraybuffer" });
  const blob = await put(`ideogram/${Date.now()}.png`, Buffer.from(img.data), { access: "public" });
  // ok: code-ideogram-url-not-persisted-js
  await prisma.image.create({ data: { prompt, url: blob.url } });
}

// ---- issue 13: exported functions and public methods hand the link out; same-file helpers that fetch it keep it

export async function* streamUrls(prompts: string[]) {
  for (const prompt of prompts) {
    const data = await callIdeogram(prompt);
    // ruleid: code-ideogram-url-not-persisted-js
    yield data.data[0].url;
  }
}

export const generateCover = async (prompt: string) => {
  const data = await callIdeogram(prompt);
  const { url } = data.data[0];
  // ruleid: code-ideogram-url-not-persisted-js
  return { url, prompt };
};

export class IdeogramService {
  async generate(prompt: string): Promise<string[]> {
    const res = await ideogram.post<{ data: { url: string }[] }>("/v1/ideogram-v3/generate", { image_request: { prompt } });
    // ruleid: code-ideogram-url-not-persisted-js
    return res.data.data.map((img) => img.url);
  }

  private async first(prompt: string): Promise<string> {
    const data = await callIdeogram(prompt);
    // ok: code-ideogram-url-not-persisted-js
    return data.data[0].url;
  }
}

async function keepCopy(link: string): Promise<string> {
  const bytes = await (await fetch(link)).arrayBuffer();
  const blob = await put(`ideogram/${crypto.randomUUID()}.png`, bytes, { access: "public" });
  return blob.url;
}

export async function generateKept(prompt: string): Promise<string> {
  const data = await callIdeogram(prompt);
  const stored = await keepCopy(data.data[0].url);
  // ok: code-ideogram-url-not-persisted-js
  return stored;
}

export async function generateWithSource(prompt: string) {
  const data = await callIdeogram(prompt);
  const url = data.data[0].url;
  await mirrorLater(url);
  // the bytes were kept by mirrorLater (defined below): the source link may travel with them
  // ok: code-ideogram-url-not-persisted-js
  return { source: url };
}

async function mirrorLater(link: string) {
  const res = await fetch(link);
  await kv.set(`img:${link}`, Buffer.from(await res.arrayBuffer()).toString("base64"));
}

export async function generateMany(prompts: string[]) {
  const links = await Promise.all(
    prompts.map(async (p) => {
      const data = await callIdeogram(p);
      // a callback: its value comes back to this function, which keeps the bytes
      // ok: code-ideogram-url-not-persisted-js
      return data.data[0].url;
    }),
  );
  return Promise.all(links.map((l) => uploadToS3(l)));
}

export async function generateSeed(prompt: string): Promise<number> {
  const data = await callIdeogram(prompt);
  // ok: code-ideogram-url-not-persisted-js
  return data.data[0].seed;
}
