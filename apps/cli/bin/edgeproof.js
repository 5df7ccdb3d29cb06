#!/usr/bin/env node
// Runs the TypeScript entry through tsx's loader (the project runs from source, see docs/adr/0001).
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
