/** Who caused a change, as audit entries name it: an API key, open-mode anonymous, or a component. */
export function actorOf(principal: { keyId: string | null; name: string }): string {
  return principal.keyId ? `api_key:${principal.keyId}` : principal.name;
}

export function systemActor(component: string): string {
  return `system:${component}`;
}
