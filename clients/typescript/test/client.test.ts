import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createOpenSesameClient, type PredictRequest, type ValidationProblem } from "../src/index.js";
import { repoRoot, startService, type RunningService } from "../scripts/service.js";

// The README's sample request: the billing spec, two recent calls and a prompt.
const sample = JSON.parse(readFileSync(join(repoRoot, "samples", "requests", "finish-billing.json"), "utf8")) as PredictRequest;

describe("the generated client against the running service", () => {
  let service: RunningService;
  let client: ReturnType<typeof createOpenSesameClient>;

  before(async () => {
    service = await startService();
    client = createOpenSesameClient({ baseUrl: service.baseUrl });
  });

  after(async () => {
    await service?.stop();
  });

  it("reads /health/ready as Healthy", async () => {
    const { data, response } = await client.GET("/health/ready", { parseAs: "text" });
    assert.equal(response.status, 200);
    assert.equal(data, "Healthy");
  });

  it("predicts five calls of the sample spec, each with a score and a reason", async () => {
    const { data, error, response } = await client.POST("/predict", { body: sample });
    assert.equal(response.status, 200, `${JSON.stringify(error)}\n${service.output()}`);
    assert.ok(data);
    assert.equal(data.predictions.length, 5);
    for (const prediction of data.predictions) {
      assert.match(prediction.endpoint, /^(GET|POST|PUT|PATCH|DELETE) \/v1\//);
      assert.ok(prediction.score > 0 && prediction.score <= 1);
      assert.ok(prediction.why.length > 0);
    }
    assert.ok(data.prediction_id.length > 0);
    assert.ok(Object.keys(data.metadata.stages_ms).length > 0);
  });

  it("answers a k out of range with 400 problem details naming the field", async () => {
    const { data, error, response } = await client.POST("/predict", { body: { ...sample, k: 99 } });
    assert.equal(response.status, 400);
    assert.equal(data, undefined);
    assert.match(response.headers.get("content-type") ?? "", /application\/problem\+json/);
    // Every error status shares the `error` union; the 400 of this route is the validation problem.
    const problem = error as ValidationProblem;
    assert.equal(problem.status, 400);
    assert.ok(problem.errors?.["k"]?.length, JSON.stringify(problem));
  });

  it("lists the operations of the sample spec", async () => {
    const { data, response } = await client.POST("/specs/operations", { body: { spec_url: sample.spec_url } });
    assert.equal(response.status, 200);
    assert.ok(data?.operations.some((operation) => operation.endpoint === "POST /v1/invoices/{invoice}/finalize"));
  });

  it("answers a spec that is not OpenAPI with 422 problem details", async () => {
    const { error, response } = await client.POST("/specs/operations", { body: { spec: "just: some yaml" } });
    assert.equal(response.status, 422);
    assert.ok(error?.detail, JSON.stringify(error));
  });
});
