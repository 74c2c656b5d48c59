import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, posix } from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { Deployment, type IDeployment } from "kubernetes-models/apps/v1/Deployment";
import { ConfigMap, type IConfigMap } from "kubernetes-models/v1/ConfigMap";
import { PersistentVolumeClaim } from "kubernetes-models/v1/PersistentVolumeClaim";
import { type IService, Service } from "kubernetes-models/v1/Service";
import { afterAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { parseConfig } from "../../src/config/parse-config.ts";
import { readNodeEnv } from "../../src/runtime/node/node-env.ts";
import { argsOf, parseDockerfile } from "./dockerfile.ts";
import { startServerProcess } from "./server-process.ts";

// deploy/k8s against the Kubernetes schemas (kubernetes-models validates types, enums and
// required fields; it does not reject unknown field names, so the fields that matter are
// read back by exact path below), plus the invariants that tie the files together and to
// the server.

const root = new URL("../../", import.meta.url).pathname;
const dir = join(root, "deploy/k8s");
const models = { Deployment, Service, ConfigMap, PersistentVolumeClaim } as const;

const documents = readdirSync(dir)
  .filter((file) => /\.ya?ml$/.test(file))
  .flatMap((file) =>
    parseAllDocuments(readFileSync(join(dir, file), "utf8")).map((doc) => {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors.join("; ")}`);
      return { file, object: doc.toJS() as { kind: string; metadata: { name: string } } };
    }),
  );
const only = <T>(kind: keyof typeof models): T => {
  const found = documents.filter((d) => d.object.kind === kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, found ${found.length}`);
  return found[0]!.object as T;
};
const deployment = only<IDeployment>("Deployment");
const service = only<IService>("Service");
const configMap = only<IConfigMap>("ConfigMap");
const pod = deployment.spec!.template.spec!;
const container = pod.containers[0]!;
const env = Object.fromEntries((container.env ?? []).map((e) => [e.name, e.value ?? ""]));
const mountOf = (path: string) => container.volumeMounts?.find((m) => m.mountPath === path);
const volumeOf = (name: string | undefined) => pod.volumes?.find((v) => v.name === name);

describe("deploy/k8s schemas", () => {
  it("should hold a Deployment, a Service, a ConfigMap and a PersistentVolumeClaim, each valid", () => {
    expect(documents.map((d) => d.object.kind).sort()).toEqual(["ConfigMap", "Deployment", "PersistentVolumeClaim", "Service"]);
    for (const { file, object } of documents) {
      const Model = models[object.kind as keyof typeof models];
      expect(() => new Model(object as never).validate(), file).not.toThrow();
    }
  });

  it("should catch a schema error (the validation is not a no-op)", () => {
    const broken = structuredClone(deployment) as any;
    broken.spec.template.spec.containers[0].readinessProbe.grpc.port = "8080";
    expect(() => new Deployment(broken).validate()).toThrow(/readinessProbe\/grpc\/port must be integer/);
  });
});

describe("deploy/k8s invariants", () => {
  it("should use one port everywhere: container, PORT, both gRPC probes, the Service's target", () => {
    expect(container.ports).toHaveLength(1);
    const port = container.ports![0]!;
    expect(port.containerPort).toBe(8080);
    expect(Number(env.PORT)).toBe(port.containerPort);
    expect(container.readinessProbe?.grpc).toEqual({ port: port.containerPort, service: "" });
    expect(container.livenessProbe?.grpc).toEqual({ port: port.containerPort, service: "liveness" });
    const target = service.spec!.ports![0]!.targetPort;
    expect(typeof target === "string" ? container.ports!.find((p) => p.name === target)?.containerPort : target).toBe(port.containerPort);
    expect(service.spec!.ports![0]!.appProtocol).toBe("kubernetes.io/h2c");
  });

  it("should select the Deployment's pods from the Service", () => {
    const labels = deployment.spec!.template.metadata!.labels!;
    expect(labels).toMatchObject(deployment.spec!.selector.matchLabels!);
    expect(labels).toMatchObject(service.spec!.selector!);
  });

  it("should give the server every env value it accepts", () => {
    expect(() => readNodeEnv(env)).not.toThrow();
    expect(env.HOST).toBe("0.0.0.0");
    // Off loopback without an issuer, every protected method would refuse every call.
    expect(readNodeEnv(env).auth.mode).toBe("issuer");
  });

  it("should let preStop, the shutdown delay and the drain grace finish inside terminationGracePeriodSeconds", () => {
    const preStop = container.lifecycle?.preStop?.sleep?.seconds ?? Number.NaN;
    const delay = Number(env.SHUTDOWN_DELAY_MS) / 1000;
    const grace = Number(env.SHUTDOWN_GRACE_MS) / 1000;
    const termination = pod.terminationGracePeriodSeconds ?? 30;
    expect(preStop).toBeGreaterThan(0);
    expect(delay).toBeGreaterThan(0);
    expect(grace).toBeGreaterThan(0);
    // At least 5 s left for flushing spans and metrics and closing the database.
    expect(termination).toBeGreaterThanOrEqual(preStop + delay + grace + 5);
    // Liveness cannot restart a draining server: its failures take longer than the whole shutdown.
    const liveness = container.livenessProbe!;
    expect((liveness.periodSeconds ?? 10) * (liveness.failureThreshold ?? 3)).toBeGreaterThan(termination);
  });

  it("should run as the image's non-root user, with no privileges and a read-only root", () => {
    const [uid, gid] = argsOf(parseDockerfile(join(root, "Dockerfile")).at(-1)!, "USER")[0]!
      .split(":")
      .map(Number);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: uid, runAsGroup: gid, fsGroup: gid });
    expect(pod.securityContext?.seccompProfile?.type).toBe("RuntimeDefault");
    expect(container.securityContext).toEqual({
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
    });
    expect(pod.automountServiceAccountToken).toBe(false);
  });

  it("should mount writable volumes at /data (the claim, holding DATABASE_PATH) and /tmp", () => {
    const data = volumeOf(mountOf("/data")?.name);
    const claim = only<{ metadata: { name: string } }>("PersistentVolumeClaim");
    expect(data?.persistentVolumeClaim?.claimName).toBe(claim.metadata.name);
    expect(posix.dirname(env.DATABASE_PATH!)).toBe("/data");
    expect(volumeOf(mountOf("/tmp")?.name)?.emptyDir).toBeDefined();
    for (const path of ["/data", "/tmp"]) expect(mountOf(path)?.readOnly ?? false, path).toBe(false);
    // One writer for one SQLite file: see persistent-volume-claim.yaml.
    expect(deployment.spec!.replicas).toBe(1);
    expect(deployment.spec!.strategy?.type).toBe("Recreate");
  });

  it("should request and limit CPU and memory", () => {
    const { requests, limits } = container.resources ?? {};
    for (const resource of ["cpu", "memory"]) {
      expect(requests?.[resource], `requests.${resource}`).toBeDefined();
      expect(limits?.[resource], `limits.${resource}`).toBeDefined();
    }
  });

  it("should feed the ConfigMap's key to CONFIG_FILE through a folder mount, and hold a valid config", () => {
    const keys = Object.keys(configMap.data ?? {});
    expect(keys).toHaveLength(1);
    const mount = container.volumeMounts!.find((m) => volumeOf(m.name)?.configMap?.name === configMap.metadata!.name);
    expect(mount?.readOnly).toBe(true);
    expect(mount?.subPath).toBeUndefined(); // a subPath mount would never see an update
    expect(env.CONFIG_FILE).toBe(posix.join(mount!.mountPath, keys[0]!));
    const result = parseConfig(configMap.data![keys[0]!]!);
    expect(result.ok ? [] : result.problems).toEqual([]);
  });
});

describe("the server as the Deployment configures it", () => {
  const temp = mkdtempSync(join(tmpdir(), "k8s-manifests-"));
  afterAll(() => rmSync(temp, { recursive: true, force: true }));

  it("should answer the probes' grpc.health.v1 Check SERVING, and NOT_SERVING while it still serves after SIGTERM", async () => {
    const configFile = join(temp, "config.json");
    writeFileSync(configFile, Object.values(configMap.data!)[0]!);
    // The probe is public: the example issuer's keys are never fetched.
    const server = await startServerProcess({
      ...env,
      AUTH_JWKS: "",
      HOST: "127.0.0.1",
      PORT: "0",
      DATABASE_PATH: join(temp, "app.db"),
      CONFIG_FILE: configFile,
    });
    const definition = protoLoader.loadSync(join(root, "node_modules/grpc-health-check/proto/health/v1/health.proto"), { enums: String });
    const Health = (grpc.loadPackageDefinition(definition) as any).grpc.health.v1.Health;
    const client = new Health(new URL(server.url).host, grpc.credentials.createInsecure());
    const check = (service: string) =>
      new Promise<string>((resolve, reject) =>
        client.Check({ service }, { deadline: Date.now() + 2000 }, (error: Error | null, response: { status: string }) =>
          error ? reject(error) : resolve(response.status),
        ),
      );
    try {
      expect(await check(container.readinessProbe!.grpc!.service ?? "")).toBe("SERVING");
      expect(await check(container.livenessProbe!.grpc!.service ?? "")).toBe("SERVING");
      const exited = server.stop();
      // Inside SHUTDOWN_DELAY_MS: not ready, yet still answering (the check itself is a call).
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await check("")).toBe("NOT_SERVING");
      expect(await check(container.livenessProbe!.grpc!.service ?? "")).toBe("SERVING");
      expect(await exited).toBe(0);
    } finally {
      client.close();
    }
  });
});
