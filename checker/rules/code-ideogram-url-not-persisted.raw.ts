// Cases for code-ideogram-url-not-persisted: Ideogram's whole answer forwarded to the browser (Next.js, Express).
import axios from "axios";
import { NextResponse } from "next/server";

const IDEOGRAM_URL = "https://api.ideogram.ai/v1/ideogram-v3/generate";
const headers = { "Api-Key": process.env.IDEOGRAM_API_KEY!, "Content-Type": "application/json" };

export async function POST(req: Request) {
  const { prompt } = await req.json();
  const res = await fetch(IDEOGRAM_URL, { method: "POST", headers, body: JSON.stringify({ image_request: { prompt } }) });
  // ruleid: code-ideogram-url-not-persisted-js-raw
  return NextResponse.json(await res.json());
}

export async function PUT(req: Request) {
  const res = await fetch(IDEOGRAM_URL, { method: "POST", headers, body: await req.text() });
  const data = await res.json();
  // ruleid: code-ideogram-url-not-persisted-js-raw
  return Response.json(data, { status: res.status });
}

export async function expressGenerate(req: any, res: any) {
  const r = await axios.post(IDEOGRAM_URL, { image_request: { prompt: req.body.prompt } }, { headers, timeout: 90_000 });
  // ruleid: code-ideogram-url-not-persisted-js-raw
  res.json(r.data);
}

export async function expressStatus(req: any, res: any) {
  const upstream = await fetch(IDEOGRAM_URL, { method: "POST", headers, body: JSON.stringify(req.body) });
  // ruleid: code-ideogram-url-not-persisted-js-raw
  res.status(upstream.status).json(await upstream.json());
}

export async function PATCH(req: Request) {
  const res = await fetch(IDEOGRAM_URL, { method: "POST", headers, body: await req.text() });
  const data = await res.json();
  // ok: code-ideogram-url-not-persisted-js-raw
  return NextResponse.json({ created: data.created, count: data.data.length });
}

export async function GET() {
  const res = await fetch("https://storage.example.com/v1/images", { headers: { Accept: "application/json" } });
  // our own storage answers with our own URLs
  // ok: code-ideogram-url-not-persisted-js-raw
  return NextResponse.json(await res.json());
}

export async function DELETE(req: Request) {
  const res = await fetch(IDEOGRAM_URL, { method: "POST", headers, body: await req.text() });
  // ok: code-ideogram-url-not-persisted-js-raw
  return NextResponse.json({ ok: res.ok }, { status: res.status });
}

export async function expressSafe(req: any, res: any) {
  const r = await axios.post(IDEOGRAM_URL, { image_request: { prompt: req.body.prompt } }, { headers, timeout: 90_000 });
  // ok: code-ideogram-url-not-persisted-js-raw
  res.json({ created: r.data.created });
}
