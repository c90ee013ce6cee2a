// Cases for code-ideogram-unsafe-unchecked: Ideogram's whole answer forwarded without a look at is_image_safe.
import { NextResponse } from "next/server";

const IDEOGRAM_URL = "https://api.ideogram.ai/v1/ideogram-v3/generate";
const headers = { "Api-Key": process.env.IDEOGRAM_API_KEY!, "Content-Type": "application/json" };

export async function POST(req: Request) {
  const res = await fetch(IDEOGRAM_URL, { method: "POST", headers, body: await req.text() });
  // ruleid: code-ideogram-unsafe-unchecked-js-raw
  return NextResponse.json(await res.json());
}

export async function expressGenerate(req: any, res: any) {
  const upstream = await fetch(IDEOGRAM_URL, { method: "POST", headers, body: JSON.stringify(req.body) });
  const data = await upstream.json();
  // ruleid: code-ideogram-unsafe-unchecked-js-raw
  res.json(data);
}

export async function PUT(req: Request) {
  const res = await fetch(IDEOGRAM_URL, { method: "POST", headers, body: await req.text() });
  const data = await res.json();
  if (!data.data.every((img: { is_image_safe: boolean }) => img.is_image_safe)) {
    return NextResponse.json({ error: "blocked by the safety filter" }, { status: 422 });
  }
  // ok: code-ideogram-unsafe-unchecked-js-raw
  return NextResponse.json(data);
}

export async function PATCH(req: Request) {
  const res = await fetch(IDEOGRAM_URL, { method: "POST", headers, body: await req.text() });
  const data = await res.json();
  // ok: code-ideogram-unsafe-unchecked-js-raw
  return NextResponse.json({ created: data.created });
}
