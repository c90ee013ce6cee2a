// Cases for code-ideogram-key-client-exposed: env vars, bundler inlining (TypeScript).
import axios from "axios";
import { defineConfig, loadEnv } from "vite";
import webpack from "webpack";

// ruleid: code-ideogram-key-client-exposed-js
const key = process.env.NEXT_PUBLIC_IDEOGRAM_API_KEY;

// ruleid: code-ideogram-key-client-exposed-js
const viteKey = import.meta.env.VITE_IDEOGRAM_API_KEY;

// ruleid: code-ideogram-key-client-exposed-js
const craKey = process.env["REACT_APP_IDEOGRAM_KEY"];

// ruleid: code-ideogram-key-client-exposed-js
const { NEXT_PUBLIC_IDEOGRAM_TOKEN } = process.env;

export const client = axios.create({
  baseURL: "https://api.ideogram.ai",
  // ruleid: code-ideogram-key-client-exposed-js
  headers: { "Api-Key": import.meta.env.VITE_IMAGE_API_KEY },
});

export const viteConfig = defineConfig(({ mode }) => {
  const env = loadEnv(mode, process.cwd(), "");
  return {
    define: {
      // ruleid: code-ideogram-key-client-exposed-js
      "import.meta.env.IDEOGRAM_API_KEY": JSON.stringify(env.IDEOGRAM_API_KEY),
      // ok: code-ideogram-key-client-exposed-js
      __APP_VERSION__: JSON.stringify(process.env.npm_package_version),
    },
  };
});

export const webpackPlugins = [
  new webpack.DefinePlugin({
    // ruleid: code-ideogram-key-client-exposed-js
    __IDEOGRAM_KEY__: JSON.stringify(process.env.IDEOGRAM_API_KEY),
  }),
  // ruleid: code-ideogram-key-client-exposed-js
  new webpack.EnvironmentPlugin(["NODE_ENV", "IDEOGRAM_API_KEY"]),
];

// Server-only names and non-secret public settings are fine.
// ok: code-ideogram-key-client-exposed-js
const serverKey = process.env.IDEOGRAM_API_KEY;
// ok: code-ideogram-key-client-exposed-js
const model = process.env.NEXT_PUBLIC_IDEOGRAM_MODEL;
// ok: code-ideogram-key-client-exposed-js
const enabled = import.meta.env.VITE_IDEOGRAM_ENABLED === "true";
// ok: code-ideogram-key-client-exposed-js
const publicUrl = process.env.NEXT_PUBLIC_SITE_URL;

export async function callFromServerModule(prompt: string) {
  // A module without 'use client', hooks or handlers: treated as server code.
  // ok: code-ideogram-key-client-exposed-js
  return fetch("https://api.ideogram.ai/v1/ideogram-v3/generate", {
    method: "POST",
    // ok: code-ideogram-key-client-exposed-js
    headers: { "Api-Key": process.env.IDEOGRAM_API_KEY! },
    body: JSON.stringify({ prompt }),
  });
}

export function spawnWorker() {
  const { spawn } = require("node:child_process");
  // ok: code-ideogram-key-client-exposed-js
  return spawn("worker", [], { env: { ...process.env, IDEOGRAM_API_KEY: process.env.IDEOGRAM_API_KEY } });
}
