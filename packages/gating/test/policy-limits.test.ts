import { describe, expect, it } from 'vitest';
import { MAX_POLICY_SOURCE_CHARS, parsePolicy, PolicyError } from '../src/index.ts';

function policyError(text: string): PolicyError {
  try {
    parsePolicy(text, 'p.yaml');
  } catch (e) {
    expect(e).toBeInstanceOf(PolicyError);
    return e as PolicyError;
  }
  throw new Error('expected a PolicyError');
}

/** Nine aliases per level, six levels: 9^6 = 531441 strings if expanded. */
const ALIAS_BOMB = [
  'version: 1',
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  ...['b', 'c', 'd', 'e', 'f'].map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcde'[i]}`).join(',')}]`),
  'rules: [*f]',
].join('\n');

describe('policy limits', () => {
  it('refuses an alias bomb without expanding it', () => {
    const started = performance.now();
    const err = policyError(ALIAS_BOMB);
    expect(err.message).toMatch(/^p\.yaml: YAML: more than 100 alias expansions/);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('refuses a source over the size limit before parsing it', () => {
    const err = policyError(`version: 1\nrules: []\n#${'x'.repeat(MAX_POLICY_SOURCE_CHARS)}`);
    expect(err.message).toBe(`p.yaml: policy is ${MAX_POLICY_SOURCE_CHARS + 22} characters, longer than the limit of ${MAX_POLICY_SOURCE_CHARS}`);
  });

  it('finds duplicate keys in linear time, with their position', () => {
    expect(policyError('version: 1\nrules: []\nversion: 1\n').message).toBe('p.yaml:3:1: YAML: Map keys must be unique ("version" appears twice)');
    const keys = Array.from({ length: 1300 }, (_, i) => `k${i}: ${i}`).join('\n');
    const started = performance.now();
    expect(policyError(keys).issues.length).toBeGreaterThan(0);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('answers the deepest nesting that fits the limit with a PolicyError, quickly', () => {
    const half = Math.floor(MAX_POLICY_SOURCE_CHARS / 2) - 20;
    const started = performance.now();
    expect(policyError(`version: 1\nrules: ${'['.repeat(half)}${']'.repeat(half)}`).issues.length).toBeGreaterThan(0);
    expect(policyError(`version: 1\nrules: ${'{a: '.repeat(half / 2)}`).issues.length).toBeGreaterThan(0);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
