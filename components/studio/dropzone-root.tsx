"use client";

import { type HTMLAttributes, type ReactNode, useEffect } from "react";
import { type FileRejection, useDropzone } from "react-dropzone";
import { ACCEPTED_IMAGE_TYPES } from "@/lib/client/limits";

export type DragState = "none" | "accept" | "reject";

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
    multiple: false,
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

  const drag: DragState = isDragActive ? (isDragReject ? "reject" : "accept") : "none";
  useEffect(() => onDragState(drag), [drag, onDragState]);

  return (
    <div {...getRootProps(rootProps)}>
      <input {...getInputProps({ "aria-label": "Choose an input image" })} data-testid="dropzone-input" />
      {children}
    </div>
  );
}
