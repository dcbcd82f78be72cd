import { createHash, randomUUID } from 'node:crypto';

/** A custom workflow action's definition as the app ships it (src/app/workflow-actions/*-hsmeta.json). */
export interface ActionDefinition { uid: string; config: { actionUrl: string; objectTypes: string[] } }

/** One action's execution in a workflow's history, as HubSpot keeps it. */
export interface WorkflowExecution {
  workflowId: number;
  action: string;
  objectType: string;
  objectId: string;
  callbackId: string;
  /** Every HTTP answer of this execution (a 5xx or lost answer is tried again with the same callbackId). */
  attempts: number[];
  state: 'SUCCESS' | 'FAIL_CONTINUE' | 'BLOCK' | 'ERROR';
  outputFields: Record<string, unknown>;
  errorMessage?: string;
}

/**
 * HubSpot's workflow engine as far as custom actions go (HubSpot's "custom workflow actions"
 * guide): for each action of a workflow it POSTs the execution request to the action's URL (the
 * definition's path on the app's deployed address), signed with v2 (hex SHA-256 of the app secret,
 * method, URL and body), retries an answer it did not get or a 5xx with the same callbackId, and
 * keeps the outcome (hs_execution_state, output fields, error message) in the workflow's history.
 */
export class SandboxWorkflows {
  readonly history: WorkflowExecution[] = [];

  constructor(private readonly o: { appBaseUrl: string; clientSecret: string; maxAttempts?: number }) {}

  /** Runs a workflow of these actions, in order, on one record; returns the executions. */
  async run(portalId: number, workflowId: number, actions: ActionDefinition[], object: { objectType: string; objectId: string }): Promise<WorkflowExecution[]> {
    const runs: WorkflowExecution[] = [];
    for (const definition of actions) {
      if (!definition.config.objectTypes.includes(object.objectType)) throw new Error(`${definition.uid} does not run on ${object.objectType}`);
      const url = new URL(new URL(definition.config.actionUrl).pathname, this.o.appBaseUrl).href;
      const execution: WorkflowExecution = { workflowId, action: definition.uid, objectType: object.objectType, objectId: object.objectId, callbackId: `ap-${randomUUID()}`, attempts: [], state: 'ERROR', outputFields: {} };
      const body = JSON.stringify({
        callbackId: execution.callbackId, origin: { portalId, actionDefinitionId: 51, actionDefinitionVersion: 1 },
        context: { source: 'WORKFLOWS', workflowId }, object: { objectId: Number(object.objectId), objectType: object.objectType }, inputFields: {},
      });
      const signature = createHash('sha256').update(`${this.o.clientSecret}POST${url}${body}`).digest('hex');
      for (let attempt = 1; attempt <= (this.o.maxAttempts ?? 3); attempt++) {
        const res = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-hubspot-signature': signature, 'x-hubspot-signature-version': 'v2' } }).catch(() => null);
        execution.attempts.push(res?.status ?? 0);
        if (!res || res.status >= 500) { await res?.arrayBuffer(); continue; }
        const answer = await res.json().catch(() => ({})) as { outputFields?: Record<string, unknown> };
        const { hs_execution_state: state, errorMessage, ...outputs } = answer.outputFields ?? {};
        execution.state = res.ok && typeof state === 'string' ? state as WorkflowExecution['state'] : 'ERROR';
        execution.outputFields = outputs;
        if (typeof errorMessage === 'string') execution.errorMessage = errorMessage;
        break;
      }
      this.history.push(execution);
      runs.push(execution);
    }
    return runs;
  }
}
