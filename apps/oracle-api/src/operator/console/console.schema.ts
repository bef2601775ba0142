import { SCOPES } from '@metaloop/auth';
import { z } from 'zod';

/** `GET /api/v1/auth/whoami`: the calling key, so a client (the console) shows only what it may do. */
export const whoamiSchema = z.strictObject({
  /** The api_keys row id; null while the API is open (no key yet: the anonymous admin). */
  key_id: z.string().nullable(),
  name: z.string(),
  /** As granted: `admin` implies every other scope. */
  scopes: z.array(z.enum(SCOPES)),
  /** GRAFANA_URL, for links to the dashboards; null when unset. */
  grafana_url: z.string().nullable(),
});
export type Whoami = z.infer<typeof whoamiSchema>;
