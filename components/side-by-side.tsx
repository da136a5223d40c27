type Img = { url: string; width: number; height: number };

/** Input and output next to each other, each contained in a box of the output's ratio. */
export function SideBySide({ before, after, alt }: { before: Img; after: Img; alt: string }) {
  const ratio = after.width / after.height;
  return (
    <div className="grid gap-3 sm:grid-cols-2" data-testid="side-by-side">
      {[
        { label: "Before", img: before, alt: "Before: the input image" },
        { label: "After", img: after, alt: `After: ${alt}` },
      ].map(({ label, img, alt: text }) => (
        <figure key={label} className="min-w-0">
          <div
            className="checker relative mx-auto overflow-hidden rounded-xl"
            style={{ aspectRatio: `${after.width} / ${after.height}`, width: `min(100%, calc(72vh * ${ratio.toFixed(4)}))` }}
          >
            <img
              src={img.url}
              alt={text}
              width={img.width}
              height={img.height}
              className="absolute inset-0 size-full object-contain"
            />
          </div>
          <figcaption className="mt-2 flex justify-between text-xs text-zinc-400">
            <span className="font-medium text-zinc-300">{label}</span>
            <span className="tabular-nums">
              {img.width} × {img.height}
            </span>
          </figcaption>
        </figure>
      ))}
    </div>
  );
}
