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
  /** Whether the outcome came in the answer, or later through the callbacks API after a BLOCK. */
  completedBy?: 'answer' | 'callback';
  /** How long the app asked HubSpot to wait for the callback (hs_expiration_duration). */
  expiresIn?: string;
}

/** A callback completion as the callbacks API takes it (CallbackCompletionRequest). */
export interface CallbackCompletion { outputFields: Record<string, string>; typedOutputs?: unknown; failureReasonType?: string }

/**
 * HubSpot's workflow engine as far as custom actions go (HubSpot's "custom workflow actions"
 * guide): for each action of a workflow it POSTs the execution request to the action's URL (the
 * definition's path on the app's deployed address), signed with v2 (hex SHA-256 of the app secret,
 * method, URL and body), retries an answer it did not get or a 5xx with the same callbackId, and
 * keeps the outcome (hs_execution_state, output fields, error message) in the workflow's history.
 */
export class SandboxWorkflows {
  readonly history: WorkflowExecution[] = [];
  /** Executions the app answered BLOCK, waiting for their callback. */
  private readonly blocked = new Map<string, { portalId: number; execution: WorkflowExecution; done: () => void }>();

  constructor(private readonly o: { appBaseUrl: string; clientSecret: string; maxAttempts?: number; blockWaitMs?: number }) {}

  /**
   * POST /automation/v4/actions/callbacks/{callbackId}/complete: ends a blocked execution with the
   * outcome the app sends; false for a callbackId that is not blocked in this account (unknown,
   * another account's, or ended already).
   */
  complete(portalId: number, callbackId: string, body: CallbackCompletion): boolean {
    const waiting = this.blocked.get(callbackId);
    if (!waiting || waiting.portalId !== portalId) return false;
    this.blocked.delete(callbackId);
    this.settle(waiting.execution, body.outputFields, 'callback');
    waiting.done();
    return true;
  }

  /** The callbackIds of the executions waiting for their callback. */
  waiting(): string[] { return [...this.blocked.keys()]; }

  /** HubSpot sending an execution's request again (it lost the app's answer): the app's answer's output fields. */
  async resend(callbackId: string): Promise<Record<string, unknown> | undefined> {
    const sent = this.sent.get(callbackId);
    if (!sent) throw new Error(`no execution ${callbackId} was sent`);
    const res = await fetch(sent.url, { method: 'POST', body: sent.body, headers: sent.headers });
    return (await res.json() as { outputFields?: Record<string, unknown> }).outputFields;
  }

  private readonly sent = new Map<string, { url: string; body: string; headers: Record<string, string> }>();

  private settle(execution: WorkflowExecution, fields: Record<string, unknown>, by: 'answer' | 'callback'): void {
    const { hs_execution_state: state, errorMessage, hs_expiration_duration: expiresIn, ...outputs } = fields;
    execution.state = typeof state === 'string' ? state as WorkflowExecution['state'] : 'ERROR';
    execution.outputFields = outputs;
    execution.completedBy = by;
    if (typeof errorMessage === 'string') execution.errorMessage = errorMessage;
    if (typeof expiresIn === 'string') execution.expiresIn = expiresIn;
  }

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
      const headers = { 'content-type': 'application/json', 'x-hubspot-signature': signature, 'x-hubspot-signature-version': 'v2' };
      this.sent.set(execution.callbackId, { url, body, headers });
      for (let attempt = 1; attempt <= (this.o.maxAttempts ?? 3); attempt++) {
        const res = await fetch(url, { method: 'POST', body, headers }).catch(() => null);
        execution.attempts.push(res?.status ?? 0);
        if (!res || res.status >= 500) { await res?.arrayBuffer(); continue; }
        const answer = await res.json().catch(() => ({})) as { outputFields?: Record<string, unknown> };
        this.settle(execution, res.ok ? answer.outputFields ?? {} : {}, 'answer');
        break;
      }
      // BLOCK: the workflow waits at this step until the app completes it (or the wait runs out).
      if (execution.state === 'BLOCK') {
        const completed = new Promise<void>((done) => this.blocked.set(execution.callbackId, { portalId, execution, done }));
        const limit = this.o.blockWaitMs ?? 15_000;
        let timer: NodeJS.Timeout | undefined;
        const expired = new Promise<'expired'>((r) => { timer = setTimeout(() => r('expired'), limit); });
        const how = await Promise.race([completed, expired]);
        clearTimeout(timer);
        if (how === 'expired') {
          this.blocked.delete(execution.callbackId);
          throw new Error(`${definition.uid} on ${object.objectType} ${object.objectId} still blocked after ${limit} ms: the app never completed callback ${execution.callbackId}`);
        }
      }
      this.history.push(execution);
      runs.push(execution);
    }
    return runs;
  }
}
