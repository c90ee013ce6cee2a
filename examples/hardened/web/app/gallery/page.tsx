'use client';

import { useState } from 'react';

export default function Gallery() {
  const [src, setSrc] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function onGenerate(prompt: string) {
    const res = await fetch('/api/generate', {
      method: 'POST',
      body: JSON.stringify({ prompt }),
      signal: AbortSignal.timeout(130_000),
    });
    const body = await res.json();
    if (res.ok) {
      setSrc(body.image);
    } else {
      setError(body.error ?? 'Image generation is unavailable right now');
    }
  }

  return (
    <div>
      <button onClick={() => onGenerate('a lighthouse at dawn')}>Generate</button>
      {error && <p role="alert">{error}</p>}
      {src && <img src={src} alt="generated" />}
    </div>
  );
}
