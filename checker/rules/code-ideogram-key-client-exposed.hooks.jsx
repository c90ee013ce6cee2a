// Cases for code-ideogram-key-client-exposed: browser code without 'use client' (pages router, Vite, CRA).
import axios from "axios";
import { useEffect, useState } from "react";

export function Preview({ prompt, apiKey }) {
  const [img, setImg] = useState(null);
  useEffect(() => {
    const body = { image_request: { prompt } };
    // ruleid: code-ideogram-key-client-exposed-js
    axios.post("https://api.ideogram.ai/generate", body, { headers: { "api-key": apiKey } }).then((r) => setImg(r.data.data[0].url));
  }, [prompt]);

  // ok: code-ideogram-key-client-exposed-js
  useEffect(() => {
    fetch("/api/ideogram", { method: "POST", body: JSON.stringify({ prompt }) }).then((r) => r.json()).then(setImg);
  }, [prompt]);

  return (
    <button
      onClick={async () => {
        const h = new Headers();
        // ruleid: code-ideogram-key-client-exposed-js
        h.set("Api-Key", window.localStorage.getItem("ideogram-key"));
        await fetch("/api/proxy", { headers: h });
      }}
    >
      {img}
    </button>
  );
}

export async function getServerSideProps() {
  // Runs on the server only.
  // ok: code-ideogram-key-client-exposed-js
  const r = await fetch("https://api.ideogram.ai/generate", {
    method: "POST",
    // ok: code-ideogram-key-client-exposed-js
    headers: { "Api-Key": process.env.IDEOGRAM_API_KEY },
    body: JSON.stringify({ image_request: { prompt: "x" } }),
  });
  return { props: { data: await r.json() } };
}
