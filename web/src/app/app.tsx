import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { createBrowserRouter, RouterProvider } from "react-router-dom";
import { ApiError } from "../lib/api/client";
import { showError } from "../lib/toast-store";
import { Toaster } from "../components/toaster";
import { routes } from "./routes";

const queryClient = new QueryClient({
  queryCache: new QueryCache({
    onError: (error, query) => {
      const what = (query.meta?.what as string | undefined) ?? "Loading data";
      showError(error, `${what} failed`);
    },
  }),
  mutationCache: new MutationCache({
    onError: (error, _vars, _ctx, mutation) => {
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

/** The providers (server state, routing, toasts) around every page. */
export function App() {
  return (
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
      <Toaster />
    </QueryClientProvider>
  );
}
