import { useEffect, useRef, useState } from "react";
import { peaks } from "../lib/waveform";

const MAX_BYTES = 32 * 1024 * 1024;

/** The waveform of an audio file, decoded in the browser (files up to 32 MiB). */
export function Waveform({ url, label, size }: { url: string; label: string; size: number }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [state, setState] = useState<"loading" | "done" | "skipped">(size > MAX_BYTES ? "skipped" : "loading");
  useEffect(() => {
    if (size > MAX_BYTES) return;
    const controller = new AbortController();
    (async () => {
      try {
        const response = await fetch(url, { signal: controller.signal });
        if (!response.ok) throw new Error(String(response.status));
        const data = await response.arrayBuffer();
        // An offline context decodes without the autoplay rules of a live one.
        const audio = await new OfflineAudioContext(1, 1, 44_100).decodeAudioData(data);
        const element = canvas.current;
        if (!element || controller.signal.aborted) return;
        const width = element.clientWidth || 400;
        const height = element.clientHeight || 48;
        element.width = width * devicePixelRatio;
        element.height = height * devicePixelRatio;
        const ctx = element.getContext("2d");
        if (!ctx) return;
        ctx.scale(devicePixelRatio, devicePixelRatio);
        const { min, max } = peaks(audio.getChannelData(0), width);
        ctx.fillStyle = getComputedStyle(element).color;
        for (let x = 0; x < width; x += 1) {
          const top = ((1 - (max[x] ?? 0)) / 2) * height;
          const bottom = ((1 - (min[x] ?? 0)) / 2) * height;
          ctx.fillRect(x, top, 1, Math.max(1, bottom - top));
        }
        setState("done");
      } catch {
        if (!controller.signal.aborted) setState("skipped");
      }
    })();
    return () => controller.abort();
  }, [url, size]);
  if (state === "skipped") return null;
  return <canvas ref={canvas} className="waveform" role="img" aria-label={`Waveform of ${label}`} />;
}
