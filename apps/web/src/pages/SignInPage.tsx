import { useState, type FormEvent } from 'react';
import { useSession } from '../api/session.tsx';

export function SignInPage() {
  const session = useSession();
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await session.signIn(token.trim());
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="signin">
      <h1>edgeproof</h1>
      <form onSubmit={submit}>
        <label>
          API token
          <input name="token" type="password" autoComplete="off" value={token} onChange={(e) => setToken(e.target.value)} required />
        </label>
        <button type="submit" disabled={busy || token.trim() === ''}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        {error && (
          <p className="state error" role="alert">
            {error}
          </p>
        )}
        <p className="muted">The token stays in this tab's session storage and goes only to this API.</p>
      </form>
    </main>
  );
}
