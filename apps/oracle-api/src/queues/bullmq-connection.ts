// Moved to libs/messaging (the orchestrator uses it too); the tick and execution specs still import it from here.
export { bullmqConnection } from '@metaloop/messaging';
