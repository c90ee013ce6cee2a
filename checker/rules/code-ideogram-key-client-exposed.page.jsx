// Cases for code-ideogram-key-client-exposed: a default-exported React page (pages router / CRA) with client-only
// hooks passing its handlers to JSX by name; getServerSideProps in the same file runs on the server.
import { useRef, useState } from "react";

const IDEOGRAM = "https://api.ideogram.ai/v1/ideogram-v3/generate";

async function describeImage(file, key) {
  const body = new FormData();
  body.append("image_file", file);
  // ruleid: code-ideogram-key-client-exposed-js
  const r = await fetch("https://api.ideogram.ai/describe", { method: "POST", headers: { "Api-Key": key }, body });
  return r.json();
}

export default function StudioPage({ initial }) {
  const [images, setImages] = useState(initial);
  const fileRef = useRef(null);

  async function handleGenerate(event) {
    event.preventDefault();
    // ruleid: code-ideogram-key-client-exposed-js
    const res = await fetch(IDEOGRAM, {
      method: "POST",
      // ruleid: code-ideogram-key-client-exposed-js
      headers: { "Api-Key": process.env.IDEOGRAM_API_KEY, "Content-Type": "application/json" },
      body: JSON.stringify({ image_request: { prompt: event.target.prompt.value } }),
    });
    setImages((await res.json()).data);
  }

  async function handleDescribe() {
    const result = await describeImage(fileRef.current.files[0], localStorage.getItem("ideogram_api_key"));
    setImages([{ prompt: result.descriptions[0].text }]);
  }

  async function handleSave() {
    // ok: code-ideogram-key-client-exposed-js
    await fetch("/api/images", { method: "POST", body: JSON.stringify(images) });
  }

  return (
    <form onSubmit={handleGenerate}>
      <input name="prompt" />
      <input type="file" ref={fileRef} onChange={handleDescribe} />
      <button type="button" onClick={handleSave}>Save</button>
    </form>
  );
}

export async function getServerSideProps() {
  // ok: code-ideogram-key-client-exposed-js
  const r = await fetch(IDEOGRAM, {
    method: "POST",
    // ok: code-ideogram-key-client-exposed-js
    headers: { "Api-Key": process.env.IDEOGRAM_API_KEY, "Content-Type": "application/json" },
    body: JSON.stringify({ image_request: { prompt: "a lighthouse at dusk" } }),
  });
  return { props: { initial: (await r.json()).data } };
}
