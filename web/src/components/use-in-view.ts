import { useEffect, useState, type RefObject } from "react";

/** Whether the element has come near the viewport (and stays true once it has), so that
 * a page of many charts fetches only the ones a person scrolls to. */
export function useInView(ref: RefObject<Element | null>, margin = "300px"): boolean {
  const [seen, setSeen] = useState(false);
  useEffect(() => {
    const element = ref.current;
    if (!element || seen) return;
    if (typeof IntersectionObserver === "undefined") {
      setSeen(true);
      return;
    }
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) setSeen(true);
    }, { rootMargin: margin });
    observer.observe(element);
    return () => observer.disconnect();
  }, [ref, margin, seen]);
  return seen;
}
