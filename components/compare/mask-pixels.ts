/** Decoded and ready to draw on a canvas, for reading its pixels. */
export function loadImage(url: string): Promise<HTMLImageElement> {
  return new Promise((resolve, reject) => {
    const image = new Image();
    image.decoding = "async";
    image.onload = () => resolve(image);
    image.onerror = () => reject(new Error(`Could not load ${url}`));
    image.src = url;
  });
}

/**
 * How strongly a mask paints the RGBA pixel at byte `i`, 0–65025. Luminance × alpha reads both
 * kinds of mask: the painter's (white, strength in alpha) and an upload's (greyscale).
 */
export function maskCoverage(rgba: Uint8ClampedArray, i: number): number {
  return (rgba[i]! * 0.299 + rgba[i + 1]! * 0.587 + rgba[i + 2]! * 0.114) * rgba[i + 3]!;
}
