import type { Role, WhoAmI } from '@edgeproof/contracts';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useState, type ReactNode } from 'react';
import { api, tokenStore } from './client.ts';

interface Session {
  token: string | null;
  me: WhoAmI | null;
  loading: boolean;
  error: Error | null;
  signIn(token: string): Promise<void>;
  signOut(): void;
  can(...roles: Role[]): boolean;
}

const SessionContext = createContext<Session | null>(null);

/** The API token lives in sessionStorage: it survives reloads of the tab, not the closing of it. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const client = useQueryClient();
  const [token, setToken] = useState<string | null>(() => tokenStore.get());
  const who = useQuery({ queryKey: ['whoami', token], queryFn: () => api<WhoAmI>('/v1/whoami'), enabled: token !== null, retry: false });
  const signIn = useCallback(
    async (t: string) => {
      const me = await api<WhoAmI>('/v1/whoami', { token: t });
      tokenStore.set(t);
      client.clear();
      client.setQueryData(['whoami', t], me);
      setToken(t);
    },
    [client],
  );
  const signOut = useCallback(() => {
    tokenStore.clear();
    client.clear();
    setToken(null);
  }, [client]);
  const me = who.data ?? null;
  const value: Session = {
    token,
    me,
    loading: token !== null && who.isPending,
    error: who.error,
    signIn,
    signOut,
    can: (...roles) => me !== null && (me.role === 'admin' || roles.includes(me.role)),
  };
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}
