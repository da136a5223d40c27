/**
 * Shared zoom and pan for every pane of a comparison, outside React: pointer moves write
 * `transform` straight onto the registered wrappers (once per animation frame), and React
 * hears only about scale changes (for the zoom readout), never about pans.
 *
 * Units: `scale` is relative to "fit" (1 = the image box fills its viewport); `x`/`y` are
 * the wrapper's offset as a fraction of the box, so the same state fits viewports of any
 * size (slider full width, side by side half width). Wrappers are sized like their viewport
 * with `transform-origin: 0 0`, and `translate(%)` refers to the wrapper's own size.
 */
export type View = { scale: number; x: number; y: number };

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

export class ZoomPan {
  private view: View = { scale: 1, x: 0, y: 0 };
  private targets = new Set<HTMLElement>();
  private listeners = new Set<() => void>();
  private watchers = new Set<(view: View) => void>();
  private frame = 0;
  private notifyScale = false;
  /** Largest zoom relative to fit; set from the image sizes (at least 8× real pixels). */
  maxScale = 16;

  get(): View {
    return this.view;
  }

  /** For useSyncExternalStore: React re-renders on scale changes only. */
  subscribe = (listener: () => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };
  getScale = () => this.view.scale;

  /** Hears every applied view, pans too, in the frame that moves the wrappers: for drawing that must not scale a bitmap. */
  watch(watcher: (view: View) => void): () => void {
    this.watchers.add(watcher);
    return () => {
      this.watchers.delete(watcher);
    };
  }

  /** A callback ref target: the element follows the view from the moment it mounts. */
  attach = (element: HTMLElement | null) => {
    if (!element) return;
    this.targets.add(element);
    this.write(element);
    return () => {
      this.targets.delete(element);
    };
  };

  private write(element: HTMLElement) {
    const { scale, x, y } = this.view;
    element.style.transform = `translate(${(x * 100).toFixed(4)}%, ${(y * 100).toFixed(4)}%) scale(${scale.toFixed(5)})`;
  }

  private set(next: View) {
    const scale = clamp(next.scale, 1, this.maxScale);
    // The box always covers the viewport: no empty margins past the image box.
    const x = clamp(next.x, 1 - scale, 0);
    const y = clamp(next.y, 1 - scale, 0);
    if (scale === this.view.scale && x === this.view.x && y === this.view.y) return;
    if (scale !== this.view.scale) this.notifyScale = true;
    this.view = { scale, x, y };
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      for (const element of this.targets) this.write(element);
      for (const watcher of this.watchers) watcher(this.view);
      if (this.notifyScale) {
        this.notifyScale = false;
        for (const listener of this.listeners) listener();
      }
    });
  }

  /** Zooms by `factor` keeping the point (px, py) — fractions of the viewport — still. */
  zoomAt(factor: number, px = 0.5, py = 0.5) {
    this.zoomTo(this.view.scale * factor, px, py);
  }

  zoomTo(target: number, px = 0.5, py = 0.5) {
    const { scale, x, y } = this.view;
    const next = clamp(target, 1, this.maxScale);
    const k = next / scale;
    this.set({ scale: next, x: px - (px - x) * k, y: py - (py - y) * k });
  }

  /** Moves by fractions of the viewport. */
  panBy(dx: number, dy: number) {
    const { scale, x, y } = this.view;
    this.set({ scale, x: x + dx, y: y + dy });
  }

  fit() {
    this.set({ scale: 1, x: 0, y: 0 });
  }

  isZoomed() {
    return this.view.scale > 1.0001;
  }

  /** Stops a pending frame; targets, listeners and watchers detach themselves. */
  dispose() {
    if (this.frame) cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.notifyScale = false;
  }
}

/**
 * Wheel, pinch, drag and double-click on one viewport, driving the shared ZoomPan.
 * `realScale(rect)` gives how many screen pixels one image pixel takes at fit, so a
 * double-click can toggle between fit and 100 %. `onPress` may claim a pointer press
 * (the slider divider does) by returning true. Returns the cleanup.
 */
export function bindGestures(
  viewport: HTMLElement,
  zoom: ZoomPan,
  options: {
    fitPixelRatio: (rect: DOMRect) => number;
    onPress?: (event: PointerEvent) => boolean;
  },
): () => void {
  const pointers = new Map<number, { x: number; y: number }>();
  let pinch: { distance: number; cx: number; cy: number } | null = null;

  const fraction = (clientX: number, clientY: number) => {
    const rect = viewport.getBoundingClientRect();
    return { px: (clientX - rect.left) / rect.width, py: (clientY - rect.top) / rect.height, rect };
  };

  const onWheel = (event: WheelEvent) => {
    event.preventDefault();
    const { px, py } = fraction(event.clientX, event.clientY);
    // Lines (Firefox) → pixels; trackpad pinch arrives as ctrl+wheel with small deltas.
    const delta = event.deltaMode === 1 ? event.deltaY * 16 : event.deltaY;
    const factor = Math.exp(-delta * (event.ctrlKey ? 0.01 : 0.0015));
    zoom.zoomAt(factor, px, py);
  };

  const pinchState = () => {
    const [a, b] = [...pointers.values()];
    if (!a || !b) return null;
    return { distance: Math.hypot(a.x - b.x, a.y - b.y), cx: (a.x + b.x) / 2, cy: (a.y + b.y) / 2 };
  };

  const onPointerDown = (event: PointerEvent) => {
    if (event.pointerType === "mouse" && event.button !== 0) return;
    if (pointers.size === 0 && options.onPress?.(event)) return;
    pointers.set(event.pointerId, { x: event.clientX, y: event.clientY });
    viewport.setPointerCapture(event.pointerId);
    if (pointers.size === 2) pinch = pinchState();
    if (event.pointerType === "mouse") event.preventDefault();
    viewport.focus({ preventScroll: true });
    viewport.dataset.panning = zoom.isZoomed() ? "true" : "";
  };

  const onPointerMove = (event: PointerEvent) => {
    const last = pointers.get(event.pointerId);
    if (!last) return;
    const rect = viewport.getBoundingClientRect();
    if (pointers.size >= 2) {
      pointers.set(event.pointerId, { x: event.clientX, y: event.clientY });
      const now = pinchState();
      if (pinch && now && pinch.distance > 0) {
        zoom.panBy((now.cx - pinch.cx) / rect.width, (now.cy - pinch.cy) / rect.height);
        zoom.zoomAt(now.distance / pinch.distance, (now.cx - rect.left) / rect.width, (now.cy - rect.top) / rect.height);
      }
      pinch = now;
      return;
    }
    zoom.panBy((event.clientX - last.x) / rect.width, (event.clientY - last.y) / rect.height);
    pointers.set(event.pointerId, { x: event.clientX, y: event.clientY });
  };

  const onPointerUp = (event: PointerEvent) => {
    if (!pointers.delete(event.pointerId)) return;
    if (viewport.hasPointerCapture(event.pointerId)) viewport.releasePointerCapture(event.pointerId);
    pinch = pointers.size === 2 ? pinchState() : null;
    if (pointers.size === 0) viewport.dataset.panning = "";
  };

  const onDoubleClick = (event: MouseEvent) => {
    if ((event.target as Element | null)?.closest("[data-no-zoom]")) return;
    event.preventDefault();
    const { px, py, rect } = fraction(event.clientX, event.clientY);
    if (zoom.isZoomed()) return zoom.fit();
    // 100 %: one image pixel per screen pixel; when fit already shows more than that, 2× instead.
    const actual = 1 / options.fitPixelRatio(rect);
    zoom.zoomTo(actual > 1.05 ? actual : 2, px, py);
  };

  viewport.addEventListener("wheel", onWheel, { passive: false });
  viewport.addEventListener("pointerdown", onPointerDown);
  viewport.addEventListener("pointermove", onPointerMove);
  viewport.addEventListener("pointerup", onPointerUp);
  viewport.addEventListener("pointercancel", onPointerUp);
  viewport.addEventListener("dblclick", onDoubleClick);
  return () => {
    viewport.removeEventListener("wheel", onWheel);
    viewport.removeEventListener("pointerdown", onPointerDown);
    viewport.removeEventListener("pointermove", onPointerMove);
    viewport.removeEventListener("pointerup", onPointerUp);
    viewport.removeEventListener("pointercancel", onPointerUp);
    viewport.removeEventListener("dblclick", onDoubleClick);
  };
}
