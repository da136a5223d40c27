"use client";

import { type HTMLAttributes, type ReactNode, useEffect, useState } from "react";
import { type FileRejection, useDropzone } from "react-dropzone";
import { ACCEPTED_IMAGE_TYPES } from "@/lib/client/limits";

/** "several": more than one file is on its way, which makes a batch edit. */
export type DragState = "none" | "accept" | "several" | "reject";

/**
 * The live drop target: react-dropzone's drag and drop, click and keyboard to browse, and
 * no navigation when a file misses the zone. Loaded right after the page (it is the
 * biggest piece of the studio's code and the first paint doesn't need it); until then
 * ImageDropzone renders the same markup.
 */
export function DropzoneRoot({
  interactive,
  autoFocus,
  onDrop,
  onDragState,
  openRef,
  rootProps,
  children,
}: {
  interactive: boolean;
  autoFocus: boolean;
  onDrop: (accepted: File[], rejected: FileRejection[]) => void;
  onDragState: (state: DragState) => void;
  openRef: { current: (() => void) | null };
  rootProps: HTMLAttributes<HTMLDivElement> & { "data-testid"?: string };
  children: ReactNode;
}) {
  const { getRootProps, getInputProps, isDragActive, isDragReject, open } = useDropzone({
    onDrop,
    accept: ACCEPTED_IMAGE_TYPES as unknown as Record<string, string[]>,
    // Several files at once become a batch edit (the studio decides); one is the input.
    multiple: true,
    noClick: !interactive,
    noKeyboard: !interactive,
    useFsAccessApi: false,
    autoFocus,
  });

  useEffect(() => {
    openRef.current = open;
    return () => {
      openRef.current = null;
    };
  }, [open, openRef]);

  const [several, setSeveral] = useState(false);
  // Several files go to the batch dialog, which names any it can't take: no "reject" for them here.
  const drag: DragState = isDragActive ? (several ? "several" : isDragReject ? "reject" : "accept") : "none";
  useEffect(() => onDragState(drag), [drag, onDragState]);

  return (
    <div {...getRootProps({ ...rootProps, onDragEnter: (e) => setSeveral((e.dataTransfer?.items.length ?? 0) > 1) })}>
      <input {...getInputProps({ "aria-label": "Choose an input image" })} data-testid="dropzone-input" />
      {children}
    </div>
  );
}
