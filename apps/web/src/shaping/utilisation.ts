import type { DashDeviceRow } from '@edgeproof/contracts';
import { deviceLabel } from './distributions.ts';

export interface UtilisationCell {
  device: string;
  /** hours before the window end, negative: −24 … −1 */
  hour: number;
  share: number;
}

/** Hour-by-hour busy share per device for a heat strip. */
export function utilisationCells(rows: readonly DashDeviceRow[]): UtilisationCell[] {
  return rows.flatMap((r) => {
    const n = r.utilisation.hourly.length;
    return r.utilisation.hourly.map((share, i) => ({ device: deviceLabel(r.device), hour: i - n, share }));
  });
}
