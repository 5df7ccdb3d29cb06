/** Starts a host-driver job on the model given as argv[2], then exits abruptly as a crashing agent would. */
import { BenchmarkSettings } from '@edgeproof/contracts';
import { HostDriver } from '../../src/index.ts';
import { makeJob } from './fixtures.ts';

const job = makeJob(process.argv[2] as string, 'latency', BenchmarkSettings.parse({ timeoutSeconds: 600 }));
const driver = new HostDriver();
const [device] = await driver.discover();
void driver.run(device as NonNullable<typeof device>, job, new AbortController().signal).catch(() => {});
setTimeout(() => process.exit(0), 1500);
