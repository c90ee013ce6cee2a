'use client';

import { useState } from 'react';

const IDEOGRAM_ENDPOINT = 'https://api.ideogram.ai/v1/ideogram-v3/generate';

export default function Gallery() {
  const [src, setSrc] = useState<string | null>(null);

  async function onGenerate(prompt: string) {
    const key = process.env.NEXT_PUBLIC_IDEOGRAM_API_KEY!;
    console.log('using ideogram key', key);
    const res = await fetch(IDEOGRAM_ENDPOINT, {
      method: 'POST',
      headers: { 'Api-Key': key, 'Content-Type': 'application/json' },
      body: JSON.stringify({ prompt }),
    });
    if (!res.ok) {
      throw new Error('generation failed');
    }
    const data = await res.json();
    setSrc(data.data[0].url);
  }

  return (
    <div>
      <button onClick={() => onGenerate('a lighthouse at dawn')}>Generate</button>
      {src && <img src={src} alt="generated" />}
    </div>
  );
}
