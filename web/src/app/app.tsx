import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { createBrowserRouter, RouterProvider } from "react-router-dom";
import { ApiError, setUnauthenticatedListener } from "../lib/api/client";
import type { Me } from "../lib/api/types";
import { loginPath } from "../lib/next-path";
import { showError } from "../lib/toast-store";
import { Toaster } from "../components/toaster";
import { endsSession, ME_KEY, signedOut } from "../lib/session";
import { routes } from "./routes";

/** A 401 sends the GUI to the login page (which says why); it needs no toast of its own. */
const isUnauthenticated = (error: unknown) => error instanceof ApiError && error.status === 401;

const queryClient = new QueryClient({
  queryCache: new QueryCache({
    onError: (error, query) => {
      if (isUnauthenticated(error)) return;
      // a page that shows this error in place (an invalid query under the query box) asks for no toast
      const inline = query.meta?.inlineCodes as readonly string[] | undefined;
      if (error instanceof ApiError && inline?.includes(error.code)) return;
      const what = (query.meta?.what as string | undefined) ?? "Loading data";
      showError(error, `${what} failed`);
    },
  }),
  mutationCache: new MutationCache({
    onError: (error, _vars, _ctx, mutation) => {
      // a form that shows its own error in place (login, members) asks for no toast
      if (mutation.meta?.inline || isUnauthenticated(error)) return;
      const what = (mutation.meta?.what as string | undefined) ?? "The change";
      showError(error, `${what} failed`);
    },
  }),
  defaultOptions: {
    queries: {
      staleTime: 5_000,
      refetchOnWindowFocus: false,
      retry: (count, error) => !(error instanceof ApiError && error.status >= 400 && error.status < 500) && count < 2,
    },
  },
});

const router = createBrowserRouter(routes);

// With auth on, an API call answered 401 means the session ended (expired, logged out in
// another tab, user disabled): go to the login page, coming back here after.
setUnauthenticatedListener((_error, url) => {
  const me = queryClient.getQueryData<Me>(ME_KEY);
  const { pathname, search, hash } = router.state.location;
  if (me?.auth === false || pathname === "/login" || !endsSession(url)) return;
  void router.navigate(loginPath(pathname + search + hash), { replace: true });
  signedOut(queryClient);
});

/** The providers (server state, routing, toasts) around every page. */
export function App() {
  return (
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
      <Toaster />
    </QueryClientProvider>
  );
}
