/** OpenAPI security requirement shared by every /v1 route: the key in a header or in the query. */
export const API_KEY_SECURITY: Record<string, string[]>[] = [{ apiKeyHeader: [] }, { apiKeyQuery: [] }];
