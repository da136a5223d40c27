// The shared domain cases on SQLite, the embedded default (their PostgreSQL run: domain-postgres.test.ts).
import { useFreshDataDir } from "../support/test-db";
import { domainCases } from "./domain-cases";

useFreshDataDir();
domainCases("sqlite");
