import { lazy, Suspense } from 'react';
import { NavLink, Route, Routes } from 'react-router';
import { useSession } from './api/session.tsx';
import { ErrorBox, Loading } from './components/States.tsx';
import { SignInPage } from './pages/SignInPage.tsx';

// each page is its own chunk, fetched when first opened: a page's first paint ships only its own code
const ApprovalsPage = lazy(() => import('./pages/ApprovalsPage.tsx').then((m) => ({ default: m.ApprovalsPage })));
const DevicesPage = lazy(() => import('./pages/DevicesPage.tsx').then((m) => ({ default: m.DevicesPage })));
const FeaturesPage = lazy(() => import('./pages/FeaturesPage.tsx').then((m) => ({ default: m.FeaturesPage })));
const ModelsPage = lazy(() => import('./pages/ModelsPage.tsx').then((m) => ({ default: m.ModelsPage })));
const RunPage = lazy(() => import('./pages/RunPage.tsx').then((m) => ({ default: m.RunPage })));
const TrendsPage = lazy(() => import('./pages/TrendsPage.tsx').then((m) => ({ default: m.TrendsPage })));
const VersionPage = lazy(() => import('./pages/version/VersionPage.tsx').then((m) => ({ default: m.VersionPage })));

const ROLE_NAMES = { admin: 'admin', ml_engineer: 'ML engineer', ci: 'CI', agent: 'agent', viewer: 'viewer' } as const;

export function App() {
  const session = useSession();
  if (!session.token) return <SignInPage />;
  if (session.loading) return <Loading what="your session" />;
  if (!session.me) {
    return (
      <main className="signin">
        <ErrorBox error={session.error} what="your session" />
        <button onClick={session.signOut}>Sign in again</button>
      </main>
    );
  }
  return (
    <>
      <header className="top">
        <strong className="brand">edgeproof</strong>
        <nav>
          <NavLink to="/" end>Models</NavLink>
          <NavLink to="/trends">Trends</NavLink>
          <NavLink to="/devices">Devices</NavLink>
          <NavLink to="/approvals">Approvals</NavLink>
          <NavLink to="/features">Feature evaluations</NavLink>
        </nav>
        <span className="who" data-testid="whoami">
          {session.me.name} · <span data-testid="role">{ROLE_NAMES[session.me.role]}</span>
        </span>
        <button className="link" onClick={session.signOut}>Sign out</button>
      </header>
      <main>
        <Suspense fallback={<Loading what="the page" />}>
          <Routes>
            <Route path="/" element={<ModelsPage />} />
            <Route path="/models/:name/versions/:version" element={<VersionPage />} />
            <Route path="/trends" element={<TrendsPage />} />
            <Route path="/runs/:id" element={<RunPage />} />
            <Route path="/devices" element={<DevicesPage />} />
            <Route path="/approvals" element={<ApprovalsPage />} />
            <Route path="/features" element={<FeaturesPage />} />
            <Route path="*" element={<p className="state empty">No such page.</p>} />
          </Routes>
        </Suspense>
      </main>
    </>
  );
}
