// A Next.js route handler: server code, calling Ideogram here is the fix.
import { NextResponse } from "next/server";

export async function POST(req: Request) {
  const { prompt } = await req.json();
  // ok: code-ideogram-key-client-exposed-js
  const r = await fetch("https://api.ideogram.ai/v1/ideogram-v3/generate", {
    method: "POST",
    // ok: code-ideogram-key-client-exposed-js
    headers: { "Api-Key": process.env.IDEOGRAM_API_KEY! },
    body: JSON.stringify({ prompt }),
  });
  // Even on the server, a public name means the key also lands in any client bundle that reads it.
  // ruleid: code-ideogram-key-client-exposed-js
  const fallback = process.env.NEXT_PUBLIC_IDEOGRAM_API_KEY;
  return NextResponse.json(await r.json());
}
