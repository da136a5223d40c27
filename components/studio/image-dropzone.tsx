"use client";

import { type ComponentType, type ReactNode, useCallback, useEffect, useRef, useState } from "react";
import type { FileRejection } from "react-dropzone";
import { imageUrl } from "@/lib/dto";
import { errorMessage, uploadImage } from "@/lib/client/api";
import { formatBytes, formatSize } from "@/lib/client/format";
import { afterLoad } from "@/lib/client/after-load";
import { ACCEPT_ATTR, MAX_UPLOAD_PIXELS, checkImageFile } from "@/lib/client/limits";
import type { DragState, DropzoneRoot as DropzoneRootType } from "./dropzone-root";
import { CloseIcon, ImageIcon, Spinner, UploadIcon } from "../ui/icons";
import { FieldError } from "../ui/field-error";

export type InputImage = {
  id: string;
  width: number;
  height: number;
  /** What the preview shows: a local object URL right after upload, else the API's URL. */
  previewUrl: string;
  name?: string;
  bytes?: number;
};

type Upload = { name: string; previewUrl: string; progress: number; width?: number; height?: number };

type Props = {
  value: InputImage | null;
  onChange: (image: InputImage | null) => void;
  /** Set by the studio while the upload runs, so submit can wait for it. */
  onBusyChange?: (busy: boolean) => void;
  /** An image already on the server to start from (`/?input=<imageId>`). */
  initialImageId?: string | null;
  /** An error about the input that the form found (e.g. the model can't edit). */
  formError?: string | null;
  /** Called once drag and drop is live (react-dropzone has loaded). */
  onReady?: () => void;
  /** Several files dropped, picked or pasted at once: a batch edit of them, not an input. */
  onSeveral: (files: File[]) => void;
};

type RootComponent = typeof DropzoneRootType;
let rootModule: Promise<RootComponent> | null = null;
const loadRoot = (): Promise<RootComponent> =>
  (rootModule ??= import("./dropzone-root")
    .then((m) => m.DropzoneRoot)
    .catch((error: unknown) => {
      rootModule = null; // try again on the next hover or focus
      throw error;
    }));

const ERROR_ID = "input-image-error";

/** Reads an image's pixel size in the browser; null when it won't decode. */
function readSize(url: string): Promise<{ width: number; height: number } | null> {
  return new Promise((resolve) => {
    const img = new Image();
    img.onload = () => resolve({ width: img.naturalWidth, height: img.naturalHeight });
    img.onerror = () => resolve(null);
    img.src = url;
  });
}

export function ImageDropzone({ value, onChange, onBusyChange, initialImageId, formError, onReady, onSeveral }: Props) {
  const [upload, setUpload] = useState<Upload | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loadingInitial, setLoadingInitial] = useState(false);
  const abortRef = useRef<AbortController | null>(null);
  const objectUrls = useRef<string[]>([]);

  useEffect(() => onBusyChange?.(upload !== null || loadingInitial), [upload, loadingInitial, onBusyChange]);

  // Revoke every local preview URL when the form goes away.
  useEffect(() => {
    const urls = objectUrls.current;
    return () => {
      abortRef.current?.abort();
      for (const url of urls) URL.revokeObjectURL(url);
    };
  }, []);

  // `/?input=<imageId>`: the image is already on the server; read its size by loading it.
  useEffect(() => {
    if (!initialImageId) return;
    let live = true;
    setLoadingInitial(true);
    setError(null);
    const url = imageUrl(initialImageId);
    readSize(url).then((size) => {
      if (!live) return;
      setLoadingInitial(false);
      if (size) onChange({ id: initialImageId, ...size, previewUrl: url });
      else setError("That image couldn't be loaded. It may have been deleted; pick another one.");
    });
    return () => {
      live = false;
    };
    // onChange is stable enough for a one-off preload; re-run only for a new id.
  }, [initialImageId]);

  const start = useCallback(
    async (file: File) => {
      const problem = checkImageFile(file);
      if (problem) {
        setError(problem);
        return;
      }
      abortRef.current?.abort();
      const controller = new AbortController();
      abortRef.current = controller;
      const previewUrl = URL.createObjectURL(file);
      objectUrls.current.push(previewUrl);
      setError(null);
      setUpload({ name: file.name || "Pasted image", previewUrl, progress: 0 });
      // Catch oversized pixel counts before sending 20 MB for nothing.
      const size = await readSize(previewUrl);
      if (controller.signal.aborted) return;
      // With its size known, the preview takes its final shape at once.
      if (size) setUpload((current) => (current && current.previewUrl === previewUrl ? { ...current, ...size } : current));
      if (!size) {
        setUpload(null);
        setError(`“${file.name || "That file"}” isn't an image we can read.`);
        return;
      }
      if (size.width * size.height > MAX_UPLOAD_PIXELS) {
        setUpload(null);
        setError(
          `That image is ${formatSize(size.width, size.height)} (${((size.width * size.height) / 1e6).toFixed(0)} MP); the limit is 40 megapixels.`,
        );
        return;
      }
      try {
        const dto = await uploadImage(file, {
          signal: controller.signal,
          onProgress: (progress) =>
            setUpload((current) => (current && current.previewUrl === previewUrl ? { ...current, progress } : current)),
        });
        if (controller.signal.aborted) return;
        setUpload(null);
        onChange({ id: dto.id, width: dto.width, height: dto.height, previewUrl, name: file.name, bytes: dto.bytes });
      } catch (e) {
        if (controller.signal.aborted) return;
        setUpload(null);
        setError(errorMessage(e));
      }
    },
    [onChange],
  );

  const interactive = value === null && upload === null && !loadingInitial;

  const onDrop = useCallback(
    (accepted: File[], rejected: FileRejection[]) => {
      // The batch dialog checks each file again and names the ones it can't take.
      if (accepted.length + rejected.length > 1) {
        setError(null);
        onSeveral([...accepted, ...rejected.map((r) => r.file)]);
        return;
      }
      const rejection = rejected[0];
      if (rejection) {
        setError(checkImageFile(rejection.file) ?? `“${rejection.file.name || "That file"}” isn't a PNG, JPEG or WebP image.`);
        return;
      }
      const file = accepted[0];
      if (file) void start(file);
    },
    [start, onSeveral],
  );

  // react-dropzone runs the zone; it loads after the page (or at once on hover, focus or a drag).
  const [Root, setRoot] = useState<ComponentType<Parameters<RootComponent>[0]> | null>(null);
  const [drag, setDrag] = useState<DragState>("none");
  const openRef = useRef<(() => void) | null>(null);
  const shellRef = useRef<HTMLDivElement>(null);
  const [focusOnMount, setFocusOnMount] = useState(false);
  const live = useCallback(() => {
    void loadRoot()
      .then((component) => {
        setFocusOnMount(document.activeElement === shellRef.current && shellRef.current !== null);
        setRoot(() => component);
      })
      .catch(() => undefined);
  }, []);
  useEffect(() => afterLoad(live), [live]);
  useEffect(() => {
    if (Root) onReady?.();
  }, [Root, onReady]);

  // Before react-dropzone is in, a file dropped beside the zone must not open in the tab.
  useEffect(() => {
    if (Root) return;
    const stop = (event: DragEvent) => {
      if (event.dataTransfer?.types.includes("Files")) event.preventDefault();
    };
    window.addEventListener("dragover", stop);
    window.addEventListener("drop", stop);
    return () => {
      window.removeEventListener("dragover", stop);
      window.removeEventListener("drop", stop);
    };
  }, [Root]);

  const isDragActive = drag !== "none";
  const isDragReject = drag === "reject";
  const open = () => openRef.current?.();

  // Paste an image anywhere on the page.
  useEffect(() => {
    function onPaste(event: ClipboardEvent) {
      const files = Array.from(event.clipboardData?.files ?? []);
      const file = files[0];
      if (!file) return; // plain text: let the textarea have it
      if (document.querySelector("dialog[open]")) return; // a modal (the batch dialog) is in front of the studio
      event.preventDefault();
      if (files.length > 1) {
        setError(null);
        onSeveral(files);
        return;
      }
      if (!file.type.startsWith("image/")) {
        setError("The clipboard holds a file that isn't an image.");
        return;
      }
      void start(file);
    }
    window.addEventListener("paste", onPaste);
    return () => window.removeEventListener("paste", onPaste);
  }, [start, onSeveral]);

  function remove() {
    abortRef.current?.abort();
    setUpload(null);
    setError(null);
    onChange(null);
  }

  const shownError = error ?? formError ?? null;
  const busy = upload !== null || loadingInitial;
  // A new file shows once its size is read, so the zone takes its final shape in one step.
  const preview = upload ? (upload.width ? upload.previewUrl : undefined) : value?.previewUrl;
  const percent = upload ? Math.round(upload.progress * 100) : 0;

  return (
    <div>
      <div className="mb-1.5 flex items-baseline justify-between">
        <span id="input-image-label" className="text-sm font-medium text-zinc-200">
          Input image <span className="font-normal text-zinc-500">— optional</span>
        </span>
        {value && !busy ? (
          <button
            type="button"
            onClick={open}
            className="rounded text-xs text-zinc-400 underline-offset-2 hover:text-zinc-200 hover:underline"
          >
            Replace
          </button>
        ) : null}
      </div>
      <Zone
        Root={Root}
        interactive={interactive}
        autoFocus={focusOnMount}
        onDrop={onDrop}
        onDragState={setDrag}
        openRef={openRef}
        shellRef={shellRef}
        onWake={live}
        rootProps={{
          role: interactive ? "button" : "group",
          "aria-labelledby": "input-image-label",
          "aria-describedby": shownError ? ERROR_ID : "input-image-hint",
          "aria-busy": busy,
          "data-testid": "dropzone",
          className: [
          "group relative flex min-h-36 flex-col items-center justify-center overflow-hidden rounded-xl border text-center transition-colors",
          isDragActive
            ? isDragReject
              ? "border-red-500/70 bg-red-500/5"
              : "border-accent-400 bg-accent-400/5"
            : shownError
              ? "border-dashed border-red-500/60 bg-zinc-900/60"
              : preview
                ? "border-zinc-800 bg-zinc-900"
                : "border-dashed border-zinc-700 bg-zinc-900/60 hover:border-zinc-500 hover:bg-zinc-900",
          ].join(" "),
        }}
      >
        {preview ? (
          <div className="checker relative flex w-full items-center justify-center">
            <img
              src={preview}
              alt={value ? "Input image preview" : "Uploading image preview"}
              width={upload?.width ?? value?.width}
              height={upload?.height ?? value?.height}
              className={`max-h-64 w-auto max-w-full object-contain transition-opacity ${upload ? "opacity-40" : ""}`}
              draggable={false}
            />
            {upload ? (
              <div className="absolute inset-x-0 bottom-0 p-3" role="status" aria-live="polite">
                <div className="mb-1.5 flex items-center justify-between text-xs text-zinc-200">
                  <span className="flex items-center gap-1.5">
                    <Spinner className="size-3.5" /> Uploading…
                  </span>
                  <span className="tabular-nums">{percent}%</span>
                </div>
                <div
                  className="h-1 overflow-hidden rounded-full bg-zinc-700/70"
                  role="progressbar"
                  aria-label="Upload progress"
                  aria-valuemin={0}
                  aria-valuemax={100}
                  aria-valuenow={percent}
                >
                  <div className="h-full rounded-full bg-accent-400 transition-[width]" style={{ width: `${percent}%` }} />
                </div>
              </div>
            ) : null}
          </div>
        ) : loadingInitial || upload ? (
          <div className="flex items-center gap-2 text-sm text-zinc-400" role="status">
            <Spinner /> Loading image…
          </div>
        ) : (
          <div className="pointer-events-none flex flex-col items-center gap-2 px-4 py-6">
            <span className="flex size-9 items-center justify-center rounded-full bg-zinc-800 text-zinc-300 ring-1 ring-zinc-700 group-hover:text-accent-300">
              {isDragActive ? <ImageIcon className="size-4.5" /> : <UploadIcon className="size-4.5" />}
            </span>
            <p className="text-sm text-zinc-200">
              {isDragActive ? (
                isDragReject ? (
                  "That isn't a PNG, JPEG or WebP image"
                ) : drag === "several" ? (
                  "Drop to make a batch: one edit for each"
                ) : (
                  "Drop to use as input"
                )
              ) : (
                <>
                  <span className="font-medium text-accent-300">Drop an image</span>, click to browse, or paste
                </>
              )}
            </p>
            <p id="input-image-hint" className="text-xs leading-relaxed text-zinc-500">
              PNG, JPEG or WebP · up to 20 MB
              <span className="block">Leave empty for text-to-image</span>
              <span className="block">Several files make a batch: one edit on each</span>
            </p>
          </div>
        )}
      </Zone>
      {value && !upload ? (
        <div className="mt-2 flex items-center justify-between gap-3 text-xs text-zinc-400">
          <p className="min-w-0 truncate">
            <span className="font-medium tabular-nums text-zinc-200" data-testid="input-size">
              {formatSize(value.width, value.height)}
            </span>
            {value.name ? <span className="ml-2 text-zinc-500">{value.name}</span> : null}
            {value.bytes ? <span className="ml-2 text-zinc-500">{formatBytes(value.bytes)}</span> : null}
          </p>
          <button
            type="button"
            onClick={remove}
            className="inline-flex shrink-0 items-center gap-1 rounded-md px-1.5 py-1 text-zinc-400 hover:bg-zinc-800 hover:text-zinc-100"
          >
            <CloseIcon className="size-3.5" /> Remove image
          </button>
        </div>
      ) : null}
      <FieldError id={ERROR_ID} message={shownError} />
    </div>
  );
}

type ZoneProps = {
  Root: ComponentType<Parameters<RootComponent>[0]> | null;
  interactive: boolean;
  autoFocus: boolean;
  onDrop: (accepted: File[], rejected: FileRejection[]) => void;
  onDragState: (state: DragState) => void;
  openRef: { current: (() => void) | null };
  shellRef: { current: HTMLDivElement | null };
  onWake: () => void;
  rootProps: Parameters<RootComponent>[0]["rootProps"];
  children: ReactNode;
};

/** The live react-dropzone root once loaded; until then the same markup, which wakes it on first contact. */
function Zone({ Root, interactive, autoFocus, onDrop, onDragState, openRef, shellRef, onWake, rootProps, children }: ZoneProps) {
  if (Root) {
    return (
      <Root interactive={interactive} autoFocus={autoFocus} onDrop={onDrop} onDragState={onDragState} openRef={openRef} rootProps={rootProps}>
        {children}
      </Root>
    );
  }
  return (
    <div
      {...rootProps}
      ref={shellRef}
      tabIndex={interactive ? 0 : undefined}
      onPointerEnter={onWake}
      onFocus={onWake}
      onDragEnter={onWake}
    >
      <input type="file" accept={ACCEPT_ATTR} tabIndex={-1} style={{ display: "none" }} aria-label="Choose an input image" data-testid="dropzone-input" />
      {children}
    </div>
  );
}
