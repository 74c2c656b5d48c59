/// <reference types="vite/client" />
import type { DescService } from "@bufbuild/protobuf";
import type { Transport } from "@connectrpc/connect";
import { serviceTable } from "../../src/service-table.ts";

/** The behaviour of one service, run by each runtime's protocol tests over every transport. */
export interface ServiceContract {
  service: DescService;
  run(transport: () => Transport): void;
}

// Every test/shared/*-contract.ts that exports `serviceContract` (vite resolves the glob
// when the test is bundled, on Node and in workerd alike): a new service's contract is
// picked up without editing the runners.
const modules = import.meta.glob<{ serviceContract?: ServiceContract }>("./*-contract.ts", { eager: true });
const contracts = Object.values(modules).flatMap((module) => (module.serviceContract ? [module.serviceContract] : []));

/**
 * The contract of every service in the wiring table (src/service-table.ts), in its
 * order; a served service without one fails here, so none goes untested.
 */
export function serviceContracts(): ServiceContract[] {
  return serviceTable.map(({ service }) => {
    const contract = contracts.find((c) => c.service.typeName === service.typeName);
    if (!contract) throw new Error(`no test/shared/*-contract.ts exports a serviceContract for ${service.typeName}`);
    return contract;
  });
}
