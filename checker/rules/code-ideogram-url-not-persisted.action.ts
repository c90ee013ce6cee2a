"use server";
// Cases for code-ideogram-url-not-persisted: a Next.js server action returning Ideogram's answer to the browser.
const IDEOGRAM_URL = "https://api.ideogram.ai/v1/ideogram-v3/generate";

export async function generateAction(formData: FormData) {
  const res = await fetch(IDEOGRAM_URL, {
    method: "POST",
    headers: { "Api-Key": process.env.IDEOGRAM_API_KEY!, "Content-Type": "application/json" },
    body: JSON.stringify({ image_request: { prompt: formData.get("prompt") } }),
  });
  // ruleid: code-ideogram-url-not-persisted-js-raw
  return res.json();
}

export async function generateCountAction(formData: FormData) {
  const res = await fetch(IDEOGRAM_URL, {
    method: "POST",
    headers: { "Api-Key": process.env.IDEOGRAM_API_KEY!, "Content-Type": "application/json" },
    body: JSON.stringify({ image_request: { prompt: formData.get("prompt") } }),
  });
  const body = await res.json();
  // ok: code-ideogram-url-not-persisted-js-raw
  return { created: body.created };
}

export async function generateTypedAction(prompt: string): Promise<{ data: { url: string }[] }> {
  const res = await fetch(IDEOGRAM_URL, {
    method: "POST",
    headers: { "Api-Key": process.env.IDEOGRAM_API_KEY!, "Content-Type": "application/json" },
    body: JSON.stringify({ image_request: { prompt } }),
  });
  // ruleid: code-ideogram-url-not-persisted-js-raw
  return await res.json();
}
