// How a portal reads countypath from TypeScript: openapi-fetch typed by the types that
// openapi-typescript generates from /openapi.json. `tsc --strict` checks this file in CI, so a
// response shape that loosens (an untyped field, a lost enum) or a typo in a field name fails.
import createClient from "openapi-fetch";
import type { components, paths } from "./countypath";

type Schemas = components["schemas"];
type Family = Schemas["Family"];
type Status = Schemas["Status"];

const api = createClient<paths>({ baseUrl: "http://127.0.0.1:8000" });

const deqing: Schemas["ProfileIn"] = {
  county: { name: "Deqing", code: "330521", province: "Zhejiang", year: 2024 },
  indicators: { gdp_cny_100m: 720.0, foreign_trade_cny_100m: 344.7, fdi_usd_100m: 0.9871 },
  signals: ["exporters-mostly-smes"],
  benchmark: "zhejiang-2024",
};

export async function flagged(profile: Schemas["ProfileIn"] = deqing): Promise<string[]> {
  const { data, error } = await api.POST("/v1/recommendations", {
    body: profile,
    params: { query: { lang: "zh" } },
  });
  if (error) {
    // Problem codes are an open set: the known ones are Schemas["ErrorCode"], a newer one is a
    // plain string, and both compile.
    const code: Schemas["ErrorCode"] | string = error.code;
    const fields: string[] = (error.errors ?? []).map((e) => e.pointer);
    throw new Error(`${code} ${fields.join(", ")}`);
  }
  const statuses: Status[] = data.challenges.map((c) => c.status);
  // The answer is the full view unless ?view=summary was asked; the field `view` says which.
  const evidence =
    data.view === "full"
      ? data.challenges.flatMap((c) => c.evidence.map((e) => `${e.indicator}: ${e.band}`))
      : [];
  const families: Family[] = data.recommendations.map((r) => r.family);
  return [...statuses, ...evidence, ...families, data.kb_version];
}

export async function catalogTitles(): Promise<string[]> {
  const { data } = await api.GET("/v1/paths", { params: { query: { family: "talent", limit: 5 } } });
  return (data?.items ?? []).map((p) => `${p.slug}: ${p.title} (${p.addresses.map((a) => a.challenge).join(", ")})`);
}

export async function batch(profiles: Schemas["ProfileIn"][]): Promise<number> {
  // The default answer is JSON; NDJSON and .xlsx (asked for with Accept) arrive as text or bytes.
  const { data } = await api.POST("/v1/recommendations/batch", { body: profiles });
  if (data === undefined || typeof data === "string") return 0;
  return data.items.filter((item) => item.error?.code === "VALIDATION_FAILED").length;
}

export async function plan(profile: Schemas["ProfileIn"] = deqing): Promise<number> {
  // A field with a default (horizon, max_actions) may be left out: the server applies it.
  const request: Schemas["PlanRequest"] = { ...profile, horizon: 2030 };
  // The default answer is JSON; Markdown and DOCX (asked for with Accept) arrive as text.
  const { data } = await api.POST("/v1/plans", { body: request });
  if (data === undefined || typeof data === "string") return 0;
  return data.actions.length;
}
