/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  env: {
    // ruleid: code-ideogram-key-client-exposed-js
    IDEOGRAM_API_KEY: process.env.IDEOGRAM_API_KEY,
    // ok: code-ideogram-key-client-exposed-js
    BUILD_ID: process.env.GIT_SHA,
  },
};

module.exports = nextConfig;
