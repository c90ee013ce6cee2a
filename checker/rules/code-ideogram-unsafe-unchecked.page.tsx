// Next.js server component using the image.
const IDEOGRAM_URL = "https://api.ideogram.ai/v1/ideogram-v3/generate";

export default async function Page() {
  const res = await fetch(IDEOGRAM_URL, { method: "POST", headers: { "Api-Key": process.env.IDEOGRAM_API_KEY! }, body: "{}" });
  const data = await res.json();
  // ruleid: code-ideogram-unsafe-unchecked-js
  return <img src={data.data[0].url} alt="generated" />;
}

export async function SafePage() {
  const res = await fetch(IDEOGRAM_URL, { method: "POST", headers: { "Api-Key": process.env.IDEOGRAM_API_KEY! }, body: "{}" });
  const data = await res.json();
  const image = data.data[0];
  return image.is_image_safe ? (
    // ok: code-ideogram-unsafe-unchecked-js
    <img src={image.url} alt="generated" />
  ) : (
    <p>This image was blocked by the safety filter.</p>
  );
}
