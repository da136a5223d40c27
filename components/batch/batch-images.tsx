"use client";

import { type Dispatch, type SetStateAction, useCallback, useEffect, useRef, useState } from "react";
import { type FileRejection, useDropzone } from "react-dropzone";
import { errorMessage, uploadImage } from "@/lib/client/api";
import { BATCH_IMAGES_LIMIT } from "@/lib/client/constants";
import { ACCEPTED_IMAGE_TYPES, checkImageFile } from "@/lib/client/limits";
import { FieldError } from "../ui/field-error";
import { CloseIcon, Spinner, UploadIcon } from "../ui/icons";

/** An image the edit will be applied to: a gallery output or a file uploaded in the dialog. */
export type BatchImage = { id: string; thumbUrl: string; width: number; height: number };

type Upload = { key: number; name: string; previewUrl: string; progress: number; controller: AbortController };

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? "" : "s"}`;

/**
 * The set of images in the "Apply an edit" dialog: thumbnails with a remove button, and a
 * drop target (or file picker) for more, each file uploaded at once. Never more than the
 * batch limit: files past it are left out, and the designer is told.
 */
export function BatchImages({
  images,
  setImages,
  initialFiles,
  onBusyChange,
  error,
}: {
  images: BatchImage[];
  setImages: Dispatch<SetStateAction<BatchImage[]>>;
  /** Files dropped before the dialog opened (several at once in the studio): they upload at once. */
  initialFiles?: File[];
  onBusyChange: (busy: boolean) => void;
  error?: string | null;
}) {
  const [uploads, setUploads] = useState<Upload[]>([]);
  const [problems, setProblems] = useState<string[]>([]);
  const nextKey = useRef(0);
  const live = useRef({ uploads, urls: [] as string[] });
  live.current.uploads = uploads;

  useEffect(() => onBusyChange(uploads.length > 0), [uploads.length, onBusyChange]);

  // Closing the dialog stops what is still uploading and frees the local previews.
  useEffect(() => {
    const current = live.current;
    return () => {
      for (const upload of current.uploads) upload.controller.abort();
      for (const url of current.urls) URL.revokeObjectURL(url);
    };
  }, []);

  const upload = useCallback(
    async (file: File) => {
      const key = nextKey.current++;
      const previewUrl = URL.createObjectURL(file);
      live.current.urls.push(previewUrl);
      const controller = new AbortController();
      setUploads((list) => [...list, { key, name: file.name, previewUrl, progress: 0, controller }]);
      try {
        const dto = await uploadImage(file, {
          signal: controller.signal,
          onProgress: (progress) => setUploads((list) => list.map((u) => (u.key === key ? { ...u, progress } : u))),
        });
        // Uploads are stored by content: the same file twice is one image, edited once.
        setImages((list) =>
          list.some((image) => image.id === dto.id) ? list : [...list, { id: dto.id, thumbUrl: previewUrl, width: dto.width, height: dto.height }],
        );
      } catch (e) {
        if (!controller.signal.aborted) setProblems((list) => [...list, `“${file.name}”: ${errorMessage(e)}`]);
      } finally {
        setUploads((list) => list.filter((u) => u.key !== key));
      }
    },
    [setImages],
  );

  const room = BATCH_IMAGES_LIMIT - images.length - uploads.length;

  const onDrop = useCallback(
    (accepted: File[], rejected: FileRejection[]) => {
      const found = rejected.map(({ file }) => checkImageFile(file) ?? `“${file.name}” isn't a PNG, JPEG or WebP image.`);
      const fine = accepted.filter((file) => {
        const problem = checkImageFile(file);
        if (problem) found.push(problem);
        return problem === null;
      });
      const taken = fine.slice(0, Math.max(0, room));
      if (fine.length > taken.length) {
        found.push(`At most ${BATCH_IMAGES_LIMIT} images at once: ${plural(fine.length - taken.length, "file")} left out.`);
      }
      setProblems(found);
      for (const file of taken) void upload(file);
    },
    [room, upload],
  );

  // A tick later: React's development double mount runs the cleanup above (revoking previews) in between.
  useEffect(() => {
    if (!initialFiles?.length) return;
    const timer = setTimeout(() => onDrop(initialFiles, []));
    return () => clearTimeout(timer);
  }, [initialFiles]); // eslint-disable-line react-hooks/exhaustive-deps

  const { getRootProps, getInputProps, isDragActive, open } = useDropzone({
    onDrop,
    accept: ACCEPTED_IMAGE_TYPES as unknown as Record<string, string[]>,
    multiple: true,
    noClick: true,
    noKeyboard: true,
    useFsAccessApi: false,
  });

  const count = images.length + uploads.length;
  const over = images.length - BATCH_IMAGES_LIMIT;
  const shownError = error ?? (over > 0 ? `At most ${BATCH_IMAGES_LIMIT} images in one batch: remove ${over}.` : null);
  const tile = "checker relative size-16 overflow-hidden rounded-lg ring-1 ring-zinc-800";
  const removeButton =
    "absolute right-0.5 top-0.5 flex size-5 items-center justify-center rounded-md bg-zinc-950/80 text-zinc-300 backdrop-blur hover:bg-zinc-800 hover:text-zinc-50 pointer-coarse:size-7";

  return (
    <section aria-labelledby="batch-images-label">
      <div className="mb-1.5 flex items-baseline justify-between gap-3">
        <span id="batch-images-label" className="text-sm font-medium text-zinc-200">
          Images
        </span>
        <span className="text-xs tabular-nums text-zinc-500" data-testid="batch-image-count">
          {count} of at most {BATCH_IMAGES_LIMIT}
        </span>
      </div>
      <div
        {...getRootProps({
          className: `rounded-xl border p-2.5 transition-colors ${
            isDragActive ? "border-accent-400 bg-accent-400/5" : shownError ? "border-red-500/60" : "border-dashed border-zinc-700 bg-zinc-950/30"
          }`,
          "aria-describedby": shownError ? "batch-images-error" : "batch-images-hint",
        })}
        data-testid="batch-dropzone"
      >
        <input {...getInputProps({ "aria-label": "Add images" })} data-testid="batch-file-input" />
        <ul className="flex max-h-52 flex-wrap gap-2 overflow-y-auto [scrollbar-width:thin]" aria-label="Images to edit">
          {images.map((image, i) => (
            <li key={image.id} className={tile} data-testid="batch-image">
              <img src={image.thumbUrl} alt={`Image ${i + 1}`} width={image.width} height={image.height} className="size-full object-cover" />
              <button
                type="button"
                onClick={() => setImages((list) => list.filter((x) => x.id !== image.id))}
                className={removeButton}
                aria-label={`Remove image ${i + 1}`}
              >
                <CloseIcon className="size-3" />
              </button>
            </li>
          ))}
          {uploads.map((u) => (
            <li key={u.key} className={tile} title={u.name}>
              <img src={u.previewUrl} alt="" className="size-full object-cover opacity-40" />
              <span className="absolute inset-0 flex items-center justify-center">
                <Spinner className="size-4 text-zinc-100" />
              </span>
              <span
                className="absolute inset-x-1 bottom-1 h-1 overflow-hidden rounded-full bg-zinc-700/80"
                role="progressbar"
                aria-label={`Uploading ${u.name}`}
                aria-valuemin={0}
                aria-valuemax={100}
                aria-valuenow={Math.round(u.progress * 100)}
              >
                <span className="block h-full bg-accent-400" style={{ width: `${Math.round(u.progress * 100)}%` }} />
              </span>
              <button type="button" onClick={() => u.controller.abort()} className={removeButton} aria-label={`Cancel the upload of ${u.name}`}>
                <CloseIcon className="size-3" />
              </button>
            </li>
          ))}
          <li>
            <button
              type="button"
              onClick={open}
              disabled={room <= 0}
              className="flex size-16 flex-col items-center justify-center gap-1 rounded-lg border border-zinc-700 text-[11px] text-zinc-400 hover:border-zinc-500 hover:text-zinc-100 disabled:cursor-not-allowed disabled:opacity-40"
              title={room <= 0 ? `At most ${BATCH_IMAGES_LIMIT} images at once` : "Add images from your computer"}
            >
              <UploadIcon className="size-4" /> Add
            </button>
          </li>
        </ul>
        <p id="batch-images-hint" className="mt-2 text-xs text-zinc-500">
          {isDragActive ? "Drop to add them" : `Drop more images here, or add them · PNG, JPEG or WebP · at most ${BATCH_IMAGES_LIMIT} in one batch`}
        </p>
      </div>
      <FieldError id="batch-images-error" message={shownError} />
      {problems.length > 0 ? (
        <ul role="alert" className="mt-1.5 space-y-0.5 text-[13px] leading-snug text-red-300" data-testid="batch-image-problems">
          {problems.map((problem, i) => (
            <li key={i}>{problem}</li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
