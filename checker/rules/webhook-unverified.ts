// Rule test for webhook-unverified-js (and -nextjs: this file's name contains "webhook", like a route file).
import crypto from "node:crypto";
import express, { Request, Response } from "express";
import { createRemoteJWKSet, jwtVerify } from "jose";
import { NextResponse } from "next/server";

const app = express();
const router = express.Router();
const SECRET = process.env.WEBHOOK_SECRET!;
const WEBHOOK_PATH = "/webhooks/ideogram";
const JWKS = createRemoteJWKSet(new URL("https://api.ideogram.ai/v1/.well-known/jwks.json"));

// ruleid: webhook-unverified-js
app.post("/webhooks/ideogram", express.json(), async (req: Request, res: Response) => {
  await store(req.body);
  res.sendStatus(204);
});

// ruleid: webhook-unverified-js
router.post(WEBHOOK_PATH, (req, res) => {
  store(req.body);
  res.sendStatus(204);
});

// ruleid: webhook-unverified-js
app.post("/api/ideogram/callback", function (req, res) {
  store(req.body);
  res.end();
});

// ruleid: webhook-unverified-js
app.post("/ideogram/events", express.raw({ type: "application/json" }), (req, res) => {
  const sig = req.header("X-Ideogram-Webhook-Signature");
  const expected = crypto.createHmac("sha256", SECRET).update(req.body).digest("hex");
  if (sig !== expected) return res.sendStatus(401);
  store(JSON.parse(req.body.toString()));
  res.sendStatus(204);
});

// ruleid: webhook-unverified-js
export async function handleIdeogramWebhook(req: Request, res: Response) {
  await store(req.body);
  res.sendStatus(204);
}

// ruleid: webhook-unverified-js
export const generationCallback = async (req: Request, res: Response) => {
  await store(req.body);
  res.json({ ok: true });
};

export function verifySignature(body: string, signature: string): boolean {
  const digest = crypto.createHmac("sha256", SECRET).update(body).digest("hex");
  // ruleid: webhook-unverified-js
  return digest === signature;
}

export function verifySignatureSafe(body: string, signature: string): boolean {
  const digest = Buffer.from(crypto.createHmac("sha256", SECRET).update(body).digest("hex"));
  const given = Buffer.from(signature);
  // ok: webhook-unverified-js
  if (digest.length !== given.length) return false;
  // ok: webhook-unverified-js
  return crypto.timingSafeEqual(digest, given);
}

// ruleid: webhook-unverified-js
export async function POST(request: Request) {
  const signature = request.headers.get("x-ideogram-webhook-signature");
  await store(await request.json());
  return NextResponse.json({ ok: true, signature });
}

// ruleid: webhook-unverified-js-nextjs
export async function PUT(request: Request) {
  await store(await request.json());
  return NextResponse.json({ ok: true });
}

// ok: webhook-unverified-js
app.post("/webhooks/ideogram/v2", express.raw({ type: "application/json" }), (req, res) => {
  const sig = Buffer.from(req.header("x-signature") ?? "", "hex");
  const expected = crypto.createHmac("sha256", SECRET).update(req.body).digest();
  if (sig.length !== expected.length || !crypto.timingSafeEqual(sig, expected)) return res.sendStatus(401);
  store(JSON.parse(req.body.toString()));
  res.sendStatus(204);
});

// ok: webhook-unverified-js
app.post("/webhooks/ideogram/ed25519", express.raw({ type: "application/json" }), async (req, res) => {
  const ok = crypto.verify(null, req.body, await publicKeyFor(req.header("x-ideogram-webhook-key-id")), sig(req));
  if (!ok) return res.sendStatus(401);
  res.sendStatus(204);
});

// ok: webhook-unverified-js
router.post("/hooks/ideogram", verifyIdeogramSignature, (req, res) => {
  store(req.body);
  res.sendStatus(204);
});

// ok: webhook-unverified-js
app.post("/webhooks/jws", async (req, res) => {
  await jwtVerify(req.header("x-ideogram-webhook-signature") ?? "", JWKS);
  res.sendStatus(204);
});

// ok: webhook-unverified-js
export async function ideogramWebhookHandler(req: Request, res: Response) {
  if (!(await isValidSignature(req))) return res.sendStatus(401);
  await store(req.body);
  res.sendStatus(204);
}

// ok: webhook-unverified-js
app.get("/webhooks/ideogram", (req, res) => res.json({ status: "listening" }));

// ok: webhook-unverified-js
app.post("/auth/callback", async (req, res) => {
  res.redirect(await finishLogin(req));
});

// ok: webhook-unverified-js
app.post("/generate", async (req, res) => {
  res.json(await startGeneration(req.body));
});

// ok: webhook-unverified-js
export function onProgressCallback(done: number, total: number) {
  console.log(done, total);
}

// ok: webhook-unverified-js
export function oauthCallback(req: Request, res: Response) {
  res.redirect("/");
}

export function sameVersion(a: string, b: string): boolean {
  // ok: webhook-unverified-js
  return a === b;
}

// ok: webhook-unverified-js-nextjs
export async function GET() {
  return NextResponse.json({ status: "listening" });
}

// ---- issue 13: provider webhooks recognised by their events; vendor SDK verification counts

declare const stripe: any;
declare const slack: any;
declare function grantAccess(id: string): Promise<void>;

// ruleid: webhook-unverified-js-provider, webhook-unverified-js-nextjs
export async function POST(request: Request) {
  const event = await request.json();
  if (event.type === "checkout.session.completed") {
    await grantAccess(event.data.object.client_reference_id);
  }
  return NextResponse.json({ received: true });
}

// ruleid: webhook-unverified-js-provider
app.post("/slack/events", async (req: Request, res: Response) => {
  if (req.body.type === "url_verification") {
    return res.send(req.body.challenge);
  }
  await store(req.body.event);
  res.sendStatus(200);
});

// ok: webhook-unverified-js-provider
export async function PUT(request: Request) {
  const body = await request.text();
  const sig = request.headers.get("stripe-signature")!;
  const event = await stripe.webhooks.constructEventAsync(body, sig, process.env.STRIPE_WEBHOOK_SECRET!);
  if (event.type === "invoice.paid") await store(event.data.object);
  return NextResponse.json({ received: true });
}

// ok: webhook-unverified-js-provider
app.post("/slack/commands", async (req: Request, res: Response) => {
  if (!verifySlackRequest({ signingSecret: SECRET, body: req.body, headers: req.headers })) return res.sendStatus(401);
  if (req.body.type === "url_verification") return res.send(req.body.challenge);
  res.sendStatus(200);
});

declare function verifySlackRequest(opts: unknown): boolean;

declare const svix: { verify(payload: string, headers: Record<string, string>): any };
declare function validateSignature(body: string, secret: string, signature: string): boolean;

// ruleid: webhook-unverified-js-provider, webhook-unverified-js
app.post("/stripe/webhook", async (req: Request, res: Response) => {
  const event = req.body;
  if (event.type === "customer.subscription.deleted") await store(event.data.object);
  res.json({ received: true });
});

// ok: webhook-unverified-js-provider
app.post("/stripe/webhook-verified", async (req: Request, res: Response) => {
  const event = stripe.webhooks.constructEvent(req.body, req.headers["stripe-signature"], process.env.STRIPE_WEBHOOK_SECRET!);
  if (event.type === "customer.subscription.deleted") await store(event.data.object);
  res.json({ received: true });
});

// ok: webhook-unverified-js-provider
app.post("/line/callback", async (req: Request, res: Response) => {
  if (!validateSignature(JSON.stringify(req.body), SECRET, req.headers["x-line-signature"])) return res.sendStatus(401);
  if (req.body.type === "url_verification") return res.send("ok");
  res.sendStatus(200);
});

// ok: webhook-unverified-js-provider
export async function PATCH(request: Request) {
  const payload = await request.text();
  const event = svix.verify(payload, Object.fromEntries(request.headers));
  if (event.type === "invoice.payment_failed") await store(event.data);
  return NextResponse.json({ received: true });
}
