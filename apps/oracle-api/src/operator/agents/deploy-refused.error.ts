/** A deploy while a rollout holds the agent: the canary compares against the stable revision a deploy would replace. */
export class DeployRefusedError extends Error {
  readonly httpStatus = 409;
  readonly problemType = 'urn:metaloop:problem:deploy-refused';
  readonly extensions: { agent_id: string; rollout_id: string; rollout_status: string };

  constructor(agentId: string, rolloutId: string, status: string) {
    super(
      `agent "${agentId}" has a ${status} rollout (${rolloutId}); roll it back (POST /api/v1/oracle/rollback) before deploying`,
    );
    this.extensions = { agent_id: agentId, rollout_id: rolloutId, rollout_status: status };
  }
}
