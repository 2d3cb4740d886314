import { isRouteErrorResponse, Link, useRouteError } from "react-router-dom";

/** What shows if a page throws: the error, never a blank screen. */
export function RouteError() {
  const error = useRouteError();
  const message = isRouteErrorResponse(error) ? `${error.status} ${error.statusText}` : error instanceof Error ? error.message : String(error);
  return (
    <div style={{ padding: 24 }}>
      <div className="error-box" role="alert">
        <strong>Something went wrong showing this page.</strong>
        <pre>{message}</pre>
      </div>
      <p>
        <Link to="/">Back to the projects</Link>
      </p>
    </div>
  );
}

export function NotFound() {
  return (
    <div>
      <h1>Page not found</h1>
      <p>
        Nothing lives at this address. <Link to="/">See the projects</Link>.
      </p>
    </div>
  );
}
