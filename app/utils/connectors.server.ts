import { loadConnectorsConfig, type Registry } from "../connectors/registry";
import { env, secretFromEnv } from "./env.server";

let instance: { registry: Registry; file: string } | undefined;

/** The configured connectors, built once per configuration file. */
export function connectors(): Registry {
  const e = env();
  if (!instance || instance.file !== e.CONNECTORS_CONFIG) {
    void instance?.registry.close();
    instance = { registry: loadConnectorsConfig(e.CONNECTORS_CONFIG, secretFromEnv, { dataDir: e.DATA_DIR, demoCrmPort: String(e.DEMO_CRM_PORT) }), file: e.CONNECTORS_CONFIG };
  }
  return instance.registry;
}

export async function closeConnectors() {
  await instance?.registry.close();
  instance = undefined;
}
