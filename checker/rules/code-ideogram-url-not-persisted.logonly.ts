// Cases for code-ideogram-url-not-persisted: a module that only logs the signed link (the bytes are never fetched).
import axios from "axios";

const ideogram = axios.create({ baseURL: "https://api.ideogram.ai", headers: { "Api-Key": process.env.IDEOGRAM_API_KEY! }, timeout: 60_000 });

export async function run(prompt: string): Promise<void> {
  const r = await ideogram.post("/v1/ideogram-v3/generate", { image_request: { prompt } });
  // ruleid: code-ideogram-url-not-persisted-js
  console.log("generated", r.data.data[0].url);
  // ok: code-ideogram-url-not-persisted-js
  console.log("seed", r.data.data[0].seed);
}
