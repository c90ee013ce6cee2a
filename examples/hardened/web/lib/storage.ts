// Keeps generated images in our own bucket: Ideogram's URLs expire.
import 'server-only';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

const s3 = new S3Client({});

export async function persistImage(sourceUrl: string, key: string): Promise<string> {
  const download = await fetch(sourceUrl, { signal: AbortSignal.timeout(60_000) });
  if (!download.ok) {
    throw new Error(`download failed: ${download.status}`);
  }
  const body = Buffer.from(await download.arrayBuffer());
  await s3.send(new PutObjectCommand({ Bucket: process.env.IMAGE_BUCKET, Key: key, Body: body, ContentType: 'image/png' }));
  return `/images/${key}`;
}
