// A Next.js server component rendering the Ideogram link directly.
const IDEOGRAM_URL = "https://api.ideogram.ai/v1/ideogram-v3/generate";

export default async function Page() {
  const res = await fetch(IDEOGRAM_URL, { method: "POST", headers: { "Api-Key": process.env.IDEOGRAM_API_KEY! }, body: "{}" });
  const data = await res.json();
  // ruleid: code-ideogram-url-not-persisted-js
  return <img src={data.data[0].url} alt="generated" />;
}

export async function Stored({ id }: { id: string }) {
  const row = await loadImage(id);
  // ok: code-ideogram-url-not-persisted-js
  return <img src={row.storedUrl} alt="stored" />;
}
