import type { Connector } from "../types";
import { ConfigSchema, kind, type Config } from "./config";
import { SqlSurveyConnector } from "./connector";

/**
 * sql-survey: the market-research database (respondents and their answers,
 * the seed's Document 1) on SQLite, PostgreSQL or MariaDB, described by a
 * declarative mapping (see README.md in this folder).
 */
export { kind, ConfigSchema, type Config };

const URL_SCHEMES = { postgres: /^postgres(ql)?:\/\//, mariadb: /^(mysql|mariadb):\/\// } as const;

/**
 * Builds the connector without touching the database (it connects on first
 * use, so a server that is down does not stop start-up: health() says so).
 * Secrets are read here, by name: a missing one is a configuration error.
 */
export function create(config: Config, secret: (envName: string) => string | undefined): Connector {
  let url: string;
  if (config.dialect === "sqlite") {
    if (!config.url) throw new Error('url: required for dialect "sqlite"');
    url = config.url;
  } else {
    const name = config.urlEnv;
    if (!name) throw new Error(`urlEnv: required for dialect "${config.dialect}"`);
    const value = secret(name)?.trim();
    if (!value) throw new Error(`urlEnv: environment variable ${name} is not set`);
    // Never echo the value: it holds a password.
    if (!URL_SCHEMES[config.dialect].test(value))
      throw new Error(`urlEnv: environment variable ${name} must hold a ${config.dialect === "postgres" ? "postgres://" : "mysql://"} URL`);
    url = value;
  }
  let hashKey: string | undefined;
  if (config.hashKeyEnv) {
    hashKey = secret(config.hashKeyEnv);
    if (!hashKey) throw new Error(`hashKeyEnv: environment variable ${config.hashKeyEnv} is not set`);
  }
  return new SqlSurveyConnector(config, url, hashKey);
}
