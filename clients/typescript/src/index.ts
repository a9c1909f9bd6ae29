import createClient, { type ClientOptions } from "openapi-fetch";
import type { components, paths } from "./schema.js";

export type { components, paths };
export type Schemas = components["schemas"];
export type PredictRequest = Schemas["PredictRequest"];
export type PredictResponse = Schemas["PredictResponse"];
export type ProblemDetails = Schemas["ProblemDetails"];
export type ValidationProblem = Schemas["HttpValidationProblemDetails"];

export interface OpenSesameOptions extends ClientOptions {
  /** Sent as X-Api-Key; leave it out while the service has no keys configured (loopback only). */
  apiKey?: string;
}

/** A client for every route of the service's OpenAPI document, typed by the generated `paths`. */
export function createOpenSesameClient(options: OpenSesameOptions = {}) {
  const { apiKey, headers, ...rest } = options;
  return createClient<paths>({
    ...rest,
    headers: apiKey ? { ...(headers as Record<string, string> | undefined), "X-Api-Key": apiKey } : headers,
  });
}
