/**
 * An agent played by a test over real HTTP: registers with a token bound to its name and sends the
 * fencing epoch it got back on every later call, as apps/agent does.
 */
import { randomUUID } from 'node:crypto';
import { AGENT_EPOCH_HEADER, type AgentRegister, type AgentRegistered } from '@edgeproof/contracts';

export interface SimulatedAgent {
  registered: AgentRegistered;
  /** authorization and epoch headers for heartbeats and job calls */
  headers: Record<string, string>;
  call<T>(method: string, path: string, body?: unknown): Promise<T>;
}

/** what the seeds write: a loose register body (the API validates it) */
type RegisterBody = Omit<AgentRegister, 'takeover' | 'devices'> & { takeover?: boolean; devices: object[] };

export async function registerSimulatedAgent(url: string, token: string, body: RegisterBody): Promise<SimulatedAgent> {
  const send = async <T>(method: string, path: string, headers: Record<string, string>, payload?: unknown): Promise<T> => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { ...headers, ...(payload !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(payload !== undefined ? { body: JSON.stringify(payload) } : {}),
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return (res.status === 204 ? undefined : await res.json()) as T;
  };
  const auth = { authorization: `Bearer ${token}` };
  const registered = await send<AgentRegistered>('POST', '/v1/agents/register', auth, { instanceId: randomUUID(), ...body });
  const headers = { ...auth, [AGENT_EPOCH_HEADER]: String(registered.epoch) };
  return { registered, headers, call: (method, path, payload) => send(method, path, headers, payload) };
}
