// An Express server that renders HTML: it mentions `document.` in strings, but runs on the server.
import express from "express";

const app = express();

app.post("/generate", async (req, res) => {
  // ok: code-ideogram-key-client-exposed-js
  const r = await fetch("https://api.ideogram.ai/v1/ideogram-v3/generate", {
    method: "POST",
    // ok: code-ideogram-key-client-exposed-js
    headers: { "Api-Key": process.env.IDEOGRAM_API_KEY!, "Content-Type": "application/json" },
    body: JSON.stringify({ image_request: { prompt: req.body.prompt } }),
  });
  const data = await r.json();
  res.send(`<img id="out" src="/images/${data.created}.png"><script>document.getElementById("out").focus()</script>`);
});

// A public name is inlined into any client bundle that reads it, even when this file runs on the server.
// ruleid: code-ideogram-key-client-exposed-js
export const fallbackKey = process.env.VITE_IDEOGRAM_API_KEY;
