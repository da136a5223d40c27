import sharp, { type Sharp } from "sharp";
import { describe, expect, it } from "vitest";
import { hasAlphaChannel } from "@/lib/client/mask";

/**
 * A remix loads a job's mask into the painter reading the alpha channel if the file has one,
 * else its luminance. The browser can't see an opaque alpha channel, so the studio reads the
 * file header; it must agree with sharp, which is how the server reads the same mask.
 */

const SIZE = 8;

function pixels(channels: 1 | 2 | 3 | 4, opaque: boolean): Buffer {
  const raw = Buffer.alloc(SIZE * SIZE * channels, 200);
  // One see-through pixel where there is alpha; "opaque" keeps the channel at 255 throughout.
  if (channels === 2 || channels === 4) raw.fill(255).fill(opaque ? 255 : 0, channels - 1, channels);
  return raw;
}

const encodings: [string, (image: Sharp) => Sharp][] = [
  ["PNG", (image) => image.png()],
  ["palette PNG", (image) => image.png({ palette: true })],
  ["lossless WebP", (image) => image.webp({ lossless: true })],
  ["lossy WebP", (image) => image.webp()],
  ["JPEG", (image) => image.jpeg()],
];

describe("hasAlphaChannel", () => {
  for (const [name, encode] of encodings) {
    for (const channels of [1, 2, 3, 4] as const) {
      for (const opaque of [true, false]) {
        it(`agrees with sharp on a ${name} from ${channels} channel(s)${opaque ? ", opaque" : ""}`, async () => {
          const bytes = await encode(sharp(pixels(channels, opaque), { raw: { width: SIZE, height: SIZE, channels } })).toBuffer();
          const { hasAlpha } = await sharp(bytes).metadata();
          expect(hasAlphaChannel(new Uint8Array(bytes))).toBe(hasAlpha);
        });
      }
    }
  }

  it("finds a PNG's transparency chunk behind a large text chunk", async () => {
    const bytes = await sharp(pixels(4, false), { raw: { width: SIZE, height: SIZE, channels: 4 } })
      .png({ palette: true })
      .withMetadata({ exif: { IFD0: { ImageDescription: "x".repeat(5000) } } })
      .toBuffer();
    expect((await sharp(bytes).metadata()).hasAlpha).toBe(true);
    expect(hasAlphaChannel(new Uint8Array(bytes))).toBe(true);
  });

  it("says no for bytes that are no image", () => {
    expect(hasAlphaChannel(new TextEncoder().encode("not an image at all, just some text"))).toBe(false);
  });
});
