import { useState } from 'react';
import { http } from '../../api/client.ts';

/** Downloads carry the bearer token, so they go through fetch and a blob URL rather than a plain link. */
export function DownloadButton({ model, version }: { model: string; version: string }) {
  const [error, setError] = useState<string | null>(null);
  const download = async () => {
    setError(null);
    let res: Response;
    try {
      res = await http.send('GET', `/v1/models/${encodeURIComponent(model)}/versions/${encodeURIComponent(version)}/download`, { timeoutMs: 600_000 });
    } catch (err) {
      setError(`download failed: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? `${model}-${version}`;
    const url = URL.createObjectURL(await res.blob());
    const a = document.createElement('a');
    a.href = url;
    a.download = name;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };
  return (
    <p>
      <button onClick={() => void download()}>Download model file</button>
      {error && <span className="state error"> {error}</span>}
    </p>
  );
}
