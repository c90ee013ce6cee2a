// Rule test for code-no-degradation-js: Ideogram calls in route handlers with and without a fallback.
import axios from "axios";
import express, { NextFunction, Request, Response } from "express";
import { NextResponse } from "next/server";
import { generateImage } from "@/lib/ideogram";

const app = express();
const IDEOGRAM_URL = "https://api.ideogram.ai/v1/ideogram-v3/generate";
const IDEOGRAM_API_BASE = process.env.IDEOGRAM_API_BASE ?? "https://api.ideogram.ai";
const apiKey = process.env.IDEOGRAM_API_KEY!;
const PLACEHOLDER = "/static/placeholder.png";
const ideogramHttp = axios.create({ baseURL: "https://api.ideogram.ai", timeout: 60_000 });

app.post("/generate", async (req, res) => {
  // ruleid: code-no-degradation-js
  const r = await fetch(IDEOGRAM_URL, { method: "POST", headers: { "Api-Key": apiKey }, body: JSON.stringify(req.body) });
  res.json(await r.json());
});

app.post("/generate/axios", async (req: Request, res: Response) => {
  // ruleid: code-no-degradation-js
  const { data } = await ideogramHttp.post("/v1/ideogram-v3/generate", req.body);
  res.json(data);
});

app.post("/generate/template", async (req, res) => {
  // ruleid: code-no-degradation-js
  const r = await fetch(`${IDEOGRAM_API_BASE}/v1/ideogram-v4/generate`, { method: "POST", body: JSON.stringify(req.body) });
  res.json(await r.json());
});

app.post("/generate/wrapped", async (req, res) => {
  // ruleid: code-no-degradation-js
  res.json(await ideogram.generate(req.body.prompt));
});

app.post("/generate/rethrow", async (req, res) => {
  try {
    // ruleid: code-no-degradation-js
    res.json(await callIdeogram(req.body.prompt));
  } catch (err) {
    throw err;
  }
});

app.post("/generate/next", async (req: Request, res: Response, next: NextFunction) => {
  try {
    // ruleid: code-no-degradation-js
    res.json(await ideogramClient.generate(req.body.prompt));
  } catch (err) {
    next(err);
  }
});

app.post("/generate/500", async (req, res) => {
  try {
    // ruleid: code-no-degradation-js
    const { data } = await axios.post(IDEOGRAM_URL, req.body, { headers: { "API-KEY": apiKey } });
    res.json(data);
  } catch (err) {
    res.status(500).json({ error: "generation failed" });
  }
});

export async function POST(request: Request) {
  const body = await request.json();
  // ruleid: code-no-degradation-js
  const r = await fetch(IDEOGRAM_URL, { method: "POST", headers: { "api-key": apiKey }, body: JSON.stringify(body) });
  return NextResponse.json(await r.json());
}

export default async function handler(req: any, res: any) {
  // ruleid: code-no-degradation-js
  const { data } = await axios.post(process.env.IDEOGRAM_API_URL!, req.body);
  res.status(200).json(data);
}

app.post("/generate/fallback", async (req, res) => {
  try {
    // ok: code-no-degradation-js
    const { data } = await ideogramHttp.post("/v1/ideogram-v3/generate", req.body);
    res.json(data);
  } catch (err) {
    res.json({ url: PLACEHOLDER, degraded: true });
  }
});

app.post("/generate/503", async (req, res) => {
  try {
    // ok: code-no-degradation-js
    res.json(await ideogram.generate(req.body.prompt));
  } catch {
    res.set("Retry-After", "30").status(503).json({ error: "image service busy" });
  }
});

app.post("/generate/status", async (req, res) => {
  // ok: code-no-degradation-js
  const r = await fetch(IDEOGRAM_URL, { method: "POST", body: JSON.stringify(req.body) });
  if (!r.ok) {
    res.status(503).set("Retry-After", "30").json({ url: PLACEHOLDER });
    return;
  }
  res.json(await r.json());
});

app.post("/generate/promise-catch", async (req, res) => {
  // ok: code-no-degradation-js
  const data = await callIdeogram(req.body.prompt).catch(() => ({ url: PLACEHOLDER }));
  res.json(data);
});

export async function PUT(request: Request) {
  try {
    // ok: code-no-degradation-js
    const r = await fetch(IDEOGRAM_URL, { method: "POST", body: await request.text() });
    return NextResponse.json(await r.json());
  } catch {
    return NextResponse.json({ status: "queued" }, { status: 503, headers: { "Retry-After": "30" } });
  }
}

export async function PATCH(request: Request) {
  // ok: code-no-degradation-js
  const r = await fetch(IDEOGRAM_URL, { method: "POST", body: await request.text() });
  if (!r.ok) return NextResponse.json({ url: PLACEHOLDER }, { status: 503 });
  return NextResponse.json(await r.json());
}

app.post("/generate/queue", async (req, res) => {
  // ok: code-no-degradation-js
  const job = await ideogramQueue.add("generate", req.body);
  res.status(202).json({ jobId: job.id });
});

export async function generateInWorker(prompt: string) {
  // ok: code-no-degradation-js
  const r = await fetch(IDEOGRAM_URL, { method: "POST", body: JSON.stringify({ prompt }) });
  return r.json();
}

app.get("/proxy", async (req, res) => {
  // ok: code-no-degradation-js
  const r = await fetch("https://example.com/data");
  res.json(await r.json());
});

app.post("/generate/imported", async (req, res) => {
  // ruleid: code-no-degradation-js
  res.json(await generateImage(req.body.prompt));
});
