// Test cases for code-ideogram-no-timeout (plain JavaScript, node-fetch and axios).
const fetch = require("node-fetch");
const axios = require("axios");

const IDEOGRAM_URL = "https://api.ideogram.ai/v1/ideogram-v3/generate";

async function generate(body) {
  // ruleid: code-ideogram-no-timeout-js
  return fetch(IDEOGRAM_URL, { method: "POST", headers: { "Api-Key": process.env.IDEOGRAM_API_KEY }, body });
}

const client = axios.create({ baseURL: process.env.IDEOGRAM_BASE_URL });

async function viaInstance(form) {
  // ruleid: code-ideogram-no-timeout-js
  return client.post("/v1/ideogram-v3/generate", form);
}

async function okNodeFetchTimeout(body) {
  // node-fetch v2 accepts a timeout option
  // ok: code-ideogram-no-timeout-js
  return fetch(IDEOGRAM_URL, { method: "POST", body, timeout: 120000 });
}

async function okSignal(body) {
  // ok: code-ideogram-no-timeout-js
  return fetch(IDEOGRAM_URL, { method: "POST", body, signal: AbortSignal.timeout(120000) });
}

module.exports = { generate, viaInstance, okNodeFetchTimeout, okSignal };
