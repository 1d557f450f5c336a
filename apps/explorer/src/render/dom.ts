// Tiny DOM helpers: create an element with attributes and children, and size a canvas for the screen
// without forcing a layout on every redraw (widths are read once and kept until the window resizes).

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  for (const child of children) element.append(child);
  return element;
}

let widths = new WeakMap<Element, number>();
if (typeof window !== 'undefined') {
  window.addEventListener('resize', () => {
    widths = new WeakMap();
  });
}

/** The element's CSS width, read from layout once (reading it after DOM writes would force a reflow). */
export function cachedWidth(element: HTMLElement): number {
  let width = widths.get(element);
  if (width === undefined || width === 0) {
    width = element.clientWidth;
    widths.set(element, width);
  }
  return width;
}

/** Sets the canvas's backing store to `cssWidth` × `cssHeight` CSS pixels at the device pixel ratio. */
export function fitCanvas(
  canvas: HTMLCanvasElement,
  cssHeight: number,
  cssWidth: number = cachedWidth(canvas),
): { context: CanvasRenderingContext2D; width: number; height: number } {
  const ratio = window.devicePixelRatio || 1;
  const width = Math.max(1, cssWidth || 800);
  const height = `${cssHeight}px`;
  if (canvas.style.height !== height) canvas.style.height = height;
  if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(cssHeight * ratio)) {
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(cssHeight * ratio);
  }
  const context = canvas.getContext('2d')!;
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  return { context, width, height: cssHeight };
}
