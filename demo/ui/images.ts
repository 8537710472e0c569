// Image grids for image datasets (MNIST): generated samples as a cols × rows mosaic of grey images with values in
// [-1, 1] (the library's scaling), drawn through an ImageData at native size and scaled up without smoothing.
// Only drawing: the images come from the generator via the library.

/** Draws `count` images (each width × height, row-major, in [-1, 1]) as a grid of `cols` columns. */
export function drawImageGrid(
  canvas: HTMLCanvasElement,
  images: Float32Array,
  count: number,
  width: number,
  height: number,
  cols: number,
): void {
  const rows = Math.ceil(count / cols);
  const gap = 1;
  const W = cols * (width + gap) + gap;
  const H = rows * (height + gap) + gap;
  const off = document.createElement("canvas");
  off.width = W;
  off.height = H;
  const octx = off.getContext("2d")!;
  const img = octx.createImageData(W, H);
  img.data.fill(255);
  const px = width * height;
  for (let n = 0; n < count; n++) {
    const ox = gap + (n % cols) * (width + gap);
    const oy = gap + Math.floor(n / cols) * (height + gap);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const v = images[n * px + y * width + x]!;
        // [-1, 1] -> ink on paper: -1 is white, +1 black, as MNIST digits are usually shown.
        const g = Number.isFinite(v) ? Math.round(255 * (1 - Math.min(1, Math.max(0, (v + 1) / 2)))) : 255;
        const o = ((oy + y) * W + ox + x) * 4;
        img.data[o] = g;
        img.data[o + 1] = g;
        img.data[o + 2] = g;
      }
    }
  }
  octx.putImageData(img, 0, 0);
  const ctx = canvas.getContext("2d")!;
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.imageSmoothingEnabled = false;
  const s = Math.min(canvas.width / W, canvas.height / H);
  ctx.drawImage(off, 0, 0, W * s, H * s);
}
